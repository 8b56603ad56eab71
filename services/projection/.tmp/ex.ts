import pg from 'pg';

const pool = new pg.Pool({
  connectionString: 'postgres://postgres:yishi-local@127.0.0.1:47311/gen100kb',
});
const { rows } = await pool.query(
  `select transaction_id::text t, global_position g from es_events order by transaction_id, global_position offset 50000 limit 1`,
);
const r = await pool.query(
  `explain analyze SELECT global_position, transaction_id::text AS txid, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash FROM es_events
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY transaction_id, global_position LIMIT 5000`,
  [rows[0].t, rows[0].g],
);
console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
const t = performance.now();
const q = await pool.query(
  `SELECT global_position, transaction_id::text AS txid, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash FROM es_events
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY transaction_id, global_position LIMIT 5000`,
  [rows[0].t, rows[0].g],
);
console.log('fetch 5000', performance.now() - t);
await pool.end();
