// The append ratio, shared by the benchmarks that measure it (this package's, and the
// transparency log's with its tree builder running): single-event appends with an exact expected
// version, one stream per writer, against raw single-row INSERTs through pg at the same
// concurrency into `es_raw` (`RAW_TABLE_SQL`: the same columns, defaults and indexes). Store and
// raw phases alternate (store, raw, raw, store, ...) and the ratio is taken over the summed time
// of each side, so a machine that drifts affects both alike.
import type pg from 'pg';
import type { PostgresEventStore } from '../src/postgres/postgres-event-store.ts';

export const RAW_TABLE_SQL = 'CREATE TABLE es_raw (LIKE es_events INCLUDING ALL)';

/** A realistic event: a ballot, with the metadata every command carries. */
export function ballot(i: number) {
  return {
    type: 'BallotCast',
    data: {
      proposalId: `p-${i % 997}`,
      ballotId: `b-${i}`,
      ownerId: `owner-${i % 5000}`,
      unit: `3-2-${(i % 1800) + 101}`,
      option: i % 3 === 0 ? 'against' : 'approve',
      area: 89.5,
    },
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
  const started = performance.now();
  const deadline = started + ms;
  let count = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      // At least one operation per writer: a short phase never measures a rate of zero.
      do {
        await op(w);
        count += 1;
      } while (performance.now() < deadline);
    }),
  );
  return { count, ms: performance.now() - started };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export interface RatioOptions {
  store: PostgresEventStore;
  /** A pool for the raw INSERTs into `es_raw`. */
  raw: pg.Pool;
  writers: number;
  rounds: number;
  phaseMs: number;
  warmupMs: number;
  /** Streams are `<streams>.w<writer>`; a name no earlier run used. */
  streams: string;
  /** The next event number (unique across the run: command ids). */
  next: () => number;
}

export interface Ratio {
  ratio: number;
  storeRate: number;
  rawRate: number;
  /** Each round's ratio. */
  ratios: number[];
}

export async function appendRatio(o: RatioOptions): Promise<Ratio> {
  const storeVersion = new Array<number>(o.writers).fill(0);
  const rawVersion = new Array<number>(o.writers).fill(0);
  const storeOp = async (w: number) => {
    const i = o.next();
    await o.store.append(`${o.streams}.w${w}`, [ballot(i)], {
      expected: storeVersion[w]!,
      commandId: `cmd-${i}`,
    });
    storeVersion[w]! += 1;
  };
  const rawOp = async (w: number) => {
    const i = o.next();
    const e = ballot(i);
    rawVersion[w]! += 1;
    await o.raw.query(
      `INSERT INTO es_raw (stream_id, stream_version, type, schema_version, data, metadata,
         command_id, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        `${o.streams}.w${w}`,
        rawVersion[w],
        e.type,
        1,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
        `cmd-${i}`,
        'a'.repeat(64),
        'b'.repeat(64),
      ],
    );
  };
  // Warm-up: connections, prepared statements, caches.
  await timed(o.warmupMs, o.writers, storeOp);
  await timed(o.warmupMs, o.writers, rawOp);
  const totals = { storeOps: 0, storeMs: 0, rawOps: 0, rawMs: 0 };
  const ratios: number[] = [];
  for (let r = 0; r < o.rounds; r++) {
    const order = r % 2 === 0 ? (['store', 'raw'] as const) : (['raw', 'store'] as const);
    const rates = { store: 0, raw: 0 };
    for (const side of order) {
      const t = await timed(o.phaseMs, o.writers, side === 'store' ? storeOp : rawOp);
      rates[side] = (t.count / t.ms) * 1000;
      if (side === 'store') {
        totals.storeOps += t.count;
        totals.storeMs += t.ms;
      } else {
        totals.rawOps += t.count;
        totals.rawMs += t.ms;
      }
    }
    ratios.push(rates.store / rates.raw);
  }
  const storeRate = (totals.storeOps / totals.storeMs) * 1000;
  const rawRate = (totals.rawOps / totals.rawMs) * 1000;
  return { ratio: storeRate / rawRate, storeRate, rawRate, ratios };
}
