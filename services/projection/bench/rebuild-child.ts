// Runs a rebuild of every projection in its own process (so its memory is its own) and reports
// time and resident memory as JSON on stdout.
import { PostgresEventStore } from '@yishi/event-store';
import { createDb } from '../src/db.ts';
import { migrateReadModels } from '../src/migrations/index.ts';
import { projections } from '../src/projections/index.ts';
import { rebuild } from '../src/runtime/rebuild.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: rebuild-child.ts <database url>');
const store = new PostgresEventStore({ connectionString: url });
const db = createDb(url, 30);
await migrateReadModels(db);
const started = performance.now();
let applied = 0;
let applyMs = 0;
const samples: { ms: number; events: number; rssMb: number }[] = [];
const sample = () =>
  samples.push({
    ms: Math.round(performance.now() - started),
    events: applied,
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  });
const timer = setInterval(sample, 100);
const result = await rebuild(store, db, projections, {
  batchSize: 2000,
  graceMs: 0,
  onBatch: (n) => {
    applied += n;
  },
  onIndexing: () => {
    applyMs = performance.now() - started;
  },
});
const totalMs = performance.now() - started;
sample();
clearInterval(timer);
process.stdout.write(`${JSON.stringify({ events: result.events, applyMs, totalMs, samples })}\n`);
await db.destroy();
await store.close();
