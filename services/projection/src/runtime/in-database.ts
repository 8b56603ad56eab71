import { eventCatalog, upcasters } from '@yishi/domain';
import { type Checkpoint, PostgresEventStore } from '@yishi/event-store';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { poolOf } from '../db.ts';
import { UNTIL, untilValues } from '../projections/event-sql.ts';
import type { EventChunk, Projection } from '../projections/projection.ts';
import type { Database } from '../tables.ts';
import type { Target } from './apply.ts';
import { CheckpointMovedError, inOwnConnection } from './apply.ts';
import { leaseCheck } from './catch-up.ts';
import type { Lease } from './lease.ts';
import { inLanes } from './settle.ts';

// Set-based rebuilds: when the event store is the PostgreSQL adapter in the read models' own
// database, projections whose rows are each a function of one event (the timeline, electorates)
// are filled by `INSERT … SELECT` from the events table, chunk by chunk, without the events
// passing through Node. The other projections meanwhile read only the event types they use.

/**
 * Positions per chunk, each chunk one transaction: progress is reported and an abort is seen
 * between chunks. (A chunk appends no event: the event store's readers pass it.)
 */
const CHUNK_POSITIONS = 20_000n;

/**
 * Whether a rebuild of these projections can read the store's table directly: the store keeps
 * its events in the read models' database, and neither the store nor the domain upcasts the
 * events set-based builds read (SQL reads the stored form; `apply` reads the upcast one). Worth
 * it when some are built set-based or every other one reads only some event types.
 */
export async function canBuildInDatabase(
  store: unknown,
  db: Kysely<Database>,
  selected: readonly Projection[],
): Promise<boolean> {
  if (!(store instanceof PostgresEventStore) || store.upcastsOnRead) return false;
  const builds = selected.flatMap((p) => (p.inDatabase ? [p.inDatabase] : []));
  const filtered = selected.every((p) => p.inDatabase || p.eventTypes);
  if (builds.length === 0 && !filtered) return false;
  const upcast = (type: string) => Object.keys(upcasters[type] ?? {}).length > 0;
  if (builds.some((b) => (b.types ?? Object.keys(eventCatalog)).some(upcast))) return false;
  const pool = poolOf(db);
  return store.sharesDatabaseWith((text) => pool.query<{ id: string }>(text));
}

/** The global positions of the events at or before `until`, for cutting chunks. */
export async function positionsUntil(
  db: Kysely<Database>,
  until: Checkpoint,
): Promise<{ min: bigint; max: bigint }> {
  const { rows } = await poolOf(db).query<{ min: string; max: string }>(
    `SELECT min(e.global_position)::text AS min, max(e.global_position)::text AS max
       FROM es_events e WHERE ${UNTIL}`,
    untilValues(until),
  );
  return { min: BigInt(rows[0]!.min), max: BigInt(rows[0]!.max) };
}

/** Connections a set-based build works on, each taking the next step (a target's chunk). */
const LANES = 2;

/** One transaction of a set-based build, on the connection of the lane that takes it. */
interface Step {
  run: (client: pg.PoolClient) => Promise<void>;
  committed?: () => void | Promise<void>;
}

/**
 * Builds the targets in LANES connections, each taking the next step: first every target's
 * `prepare`, then each chunk of every target, in the order of the chunks (steps near each other
 * read the same pages of the events table while those are in the database's buffers); then the
 * targets' checkpoints are moved to `until` with the number of events up to it. A statement is
 * one process: built in one lane, the timeline kept one core busy for seconds after the
 * projections built in Node had finished.
 */
