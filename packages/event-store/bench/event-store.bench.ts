/**
 * Event store benchmark: `pnpm --filter @yishi/event-store bench`.
 *
 * Starts its own embedded PostgreSQL with the durable defaults (fsync on, synchronous_commit
 * on, full_page_writes on) in a temporary directory, then measures:
 *
 * 1. Single-event appends with an exact expected version at 1, 8 and 32 concurrent writers,
 *    against raw single-row INSERTs through pg at the same concurrency into `es_raw`, a table
 *    of the same shape (`LIKE es_events INCLUDING ALL`: same columns, defaults and indexes).
 *    Each writer appends to its own stream, so the figure is the cost of the store (version
 *    check, hash chain, idempotency key) and not of writers contending for one stream's version.
 *    Store and raw phases alternate (store, raw, raw, store, ...) and each ratio is taken over
 *    the summed time of each side, so a machine that drifts affects both alike; the median of
 *    the per-round ratios is printed too.
 * 2. readAll (global order) and readStream throughput over 1,000,000 events, loaded through
 *    the store in appends of 1,000 events, then VACUUM ANALYZE (a store that has been running).
 *
 * No timed assertions: it prints figures, then one `BENCH {...}` JSON line per figure.
 * Knobs: BENCH_ROUNDS (5), BENCH_PHASE_MS (1500), BENCH_READ_EVENTS (1000000).
 * `--smoke` (`pnpm bench:smoke`, run by `pnpm test`): one round of 50 ms phases and 1,000 events
 * to read, so a bench that no longer runs fails the tests; its figures mean nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase, freePort, startLocalPostgres } from '@yishi/local-postgres';
import pg from 'pg';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.ts';
import { type Checkpoint, START } from '../src/types.ts';
import { appendRatio, ballot, median, RAW_TABLE_SQL } from './append-ratio.ts';

const smoke = process.argv.includes('--smoke');
const sized = (full: number, tiny: number) => (smoke ? tiny : full);
const CONCURRENCY = [1, 8, 32];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? sized(5, 1));
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? sized(1500, 50));
const WARMUP_MS = sized(500, 50);
const READ_EVENTS = Number(process.env.BENCH_READ_EVENTS ?? sized(1_000_000, 1_000));
const READ_STREAMS = sized(1000, 10);

const figures: { name: string; value: number; unit: string }[] = [];
function figure(name: string, value: number, unit: string): void {
  figures.push({ name, value: Math.round(value * 1000) / 1000, unit });
}

async function main(): Promise<void> {
  if (smoke) console.log('smoke mode: tiny sizes, the figures are not measurements');
  const parent = await mkdtemp(join(tmpdir(), 'yishi-event-store-bench-'));
  const port = await freePort();
  console.log(`PostgreSQL with durable defaults (fsync on) in ${parent}, port ${port}`);
  reportLoad('before');
  const server = await startLocalPostgres({
    dataDir: join(parent, 'data'),
    port,
    ephemeral: true,
    stopOnSignals: true,
  });
  try {
    const url = await ensureDatabase(server.adminUrl, 'bench');
    await run(url);
  } finally {
    await server.stop();
    await rm(parent, { recursive: true, force: true });
  }
  reportLoad('after');
  for (const f of figures) console.log(`BENCH ${JSON.stringify(f)}`);
}

/** Other work on the machine skews every figure: say how busy it was. */
function reportLoad(when: string): void {
  const [one, five] = loadavg();
  const cores = availableParallelism();
  const busy = (one ?? 0) > cores ? ' (busy: other processes compete for the CPUs and disk)' : '';
  console.log(
    `load average ${when}: ${one?.toFixed(2)} (1 min), ${five?.toFixed(2)} (5 min) on ${cores} cores${busy}`,
  );
}

