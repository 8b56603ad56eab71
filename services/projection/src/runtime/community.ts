import {
  type Checkpoint,
  checkpointReached,
  type EventStore,
  PostgresEventStore,
  type RecordedEvent,
  START,
} from '@yishi/event-store';
import type { Kysely } from 'kysely';
import { poolOf } from '../db.ts';
import { type Projection, readsEvent } from '../projections/projection.ts';
import type { Database } from '../tables.ts';
import { batchLockSql, inOwnConnection, KEY_LOOKUPS, kyselyOn } from './apply.ts';
import { copyRows } from './copy.ts';
import { activeGeneration, loadCheckpoint } from './generations.ts';
import { canBuildInDatabase } from './in-database.ts';
import { unreadByAll } from './rebuild.ts';
import { allSettled, inLanes } from './settle.ts';
import {
  COMPARING,
  deleteCommunity,
  STAGING,
  stageTables,
  tableShapes,
  writeDifference,
} from './staged-rows.ts';
import { toCurrentSchema } from './upcast.ts';

// One community's read models rebuilt inside the active generations: its events applied again,
// up to where each generation stands, into staging copies of the tables, and the live rows made
// the same by writing only what differs (staged-rows.ts), while queries go on reading (they see
// the old rows until the commit, then the new ones) and every other community is untouched.
// What a repaired projection bug or a community's restored history needs, in seconds instead of
// a full rebuild's time per year of history.

export interface CommunityRebuild {
  projection: string;
  schema: string;
  /** Events of the community applied (those the projection reads). */
  events: number;
  /** Rows of the live tables written (deleted and inserted): none when they were right. */
  written: number;
  /** Time its transaction took, lock wait included (ms). */
  ms: number;
  checkpoint: Checkpoint;
}

/** Why a projection cannot be rebuilt one community at a time. */
export class NotPerCommunity extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotPerCommunity';
  }
}

/**
 * Rebuilds `communityId`'s rows of each projection in its active generation, one transaction
 * per projection. Each holds that generation's batch lock alone (`batchLockSql`): its live
 * projector's next batch waits for the commit, and no batch is half applied meanwhile. Every
 * table of the projection must have a `community_id` column (checked first, for all of them).
 */