export async function buildInDatabase(
  db: Kysely<Database>,
  targets: readonly Target[],
  until: Checkpoint,
  events: number,
  positions: { min: bigint; max: bigint },
  options: {
    signal?: AbortSignal;
    leases?: readonly Lease[];
    /** The highest position below which a target has every row (committed). */
    onChunk?: (target: Target, upTo: bigint) => void | Promise<void>;
    lanes?: number;
    chunkPositions?: bigint;
  },
): Promise<void> {
  const checkLeases = leaseCheck(options.leases);
  const builds = targets.map((target) => {
    const build = target.projection.inDatabase;
    if (!build) throw new Error(`${target.projection.name} has no set-based rebuild`);
    return { target, build, schema: `"${target.schema}"` };
  });
  const size = options.chunkPositions ?? CHUNK_POSITIONS;
  const chunks: EventChunk[] = [];
  for (let after = positions.min - 1n; after < positions.max; after += size) {
    chunks.push({
      after,
      upTo: positions.max - after > size ? after + size : positions.max,
      until,
    });
  }
  const lanes = Math.max(1, Math.min(options.lanes ?? LANES, builds.length * chunks.length));
  // Each step its own short transaction. A transaction that writes holds back every reader of
  // the event store (they read only below the oldest running transaction id), so one
  // transaction for the whole build would stall the live projectors until it ended. The
  // generation serves nothing until its checkpoint is set, last; a build that stops half way
  // is emptied and begun again (`buildGenerations`).
  const inSteps = (clients: pg.PoolClient[], steps: Step[]) =>
    inLanes(steps, lanes, async (next, i) => {
      const client = clients[i]!;
      for (let step = next(); step; step = next()) {
        if (options.signal?.aborted) throw new Error('rebuild aborted');
        checkLeases();
        await client.query('BEGIN');
        // As a batch's commit: a crash of the database may lose the last steps, not the store.
        await client.query('SET LOCAL synchronous_commit = off');
        await step.run(client);
        await client.query('COMMIT');
        await step.committed?.();
      }
    });
  await inOwnConnections(db, lanes, async (clients) => {
    await inSteps(
      clients,
      builds.map(({ build, schema }) => ({
        run: async (client) => {
          await build.prepare?.(client, schema, until);
        },
      })),
    );
    // Lanes commit chunks out of order: a target has reached the end of the chunks from its
    // first that are all committed.
    const committed = builds.map(() => new Set<number>());
    const reached = builds.map(() => 0);
    await inSteps(
      clients,
      chunks.flatMap((chunk, c) =>
        builds.map(
          ({ target, build, schema }, b): Step => ({
            run: async (client) => {
              await build.chunk(client, schema, chunk);
            },
            committed: async () => {
              committed[b]!.add(c);
              const from = reached[b]!;
              while (committed[b]!.has(reached[b]!)) reached[b]! += 1;
              if (reached[b]! > from)
                await options.onChunk?.(target, chunks[reached[b]! - 1]!.upTo);
            },
          }),
        ),
      ),
    );
    for (const { target } of builds) {
      await moveCheckpoint(clients[0]!, target, until, events);
      target.checkpoint = until;
    }
  });
}

/** `n` connections of their own (see `inOwnConnection`), for the time of `work`. */
function inOwnConnections<T>(
  db: Kysely<Database>,
  n: number,
  work: (clients: pg.PoolClient[]) => Promise<T>,
): Promise<T> {
  if (n === 0) return work([]);
  return inOwnConnection(db, (client) =>
    inOwnConnections(db, n - 1, (others) => work([client, ...others])),
  );
}

/**
 * Moves the checkpoints of targets that read a filtered part of the events to `until`, counting
 * every event up to it (the filtered reads counted only the events they read).
 */
export async function settleAt(
  db: Kysely<Database>,
  targets: readonly Target[],
  until: Checkpoint,
  events: number,
): Promise<void> {
  for (const target of targets) {
    await moveCheckpoint(poolOf(db), target, until, events);
    target.checkpoint = until;
  }
}

/** Compare-and-set, as a batch does: from the checkpoint this builder last wrote. */
async function moveCheckpoint(
  client: Pick<pg.Pool, 'query'>,
  target: Target,
  until: Checkpoint,
  events: number,
): Promise<void> {
  const moved = await client.query(
    `UPDATE projection_checkpoints
        SET transaction_id = $1, global_position = $2, events = $3, updated_at = now()
      WHERE schema_name = $4 AND transaction_id = $5 AND global_position = $6`,
    [
      until.transactionId.toString(),
      until.globalPosition.toString(),
      events,
      target.schema,
      target.checkpoint.transactionId.toString(),
      target.checkpoint.globalPosition.toString(),
    ],
  );
  if (moved.rowCount !== 1) throw new CheckpointMovedError(target.schema);
}
