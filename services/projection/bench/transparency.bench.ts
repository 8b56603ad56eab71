// Transparency log benchmark (the second part of `pnpm --filter @yishi/projection bench`), on a
// durable embedded PostgreSQL:
// 1. the store's append ratio at 8 writers (as the event store's benchmark measures it) while
//    the tree builder follows the appends in a process of its own, as deployed;
// 2. the tree built from zero over 1,000,000 generated events in that process: events/s and CPU
//    per event, its own and PostgreSQL's;
// 3. inclusion proofs on that log, over the query service's router: p50 and p99;
// 4. signing and verifying a checkpoint (Ed25519).
// BENCH_EVENTS scales step 2 down; BENCH_PROFILE=<dir> writes a CPU profile of each live tree
// builder there (node --cpu-prof). `--smoke` (run by `pnpm test`): 5,000 events, one short round,
// a few proofs, so a bench that no longer runs fails the tests; its figures mean nothing.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '@yishi/event-store';
import { appendRatio, median, RAW_TABLE_SQL } from '@yishi/event-store/bench/append-ratio';
import { ensureDatabase, freePort, startLocalPostgres } from '@yishi/local-postgres';
import { postmasterOf, serverCpuMs } from '@yishi/local-postgres/cpu';
import { createVerifier, issueToken } from '@yishi/platform';
import {
  generateSigningKeyPem,
  signCheckpoint,
  signingKeyFromPem,
  verifyCheckpoint,
} from '@yishi/transparency';
import { sql } from 'kysely';
import pg from 'pg';
import { createApp } from '../src/app.ts';
import { createDb } from '../src/db.ts';
import { migrateReadModels } from '../src/migrations/index.ts';
import { MerkleTree } from '../src/transparency/tree.ts';
import { jsonOfChild, runNode } from './child.ts';

const smoke = process.argv.includes('--smoke');
const sized = (full: number, tiny: number) => (smoke ? tiny : full);
const EVENTS = Number(process.env.BENCH_EVENTS ?? sized(1_000_000, 5_000));
const ROUNDS = sized(5, 1);
const PHASE_MS = sized(1500, 50);
const WARMUP_MS = sized(500, 50);
const PROOFS = sized(2000, 20);
const SIGNATURES = sized(2000, 20);
const secret = 'bench-secret-bench-secret-bench-secret';
const tokenConfig = {
  issuer: 'yishi',
  audience: 'yishi',
  secret: new TextEncoder().encode(secret),
};

const profileFlags = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
  : [];

function bench(name: string, value: number, unit: string): void {
  console.log(`BENCH ${JSON.stringify({ name, value: Number(value.toFixed(3)), unit })}`);
}
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const load = () => loadavg()[0]?.toFixed(1);

interface TreeReport {
  leaves: number;
  ms: number;
  nodeCpuMs: number;
  pgCpuMs: number;
}

/** The tree builder following the store until stopped (SIGTERM); its report. */
function followInChild(url: string, keyFile: string) {
  const child: ChildProcess = runNode(
    join(import.meta.dirname, 'tree-child.ts'),
    [url, keyFile],
    {},
    profileFlags,
  );
  const out: Buffer[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop(): Promise<TreeReport> {
      child.kill('SIGTERM');
      await exited;
      return JSON.parse(Buffer.concat(out).toString('utf8')) as TreeReport;
    },
  };
}

