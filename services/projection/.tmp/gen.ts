import { PostgresEventStore } from '@yishi/event-store';
import { ensureDatabase } from '@yishi/local-postgres';
import pg from 'pg';
import { BulkWriter } from '../src/testing/bulk.ts';
import { generateDistrict } from '../src/testing/generate.ts';
import { Random } from '../src/testing/random.ts';
import { Simulator } from '../src/testing/simulate.ts';

const n = Number(process.argv[2] ?? 100000);
const url = await ensureDatabase(
  'postgres://postgres:yishi-local@127.0.0.1:47311/postgres',
  process.argv[3] ?? 'gen',
);
const store = new PostgresEventStore({ connectionString: url });
await store.init();
const pool = new pg.Pool({ connectionString: url });
const writer = new BulkWriter(pool);
const sim = new Simulator(writer, new Random(42));
const t = performance.now();
await generateDistrict(sim, { events: n, count: () => writer.count, random: new Random(7) });
await writer.flush();
console.log([...sim.refusals].sort((a, b) => b[1] - a[1]).slice(0, 8));
console.log(
  'generated',
  writer.written,
  'in',
  Math.round(performance.now() - t),
  'ms',
  'refused',
  sim.refused,
);
await pool.end();
await store.close();
