// The transparency log's tree builder in a process of its own, as deployed, for the benchmark:
// builds the log of the database given first, signing with the key file given second, a
// checkpoint at most every 200 ms. With a third argument, runs until a checkpoint covers that
// many events; else until SIGTERM, counting from when it has caught up. Then prints JSON: leaves
// appended, its CPU and PostgreSQL's.
import { PostgresEventStore } from '@yishi/event-store';
import { postmasterOf, serverCpuMs } from '@yishi/local-postgres/cpu';
import { loadSigningKey } from '@yishi/transparency';
import { sql } from 'kysely';
import { createDb } from '../src/db.ts';
import { TreeBuilder } from '../src/transparency/builder.ts';
import { CheckpointLog } from '../src/transparency/checkpoints.ts';
import { MerkleTree } from '../src/transparency/tree.ts';

const [url, keyFile, until] = process.argv.slice(2);
if (!url || !keyFile) throw new Error('usage: tree-child.ts <database url> <key file> [events]');
const store = new PostgresEventStore({ connectionString: url });
const db = createDb(url, 4);
const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
const postmaster = postmasterOf(rows[0]!.pid);
const tree = new MerkleTree(db);
let before = await tree.size();
let started = performance.now();
let cpu = process.cpuUsage();
let pgCpu = serverCpuMs(postmaster);
const builder = new TreeBuilder(store, db, {
  key: loadSigningKey(keyFile),
  origin: 'bench.yishi/log',
  intervalMs: 200,
  batchSize: 2000,
  pollIntervalMs: 50,
});
await builder.start();

async function finish(): Promise<void> {
  await builder.stop();
  const used = process.cpuUsage(cpu);
  const report = {
    leaves: (await tree.size()) - before,
    ms: performance.now() - started,
    nodeCpuMs: (used.user + used.system) / 1000,
    pgCpuMs: serverCpuMs(postmaster) - pgCpu,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  await db.destroy();
  await store.close();
  process.exit(0);
}

if (until) {
  const log = new CheckpointLog(db);
  while (((await log.latest())?.treeSize ?? 0) < Number(until)) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await finish();
} else {
  process.on('SIGTERM', () => void finish());
  // Following live appends: counted from when the tree has caught up with the log, so that the
  // figure is the cost of following, not of start-up and catching up.
  const { rows: logged } = await sql<{
    n: string;
  }>`SELECT count(*)::text AS n FROM es_events`.execute(db);
  while ((await tree.size()) < Number(logged[0]!.n)) await new Promise((r) => setTimeout(r, 20));
  before = await tree.size();
  started = performance.now();
  cpu = process.cpuUsage();
  pgCpu = serverCpuMs(postmaster);
}