async function main(): Promise<void> {
  if (smoke) console.log('smoke mode: tiny sizes, the figures are not measurements');
  const dir = await mkdtemp(join(tmpdir(), 'yishi-transparency-bench-'));
  const server = await startLocalPostgres({
    dataDir: join(dir, 'pg'),
    port: await freePort(),
    stopOnSignals: true,
  });
  const url = await ensureDatabase(server.adminUrl, 'bench');
  const store = new PostgresEventStore({ connectionString: url, maxConnections: 8 });
  await store.init();
  const db = createDb(url, 10);
  await migrateReadModels(db);
  const pem = generateSigningKeyPem();
  const keyFile = join(dir, 'checkpoint-key');
  await writeFile(keyFile, pem);
  const events = async () =>
    Number(
      (await sql<{ n: string }>`SELECT count(*)::text AS n FROM es_events`.execute(db)).rows[0]!.n,
    );
  try {
    // ---- 1. appends with the tree maintained, paired with appends without it ------------------
    console.log(`load average ${load()} at the start`);
    console.log(
      `appends at 8 writers, without the tree builder, then with it following (its own process), twice; ` +
        `each ${ROUNDS} alternating rounds of ${PHASE_MS} ms per side…`,
    );
    const raw = new pg.Pool({ connectionString: url, max: 8 });
    await raw.query(RAW_TABLE_SQL);
    const tree = new MerkleTree(db);
    let seq = 0;
    let run = 0;
    const measure = () =>
      appendRatio({
        store,
        raw,
        writers: 8,
        rounds: ROUNDS,
        phaseMs: PHASE_MS,
        warmupMs: WARMUP_MS,
        streams: `tree-c8-${++run}`,
        next: () => seq++,
      });
    const without: number[] = [];
    const withTree: number[] = [];
    const followed: TreeReport[] = [];
    for (let pair = 0; pair < sized(2, 1); pair++) {
      const alone = await measure();
      without.push(alone.ratio);
      const follower = followInChild(url, keyFile);
      // The builder has caught up (it is live) before the appends it follows start.
      while ((await tree.size()) < (await events())) await new Promise((r) => setTimeout(r, 50));
      const followedRun = await measure();
      withTree.push(followedRun.ratio);
      const appended = await events();
      const caughtUp = performance.now();
      while ((await tree.size()) < appended) await new Promise((r) => setTimeout(r, 20));
      const behindMs = performance.now() - caughtUp;
      followed.push(await follower.stop());
      console.log(
        `  without the tree: ratio ${alone.ratio.toFixed(3)} (store ${alone.storeRate.toFixed(0)}/s, raw ${alone.rawRate.toFixed(0)}/s); ` +
          `with it: ratio ${followedRun.ratio.toFixed(3)} (store ${followedRun.storeRate.toFixed(0)}/s, raw ${followedRun.rawRate.toFixed(0)}/s, ` +
          `per round ${followedRun.ratios.map((x) => x.toFixed(2)).join(' ')}); the tree had every event ${behindMs.toFixed(0)} ms after the last append; load average ${load()}`,
      );
    }
    await raw.query('DROP TABLE es_raw');
    await raw.end();
    const liveLeaves = followed.reduce((n, f) => n + f.leaves, 0);
    const liveCpuUs =
      (followed.reduce((n, f) => n + f.nodeCpuMs, 0) * 1000) / Math.max(1, liveLeaves);
    const ratioWith = median(withTree);
    console.log(
      `  median ratio without the tree ${median(without).toFixed(3)}, with it ${ratioWith.toFixed(3)}; ` +
        `the live builder's CPU ${liveCpuUs.toFixed(1)} µs per event (its process, once caught up)`,
    );

    // ---- 2. the tree of a large log, built from zero --------------------------------------------
    console.log(`generating ${EVENTS.toLocaleString('en')} events…`);
    await jsonOfChild<{ written: number }>('generate-child.ts', [
      url,
      String(EVENTS),
      String(sized(2000, 50)),
      String(sized(100, 2)),
    ]);
    await sql`VACUUM (ANALYZE) es_events`.execute(db);
    const total = await events();
    console.log(`building the tree of the ${total.toLocaleString('en')} events (its own process)…`);
    const built = await jsonOfChild<TreeReport>('tree-child.ts', [url, keyFile, String(total)]);
    await sql`VACUUM (ANALYZE) transparency_leaves, transparency_nodes`.execute(db);
    const nodeUs = (built.nodeCpuMs * 1000) / built.leaves;
    const pgUs = (built.pgCpuMs * 1000) / built.leaves;
    console.log(
      `  ${built.leaves.toLocaleString('en')} leaves in ${(built.ms / 1000).toFixed(1)} s ` +
        `(${Math.round(built.leaves / (built.ms / 1000)).toLocaleString('en')} events/s); CPU per event: ` +
        `Node ${nodeUs.toFixed(1)} µs, PostgreSQL ${pgUs.toFixed(1)} µs; load average ${load()}`,
    );

    // ---- 3. inclusion proofs --------------------------------------------------------------------
    const app = createApp({ db, store, verify: createVerifier(tokenConfig), projectors: [] });
    const token = await issueToken(tokenConfig, {
      personId: 'o',
      role: 'official',
      communities: ['*'],
    });
    const size = await tree.size();
    const picks = Array.from({ length: PROOFS + 50 }, (_, i) =>
      Math.floor((((i * 2_654_435_761) % 4_294_967_296) / 4_294_967_296) * size),
    );
    const { rows } = await sql<{ global_position: string }>`
      SELECT global_position FROM transparency_leaves WHERE leaf_index = ANY(${picks}::int8[])`.execute(
      db,
    );
    const positions = rows.map((r) => r.global_position);
    const latencies: number[] = [];
    const { rows: backend } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(
      db,
    );
    const postmaster = postmasterOf(backend[0]!.pid);
    let cpu = process.cpuUsage();
    let pgCpu = serverCpuMs(postmaster);
    for (const [i, position] of positions.entries()) {
      if (i === 50) {
        cpu = process.cpuUsage();
        pgCpu = serverCpuMs(postmaster);
      }
      const t0 = performance.now();
      const res = await app.request(`/v1/proofs/inclusion?position=${position}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`inclusion ${position}: ${res.status} ${body}`);
      if (i >= 50) latencies.push(performance.now() - t0);
    }
    const used = process.cpuUsage(cpu);
    const proofNodeUs = (used.user + used.system) / latencies.length;
    const proofPgUs = ((serverCpuMs(postmaster) - pgCpu) * 1000) / latencies.length;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `inclusion proofs on a log of ${size.toLocaleString('en')} (in-process, over the app's router, ${latencies.length} random events): ` +
        `p50 ${p50.toFixed(2)} ms  p99 ${p99.toFixed(2)} ms; CPU per proof: Node ${proofNodeUs.toFixed(0)} µs, ` +
        `PostgreSQL ${proofPgUs.toFixed(0)} µs; load average ${load()}`,
    );

    // ---- 4. signing ---------------------------------------------------------------------------
    const key = signingKeyFromPem(pem);
    const body = {
      origin: 'bench.yishi/log',
      treeSize: size,
      rootHash: Buffer.alloc(32, 7),
      signedAt: new Date(),
    };
    const s0 = performance.now();
    let note = '';
    for (let i = 0; i < SIGNATURES; i++)
      note = signCheckpoint({ ...body, treeSize: size + i }, key).note;
    const signUs = ((performance.now() - s0) * 1000) / SIGNATURES;
    const v0 = performance.now();
    for (let i = 0; i < SIGNATURES; i++) verifyCheckpoint(note, [key.publicKey]);
    const verifyUs = ((performance.now() - v0) * 1000) / SIGNATURES;
    console.log(
      `checkpoints: signing ${signUs.toFixed(1)} µs, verifying ${verifyUs.toFixed(1)} µs`,
    );

    bench('transparency.append_ratio_c8', ratioWith, 'ratio');
    bench('transparency.append_ratio_c8_without_tree', median(without), 'ratio');
    bench('transparency.tree_live_cpu_per_event', liveCpuUs, 'µs');
    bench('transparency.tree_cpu_per_event', nodeUs, 'µs');
    bench('transparency.tree_pg_cpu_per_event', pgUs, 'µs');
    bench('transparency.tree_build', built.leaves / (built.ms / 1000), 'events/s');
    bench('transparency.inclusion_p99', p99, 'ms');
    bench('transparency.checkpoint_sign', signUs, 'µs');
  } finally {
    await db.destroy();
    await store.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