export async function rebuildCommunity(
  store: EventStore,
  db: Kysely<Database>,
  selected: readonly Projection[],
  communityId: string,
  /** `batchSize`: events a read of the store returns at most. */
  options: { batchSize?: number } = {},
): Promise<CommunityRebuild[]> {
  if (!(store instanceof PostgresEventStore)) {
    throw new NotPerCommunity('a per-community rebuild reads the PostgreSQL event store');
  }
  const batchSize = options.batchSize ?? 5000;
  const pool = poolOf(db);
  // Side by side: two round trips a projection, a dozen projections.
  const targets = await allSettled(
    selected.map(async (projection) => {
      const active = await activeGeneration(db, projection.name);
      if (!active) throw new NotPerCommunity(`${projection.name} has no active generation`);
      const shapes = await tableShapes(pool, active.schema, projection.tables);
      const without = shapes.filter((s) => !s.columns.some((c) => c.name === 'community_id'));
      if (without.length > 0) {
        throw new NotPerCommunity(
          `${projection.name}: ${without.map((s) => s.table).join(', ')} has no community_id; rebuild it whole`,
        );
      }
      return { projection, schema: active.schema, shapes };
    }),
  );
  // Projections with a set-based build make the community's rows in the database (the events
  // never reach Node); the others apply its events, read once for all of them (the types they
  // read, without the members none of them reads).
  const setBased = await canBuildInDatabase(
    store,
    db,
    targets.flatMap((t) => (t.projection.inDatabase ? [t.projection] : [])),
  );
  const inNode = targets.filter((t) => !(setBased && t.projection.inDatabase));
  const types = inNode.every((t) => t.projection.eventTypes)
    ? [...new Set(inNode.flatMap((t) => t.projection.eventTypes ?? []))]
    : undefined;
  const read: CommunityRead = {
    communityId,
    batchSize,
    types,
    omit: types ? unreadByAll(inNode.map((t) => t.projection)) : undefined,
  };
  const rebuildOne = (
    { projection, schema, shapes }: (typeof targets)[number],
    head = START,
    events: readonly RecordedEvent[] = [],
  ) =>
    inOwnConnection(db, async (client): Promise<CommunityRebuild> => {
      const started = performance.now();
      await client.query(`BEGIN; ${KEY_LOOKUPS}; ${batchLockSql([schema], false)}`);
      // Read under the lock: no batch of this generation is in flight, so its checkpoint and
      // rows agree, and the live projector goes on from here after the commit.
      const trx = kyselyOn(client);
      const checkpoint = await loadCheckpoint(trx, schema);
      const build = setBased ? projection.inDatabase : undefined;
      // The projector may have passed the head read before meanwhile: the rest, read now.
      const current = build
        ? undefined
        : (checkpointReached(head, checkpoint)
            ? events.filter((e) => checkpointReached(checkpoint, e))
            : [...events, ...(await readCommunity(store, read, head, checkpoint))]
          )
            .filter(readsEvent(projection))
            .map(toCurrentSchema);
      // The community's rows made again in staging copies (as in an empty generation), then
      // compared with the live ones. Without an event to apply there are none to make.
      const staged = current === undefined || current.length > 0;
      if (staged) await stageTables(client, schema, shapes);
      let applied = 0;
      if (build) {
        await build.prepare?.(client, STAGING, checkpoint, communityId);
        applied = await build.chunk(client, STAGING, {
          after: 0n,
          upTo: MAX_POSITION,
          until: checkpoint,
          communityId,
        });
      } else if (current && current.length > 0) {
        // One batch over empty tables: every row is made in memory and copied in once.
        await projection.apply(
          {
            db: trx,
            rm: trx.withSchema(STAGING),
            schema: STAGING,
            insert: (table, rows) => copyRows(client, STAGING, table, rows),
            empty: true,
          },
          current,
        );
        applied = current.length;
      }
      await client.query(COMPARING);
      let written = 0;
      for (const shape of shapes) {
        written += staged
          ? await writeDifference(client, schema, shape, communityId)
          : await deleteCommunity(client, schema, shape, communityId);
      }
      await client.query('COMMIT');
      const ms = performance.now() - started;
      return { projection: projection.name, schema, events: applied, written, ms, checkpoint };
    });
  // The set-based builds keep the database busy in one lane while the others are applied in
  // NODE_LANES more: one lane's rows are copied and compared in the database while Node applies
  // the events of another. One transaction at a time in each.
  const inDatabase = targets.filter((t) => !inNode.includes(t));
  const done = new Map<string, CommunityRebuild>();
  await allSettled([
    (async () => {
      for (const target of inDatabase) done.set(target.schema, await rebuildOne(target));
    })(),
    (async () => {
      const head = (await store.visibleEnd()) ?? START;
      const events = inNode.length > 0 ? await readCommunity(store, read, START, head) : [];
      await inLanes(inNode, NODE_LANES, async (next) => {
        for (let target = next(); target; target = next())
          done.set(target.schema, await rebuildOne(target, head, events));
      });
    })(),
  ]);
  return targets.map((t) => done.get(t.schema)!);
}

/** What a per-community rebuild reads of the event store for the projections it applies. */
interface CommunityRead {
  communityId: string;
  batchSize: number;
  types: readonly string[] | undefined;
  omit: Readonly<Record<string, readonly string[]>> | undefined;
}

/** Lanes applying projections' events in Node (see `rebuildCommunity`). */
const NODE_LANES = 2;

/** The largest global position (a bigint). */
const MAX_POSITION = 2n ** 63n - 1n;

/** Every event of the community after `from` up to `until` that `read` asks for, in order. */
async function readCommunity(
  store: PostgresEventStore,
  read: CommunityRead,
  from: Checkpoint,
  until: Checkpoint,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let at = from; ; ) {
    const batch = await store.readCommunity(
      read.communityId,
      at,
      until,
      read.batchSize,
      read.types,
      read.omit,
    );
    events.push(...batch.events);
    if (batch.events.length < read.batchSize) return events;
    at = batch.checkpoint;
  }
}