async function run(url: string): Promise<void> {
  const maxWriters = Math.max(...CONCURRENCY);
  const store = new PostgresEventStore({ connectionString: url, maxConnections: maxWriters });
  await store.init();
  const raw = new pg.Pool({ connectionString: url, max: maxWriters });
  await raw.query(RAW_TABLE_SQL);

  console.log(
    `\nappends: single events, exact expected version, one stream per writer; ` +
      `${ROUNDS} alternating rounds of ${PHASE_MS} ms per side`,
  );
  let seq = 0;
  for (const c of CONCURRENCY) {
    const { ratio, storeRate, rawRate, ratios } = await appendRatio({
      store,
      raw,
      writers: c,
      rounds: ROUNDS,
      phaseMs: PHASE_MS,
      warmupMs: WARMUP_MS,
      streams: `bench-c${c}`,
      next: () => seq++,
    });
    console.log(
      `  c=${String(c).padStart(2)}: store ${storeRate.toFixed(0).padStart(6)}/s, ` +
        `raw INSERT ${rawRate.toFixed(0).padStart(6)}/s, ratio ${ratio.toFixed(3)} ` +
        `(per round: ${ratios.map((x) => x.toFixed(2)).join(' ')}; median ${median(ratios).toFixed(3)})`,
    );
    figure(`event_store.append_ratio_c${c}`, ratio, 'ratio');
    figure(`event_store.append_rate_c${c}`, storeRate, 'events/s');
    figure(`event_store.raw_insert_rate_c${c}`, rawRate, 'rows/s');
  }
  await raw.query('DROP TABLE es_raw');
  await raw.end();

  // --- READ_EVENTS (1,000,000) events -------------------------------------------------------
  const perStream = Math.ceil(READ_EVENTS / READ_STREAMS);
  const chunk = Math.min(1000, perStream);
  const jobs: { stream: number; from: number }[] = [];
  for (let v = 0; v < perStream; v += chunk) {
    for (let s = 0; s < READ_STREAMS; s++) jobs.push({ stream: s, from: v });
  }
  const loadStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (;;) {
        const job = jobs[next++];
        if (!job) return;
        const n = Math.min(chunk, perStream - job.from);
        const events = Array.from({ length: n }, (_, k) =>
          ballot(job.stream * perStream + job.from + k),
        );
        await store.append(`load-s${job.stream}`, events, { expected: job.from });
      }
    }),
  );
  const loaded = READ_STREAMS * perStream;
  const loadSeconds = (performance.now() - loadStart) / 1000;
  console.log(
    `\nloaded ${loaded} events through the store (appends of ${chunk}) in ` +
      `${loadSeconds.toFixed(1)} s (${(loaded / loadSeconds).toFixed(0)} events/s)`,
  );
  figure('event_store.bulk_append', loaded / loadSeconds, 'events/s');
  await store.pool.query('VACUUM ANALYZE es_events');
  const total = Number(
    (await store.pool.query<{ n: string }>('SELECT count(*) AS n FROM es_events')).rows[0]!.n,
  );

  for (const batch of [1000, 5000]) {
    const t0 = performance.now();
    let checkpoint: Checkpoint = START;
    let count = 0;
    for (;;) {
      const result = await store.readAll(checkpoint, batch);
      if (result.events.length === 0) break;
      count += result.events.length;
      checkpoint = result.checkpoint;
    }
    const seconds = (performance.now() - t0) / 1000;
    const rate = count / seconds;
    console.log(
      `readAll, batches of ${batch}: ${count} of ${total} events in ${seconds.toFixed(2)} s ` +
        `= ${rate.toFixed(0)} events/s`,
    );
    figure(
      batch === 1000 ? 'event_store.read_all' : `event_store.read_all_b${batch}`,
      rate,
      'events/s',
    );
  }

  {
    const t0 = performance.now();
    let count = 0;
    for (let s = 0; s < READ_STREAMS; s++) count += (await store.readStream(`load-s${s}`)).length;
    const seconds = (performance.now() - t0) / 1000;
    const rate = count / seconds;
    console.log(
      `readStream, ${READ_STREAMS} streams of ${perStream}: ${count} events in ` +
        `${seconds.toFixed(2)} s = ${rate.toFixed(0)} events/s`,
    );
    figure('event_store.read_stream', rate, 'events/s');
  }
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
