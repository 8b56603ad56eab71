/**
 * Event store benchmark (pnpm --filter @yishi/event-store bench).
 *
 * Starts its own embedded PostgreSQL with the durable defaults (fsync on, synchronous_commit on)
 * in a temporary directory, then measures:
 *
 * 1. Single-event appends with an exact expected version at 1, 8 and 32 concurrent writers,
 *    each writer on its own stream (so the figure is the store's cost, not contention on one
 *    stream's version), against raw single-row INSERTs through pg into a table of the same
 *    shape (same columns, defaults and indexes as es_events) at the same concurrency.
 *    Store and raw phases alternate (ABBA) several times, and the ratio is taken over the
 *    summed time of each, so drift of the machine affects both alike.
 * 2. readAll and readStream throughput over 1,000,000 events.
 *
 * No timed assertions: it prints figures and `BENCH {...}` JSON lines.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase, freePort, startLocalPostgres } from '@yishi/local-postgres';
import pg from 'pg';
import { PostgresEventStore } from '../src/postgres/postgres-event-store.ts';
import { START } from '../src/types.ts';

const CONCURRENCY = [1, 8, 32];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 2000);
const READ_EVENTS = Number(process.env.BENCH_READ_EVENTS ?? 1_000_000);
const READ_STREAMS = 1000;

function emit(name: string, value: number, unit: string): void {
  const rounded = Math.round(value * 1000) / 1000;
  console.log(`BENCH ${JSON.stringify({ name, value: rounded, unit })}`);
}

function ballot(i: number) {
  return {
    type: 'BallotCast',
    data: { ballotId: `b-${i}`, ownerId: `owner-${i % 5000}`, option: 'approve', area: 89.5 },
    metadata: {
      commandId: `cmd-${i}`,
      actorId: `owner-${i % 5000}`,
      actorRole: 'owner',
      occurredAt: '2026-11-21T08:00:00.000Z',
      correlationId: `corr-${i}`,
      causationId: `cmd-${i}`,
    },
  };
}

async function timed(ms: number, writers: number, op: (w: number) => Promise<void>) {
  const deadline = performance.now() + ms;
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < deadline) {
        await op(w);
        count += 1;
      }
    }),
  );
  return { count, ms: performance.now() - started };
}

async function main(): Promise<void> {
  const parent = await mkdtemp(join(tmpdir(), 'yishi-bench-'));
  const port = await freePort();
  console.log(`starting PostgreSQL (durable defaults: fsync on) in ${parent} on port ${port}`);
  const server = await startLocalPostgres({ dataDir: join(parent, 'data'), port, ephemeral: true });
  try {
    const url = await ensureDatabase(server.adminUrl, 'bench');
    await run(url);
  } finally {
    await server.stop();
    await rm(parent, { recursive: true, force: true });
  }
}

async function run(url: string): Promise<void> {
  const maxWriters = Math.max(...CONCURRENCY);
  const store = new PostgresEventStore({ connectionString: url, maxConnections: maxWriters });
  await store.init();
  const raw = new pg.Pool({ connectionString: url, max: maxWriters });
  await raw.query('CREATE TABLE es_raw (LIKE es_events INCLUDING ALL)');

  // --- appends -------------------------------------------------------------------------
  let seq = 0;
  let runId = 0;
  const results: Record<string, number> = {};
  for (const c of CONCURRENCY) {
    runId += 1;
    const storeVersions = new Array<number>(c).fill(0);
    const rawVersions = new Array<number>(c).fill(0);
    const storeOp = async (w: number) => {
      const i = seq++;
      await store.append(`bench-s${runId}.w${w}`, [ballot(i)], {
        expected: storeVersions[w]!,
        commandId: `cmd-${runId}-${i}`,
      });
      storeVersions[w]! += 1;
    };
    const rawOp = async (w: number) => {
      const i = seq++;
      const e = ballot(i);
      rawVersions[w]! += 1;
      await raw.query(
        `INSERT INTO es_raw (stream_id, stream_version, type, schema_version, data, metadata,
           command_id, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          `bench-r${runId}.w${w}`,
          rawVersions[w],
          e.type,
          1,
          JSON.stringify(e.data),
          JSON.stringify(e.metadata),
          `cmd-${runId}-${i}`,
          'a'.repeat(64),
          'b'.repeat(64),
        ],
      );
    };
    // Warm-up: connections, plans, caches.
    await timed(300, c, storeOp);
    await timed(300, c, rawOp);
    let storeOps = 0;
    let storeMs = 0;
    let rawOps = 0;
    let rawMs = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ['store', 'raw'] : ['raw', 'store'];
      for (const which of order) {
        const t = await timed(PHASE_MS, c, which === 'store' ? storeOp : rawOp);
        if (which === 'store') {
          storeOps += t.count;
          storeMs += t.ms;
        } else {
          rawOps += t.count;
          rawMs += t.ms;
        }
      }
    }
    const storeRate = (storeOps / storeMs) * 1000;
    const rawRate = (rawOps / rawMs) * 1000;
    const ratio = storeRate / rawRate;
    console.log(
      `appends c=${String(c).padStart(2)}: store ${storeRate.toFixed(0).padStart(6)}/s, ` +
        `raw insert ${rawRate.toFixed(0).padStart(6)}/s, ratio ${ratio.toFixed(3)}`,
    );
    results[`c${c}`] = ratio;
    emit(`event_store.append_ratio_c${c}`, ratio, 'ratio');
    emit(`event_store.append_rate_c${c}`, storeRate, 'events/s');
    emit(`event_store.raw_insert_rate_c${c}`, rawRate, 'rows/s');
  }
  await raw.query('DROP TABLE es_raw');
  await raw.end();

  // --- load 1,000,000 events ----------------------------------------------------------------
  const perStream = Math.ceil(READ_EVENTS / READ_STREAMS);
  const chunk = 1000;
  const loadStart = performance.now();
  let next = 0;
  const jobs: { stream: number; from: number }[] = [];
  for (let s = 0; s < READ_STREAMS; s++) {
    for (let v = 0; v < perStream; v += chunk) jobs.push({ stream: s, from: v });
  }
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
  const loadS = (performance.now() - loadStart) / 1000;
  console.log(
    `loaded ${loaded} events in ${loadS.toFixed(1)} s (${(loaded / loadS).toFixed(0)}/s)`,
  );
  await store.pool.query('VACUUM ANALYZE es_events');

  // --- readAll ------------------------------------------------------------------------------
  for (const batch of [1000, 5000]) {
    const t0 = performance.now();
    let cp = START;
    let count = 0;
    for (;;) {
      const r = await store.readAll(cp, batch);
      if (r.events.length === 0) break;
      count += r.events.length;
      cp = r.checkpoint;
    }
    const s = (performance.now() - t0) / 1000;
    const rate = count / s;
    console.log(
      `readAll batch ${batch}: ${count} events in ${s.toFixed(2)} s = ${rate.toFixed(0)} events/s`,
    );
    if (batch === 1000) emit('event_store.read_all', rate, 'events/s');
    else emit(`event_store.read_all_batch${batch}`, rate, 'events/s');
  }

  // --- readStream ---------------------------------------------------------------------------
  {
    const t0 = performance.now();
    let count = 0;
    for (let s = 0; s < READ_STREAMS; s++) {
      count += (await store.readStream(`load-s${s}`)).length;
    }
    const sec = (performance.now() - t0) / 1000;
    const rate = count / sec;
    console.log(
      `readStream (${READ_STREAMS} streams of ${perStream}): ${count} events in ${sec.toFixed(2)} s = ${rate.toFixed(0)} events/s`,
    );
    emit('event_store.read_stream', rate, 'events/s');
  }
  await store.close();
  console.log(JSON.stringify({ appendRatios: results }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
