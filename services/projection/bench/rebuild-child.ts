// Runs a rebuild of every projection (or those named) in its own process, so that its memory
// is its own, and reports time, resident memory and CPU (its own and PostgreSQL's) as JSON.
import { PostgresEventStore } from '@yishi/event-store';
import { postmasterOf, serverCpuMs } from '@yishi/local-postgres/cpu';
import { sql } from 'kysely';
import { createDb } from '../src/db.ts';
import { migrateReadModels } from '../src/migrations/index.ts';
import { projections } from '../src/projections/index.ts';
import { rebuild } from '../src/runtime/rebuild.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: rebuild-child.ts <database url> [projection…]');
const names = process.argv.slice(3);
const selected = names.length > 0 ? projections.filter((p) => names.includes(p.name)) : projections;
const store = new PostgresEventStore({ connectionString: url });
const db = createDb(url, 30);
await migrateReadModels(db);
const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
const postmaster = postmasterOf(rows[0]!.pid);
const started = performance.now();
const cpu = process.cpuUsage();
const pgCpu = serverCpuMs(postmaster);
let applied = 0;
let applyMs = 0;
let switchedMs = 0;
const samples: { ms: number; events: number; rssMb: number }[] = [];
const sample = () =>
  samples.push({
    ms: Math.round(performance.now() - started),
    events: applied,
    rssMb: Math.round(process.memoryUsage().rss / 1e6),
  });
const timer = setInterval(sample, 100);
const result = await rebuild(store, db, selected, {
  batchSize: 2000,
  graceMs: 0,
  onBatch: (n) => {
    applied += n;
  },
  onIndexing: () => {
    applyMs = performance.now() - started;
  },
  onSwitched: () => {
    switchedMs = performance.now() - started;
  },
});
const totalMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const pgCpuMs = serverCpuMs(postmaster) - pgCpu;
sample();
clearInterval(timer);
process.stdout.write(
  `${JSON.stringify({
    events: result.events,
    applyMs,
    switchedMs,
    totalMs,
    samples,
    nodeCpuMs: (used.user + used.system) / 1000,
    pgCpuMs,
  })}\n`,
);
await db.destroy();
await store.close();
