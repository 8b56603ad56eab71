// Projection benchmark (pnpm --filter @yishi/projection bench): against a durable embedded
// PostgreSQL,
// 1. rebuild of every read model from 1,000,000 generated realistic events: events/s and RSS,
//    and the longest the event store's readers stood still meanwhile (stall.ts); then the
//    largest community rebuilt alone inside the active generations,
// 2. query latency: history and tally of a proposal with 10,000 ballots, the decision register
//    with 1,000 decisions,
// 3. projection lag while the command service (its own process) takes 1,000 ballots a second,
//    the projectors running in a process of their own (lag.ts).
// BENCH_EVENTS and BENCH_LAG_SECONDS scale it down for a quick look. `--smoke` (`pnpm bench:smoke`,
// run by `pnpm test`): 5,000 events, 100 voters, 2 s of lag at 100 ballots/s and a few queries, so a
// bench that no longer runs fails the tests; its figures mean nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '@yishi/event-store';
import { ensureDatabase, freePort, startLocalPostgres } from '@yishi/local-postgres';
import { createVerifier, issueToken } from '@yishi/platform';
import { sql } from 'kysely';
import { createApp } from '../src/app.ts';
import { createDb } from '../src/db.ts';
import { migrateReadModels } from '../src/migrations/index.ts';
import { BALLOT_TYPES } from '../src/projections/ballots.ts';
import { projections } from '../src/projections/index.ts';
import { rebuildCommunity } from '../src/runtime/community.ts';
import { jsonOfChild } from './child.ts';
import { measureLag } from './lag.ts';
import { watchReaderStall } from './stall.ts';

const smoke = process.argv.includes('--smoke');
const sized = (full: number, tiny: number) => (smoke ? tiny : full);
const EVENTS = Number(process.env.BENCH_EVENTS ?? sized(1_000_000, 5_000));
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? sized(20, 2));
const RATE = sized(1000, 100);
const WARMUP_SECONDS = sized(3, 1);
const BIG_VOTERS = sized(12_000, 100);
const DECISIONS = sized(1000, 5);
const secret = 'bench-secret-bench-secret-bench-secret';
const tokenConfig = {
  issuer: 'yishi',
  audience: 'yishi',
  secret: new TextEncoder().encode(secret),
};

function bench(name: string, value: number, unit: string): void {
  console.log(`BENCH ${JSON.stringify({ name, value: Number(value.toFixed(3)), unit })}`);
}
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

interface RebuildReport {
  events: number;
  applyMs: number;
  switchedMs: number;
  totalMs: number;
  samples: { ms: number; events: number; rssMb: number }[];
  nodeCpuUs: number;
  pgCpuUs: number;
}

/** Rebuilds `names` (all when empty) in a child process; its memory and CPU are its own. */
async function rebuildInChild(url: string, names: string[]): Promise<RebuildReport> {
  const report = await jsonOfChild<
    Omit<RebuildReport, 'nodeCpuUs' | 'pgCpuUs'> & { nodeCpuMs: number; pgCpuMs: number }
  >('rebuild-child.ts', [url, ...names]);
  return {
    ...report,
    nodeCpuUs: (report.nodeCpuMs * 1000) / report.events,
    pgCpuUs: (report.pgCpuMs * 1000) / report.events,
  };
}

/** Writes the history in a child process (see generate-child.ts); the number of events written. */
async function generateInChild(url: string): Promise<number> {
  const { written } = await jsonOfChild<{ written: number }>('generate-child.ts', [
    url,
    String(EVENTS),
    String(BIG_VOTERS),
    String(DECISIONS),
  ]);
  return written;
}

