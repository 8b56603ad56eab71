import { PostgresEventStore, START } from '@yishi/event-store';
import pg from 'pg';

const url = `postgres://postgres:yishi-local@127.0.0.1:47311/${process.argv[2]}`;
const store = new PostgresEventStore({ connectionString: url });
const pool = new pg.Pool({ connectionString: url });
const { rows } = await pool.query(
  `select count(*)::int n, sum(pg_column_size(data))::bigint d, sum(pg_column_size(metadata))::bigint m, max(pg_column_size(data)) mx from es_events`,
);
console.log(rows[0]);
const { rows: t } = await pool.query(
  `select type, count(*)::int n, sum(pg_column_size(data))::bigint bytes from es_events group by type order by 3 desc limit 5`,
);
console.log(t);
for (const bs of [1000, 5000]) {
  let cp = START;
  let n = 0;
  const t0 = performance.now();
  for (;;) {
    const b = await store.readAll(cp, bs);
    if (!b.events.length) break;
    n += b.events.length;
    cp = b.checkpoint;
  }
  const ms = performance.now() - t0;
  console.log('batch', bs, n, Math.round(ms), 'ms', Math.round((n / ms) * 1000), 'ev/s');
}
await pool.end();
await store.close();
