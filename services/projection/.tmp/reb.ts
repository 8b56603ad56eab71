import { PostgresEventStore } from '@yishi/event-store';
import { createDb } from '../src/db.ts';
import { migrateReadModels } from '../src/migrations/index.ts';
import { projections } from '../src/projections/index.ts';
import { rebuild } from '../src/runtime/rebuild.ts';

const url = `postgres://postgres:yishi-local@127.0.0.1:47311/${process.argv[2]}`;
const store = new PostgresEventStore({ connectionString: url });
const db = createDb(url, 20);
await migrateReadModels(db);
const selected = process.argv[3]
  ? projections.filter((p) => p.name === process.argv[3])
  : projections;
const t = performance.now();
let maxRss = 0;
const iv = setInterval(() => {
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
}, 100);
const r = await rebuild(store, db, selected, {
  graceMs: 0,
  batchSize: Number(process.argv[4] ?? 2000),
});
const ms = performance.now() - t;
clearInterval(iv);
console.log((globalThis as any).T);
console.log(
  selected.map((p) => p.name).join(','),
  r.events,
  'events',
  Math.round(ms),
  'ms',
  Math.round((r.events / ms) * 1000),
  'ev/s',
  'rss',
  Math.round(maxRss / 1e6),
  'MB',
);
await db.destroy();
await store.close();
