import pg from 'pg';

const pool = new pg.Pool({
  connectionString: 'postgres://postgres:yishi-local@127.0.0.1:47311/gen100kb',
});
const { rows } = await pool.query(
  `select transaction_id::text t, global_position g from es_events order by transaction_id, global_position offset 50000 limit 1`,
);
for (const cols of [
  'global_position',
  'data',
  'metadata',
  'recorded_at',
  'hash, prev_hash',
  'data::text',
  'global_position, transaction_id::text AS txid, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, prev_hash, hash',
]) {
  for (const n of [1000, 5000]) {
    const t = performance.now();
    await pool.query(
      `SELECT ${cols} FROM es_events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) ORDER BY transaction_id, global_position LIMIT ${n}`,
      [rows[0].t, rows[0].g],
    );
    const ms = performance.now() - t;
    console.log(
      cols.slice(0, 30).padEnd(30),
      n,
      ms.toFixed(1),
      'ms',
      ((ms * 1000) / n).toFixed(1),
      'us/row',
    );
  }
}
await pool.end();