async function main(): Promise<void> {
  if (smoke) console.log('smoke mode: tiny sizes, the figures are not measurements');
  const dir = await mkdtemp(join(tmpdir(), 'yishi-projection-bench-'));
  const server = await startLocalPostgres({
    dataDir: join(dir, 'pg'),
    port: await freePort(),
    stopOnSignals: true,
  });
  const url = await ensureDatabase(server.adminUrl, 'bench');
  const store = new PostgresEventStore({ connectionString: url });
  await store.init();
  const db = createDb(url, 30);
  await migrateReadModels(db);
  try {
    // ---- 1. generate ------------------------------------------------------------------------
    console.log(`generating ${EVENTS.toLocaleString('en')} events…`);
    const generated = await generateInChild(url);
    console.log(`  ${generated.toLocaleString('en')} events in the store`);
    // As a running store has it: vacuumed and analysed. Left to autovacuum, its first pass over
    // a million fresh rows would land in the middle of the rebuild measured next.
    await sql`VACUUM (ANALYZE) es_events`.execute(db);

    // ---- 2. rebuild (its own process: its memory is measured alone) ---------------------------
    console.log('rebuilding every read model from zero…');
    const stall = await watchReaderStall(url);
    const all = await rebuildInChild(url, []);
    const { longest: readerStallMs, at: stallAt, holder } = await stall.stop();
    const rate = all.events / (all.switchedMs / 1000);
    const peak = Math.max(...all.samples.map((s) => s.rssMb));
    const atQuarter = [0.25, 0.5, 0.75, 1].map(
      (q) => all.samples.find((s) => s.events >= q * all.events)?.rssMb ?? peak,
    );
    console.log(
      `  ${all.events.toLocaleString('en')} events: applied in ${(all.applyMs / 1000).toFixed(1)} s, ` +
        `serving queries (every query index built) after ${(all.switchedMs / 1000).toFixed(1)} s → ${Math.round(rate).toLocaleString('en')} events/s; ` +
        `old generations dropped after ${(all.totalMs / 1000).toFixed(1)} s (${Math.round(all.events / (all.totalMs / 1000)).toLocaleString('en')} events/s to there); ` +
        `CPU per event: Node ${all.nodeCpuUs.toFixed(0)} µs, PostgreSQL ${all.pgCpuUs.toFixed(0)} µs; load average ${loadavg()[0]?.toFixed(1)}`,
    );
    console.log(
      `  RSS peak ${peak} MB; at 25/50/75/100 % of the events: ${atQuarter.join(' / ')} MB`,
    );
    console.log(
      `  readers of the global order stood still at most ${ms(readerStallMs)} during the rebuild (from ${(stallAt / 1000).toFixed(1)} s; held by: ${holder || 'unseen'})`,
    );
    // One community among them all, rebuilt inside the active generations: the largest.
    const largest = (
      await sql<{ community_id: string; n: number }>`
        SELECT community_id, count(*)::int AS n FROM es_events WHERE community_id IS NOT NULL
         GROUP BY community_id ORDER BY n DESC LIMIT 1`.execute(db)
    ).rows[0]!;
    const communityStarted = performance.now();
    const perProjection = await rebuildCommunity(store, db, projections, largest.community_id);
    const communitySeconds = (performance.now() - communityStarted) / 1000;
    console.log(
      `  community ${largest.community_id} (${largest.n.toLocaleString('en')} of ${all.events.toLocaleString('en')} events) rebuilt alone in ${communitySeconds.toFixed(2)} s ` +
        `(${perProjection.map((p) => `${p.projection} ${p.events.toLocaleString('en')} events ${(p.ms / 1000).toFixed(2)} s`).join(', ')})`,
    );
    if (!process.env.BENCH_SKIP_EACH && !smoke) {
      // What `pnpm run rebuild <projection>` (or a new version of one projection) costs.
      for (const p of projections) {
        const one = await rebuildInChild(url, [p.name]);
        console.log(
          `  ${p.name.padEnd(13)} alone: ${Math.round(one.events / (one.switchedMs / 1000)).toLocaleString('en')} events/s ` +
            `(CPU per event: Node ${one.nodeCpuUs.toFixed(0)} µs, PostgreSQL ${one.pgCpuUs.toFixed(0)} µs)`,
        );
      }
    }

    // ---- 3. queries ---------------------------------------------------------------------------
    const verify = createVerifier(tokenConfig);
    const app = createApp({ db, store, verify, projectors: [] });
    const official = await issueToken(tokenConfig, {
      personId: 'o',
      role: 'official',
      communities: ['*'],
    });
    const timeQuery = async (path: string, full = 200) => {
      const n = sized(full, 3);
      const warmup = sized(10, 1);
      const latencies: number[] = [];
      for (let i = 0; i < n + warmup; i++) {
        const t0 = performance.now();
        const res = await app.request(path, { headers: { authorization: `Bearer ${official}` } });
        const body = await res.text();
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
        if (i >= warmup) latencies.push(performance.now() - t0);
      }
      return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    };
    const ballots = await db
      .withSchema(
        (
          await db
            .selectFrom('projection_generations')
            .select('schema_name')
            .where('projection', '=', 'timeline')
            .where('status', '=', 'active')
            .executeTakeFirstOrThrow()
        ).schema_name,
      )
      .selectFrom('timeline')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('community_id', '=', 'bench')
      .where('proposal_id', '=', 'big')
      .where('type', 'in', BALLOT_TYPES)
      .executeTakeFirstOrThrow();
    console.log(
      `queries (in-process, over the app's router; proposal with ${ballots.n} ballot events):`,
    );
    const history = await timeQuery('/v1/communities/bench/proposals/big/history');
    const historyAll = await timeQuery(
      '/v1/communities/bench/proposals/big/history?limit=10000',
      50,
    );
    const tally = await timeQuery('/v1/communities/bench/proposals/big/tally', 100);
    const register = await timeQuery('/v1/communities/bench/decisions?limit=1000', 100);
    const registerCsv = await timeQuery('/v1/communities/bench/decisions.csv?limit=1000', 50);
    console.log(`  history, first page (500)  p50 ${ms(history.p50)}  p99 ${ms(history.p99)}`);
    console.log(
      `  history, all (~10,000)     p50 ${ms(historyAll.p50)}  p99 ${ms(historyAll.p99)}`,
    );
    console.log(`  tally (${BIG_VOTERS} voters)  p50 ${ms(tally.p50)}  p99 ${ms(tally.p99)}`);
    console.log(
      `  decision register (${DECISIONS})  p50 ${ms(register.p50)}  p99 ${ms(register.p99)}`,
    );
    console.log(
      `  register as CSV            p50 ${ms(registerCsv.p50)}  p99 ${ms(registerCsv.p99)}`,
    );

    // ---- 4. lag under 1,000 commands/s ---------------------------------------------------------
    console.log(
      `projection lag while the command service takes ${RATE} ballots/s for ${LAG_SECONDS} s (projectors in their own process)…`,
    );
    const lag = await measureLag({
      url,
      store,
      secret,
      rate: RATE,
      seconds: LAG_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
    });
    const lagP50 = percentile(lag.lags, 50);
    const lagP99 = percentile(lag.lags, 99);
    console.log(
      `  ${lag.acknowledged} ballots acknowledged in ${lag.loadSeconds.toFixed(1)} s ` +
        `(${Math.round(lag.acknowledged / lag.loadSeconds)}/s), ${lag.failures} refused or failed${lag.firstFailure ? ` (first: ${lag.firstFailure})` : ''}`,
    );
    console.log(
      `  lag from acknowledgement to every read model, after the first ${WARMUP_SECONDS} s (${lag.lags.length} ballots): ` +
        `p50 ${ms(lagP50)}  p90 ${ms(percentile(lag.lags, 90))}  p99 ${ms(lagP99)}  max ${ms(Math.max(...lag.lags))}  ` +
        `(${lag.neverSeen} never seen; load average ${loadavg()[0]?.toFixed(1)})`,
    );
    console.log(
      `  slowest (acknowledged at second: lag): ${lag.slowest.map((s) => `${s.second.toFixed(1)}: ${ms(s.lag)}`).join(', ')}`,
    );
    console.log(
      `  the first ${WARMUP_SECONDS} s (${lag.warmLags.length} ballots): p50 ${ms(percentile(lag.warmLags, 50))}  p99 ${ms(percentile(lag.warmLags, 99))}  max ${ms(Math.max(...lag.warmLags))}`,
    );

    bench('projection.rebuild', rate, 'events/s');
    bench('projection.rebuild_rss', peak, 'MB');
    bench('projection.reader_stall_ms', readerStallMs, 'ms');
    bench('projection.rebuild_community_s', communitySeconds, 's');
    bench('projection.lag_p99', lagP99, 'ms');
    bench('projection.history_p99', history.p99, 'ms');
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
