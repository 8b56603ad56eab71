import {
  type Checkpoint,
  checkpointReached,
  type EventStore,
  PostgresEventStore,
  type RecordedEvent,
  START,
} from '@yishi/event-store';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import { UNTIL, untilValues } from '../projections/event-sql.ts';
import { type InDatabaseBuild, type Projection, readsEvent } from '../projections/projection.ts';
import type { Database } from '../tables.ts';
import { batchLockSql, inOwnConnection, KEY_LOOKUPS, kyselyOn } from './apply.ts';
import { copyRows } from './copy.ts';
import { activeGeneration, loadCheckpoint } from './generations.ts';
import { canBuildInDatabase } from './in-database.ts';
import { unreadByAll } from './rebuild.ts';
import { allSettled } from './settle.ts';
import { toCurrentSchema } from './upcast.ts';

// One community's read models rebuilt inside the active generations: its rows are deleted and
// its events applied again, up to where each generation stands, while queries go on reading
// (they see the old rows until the commit, then the new ones) and every other community is
// untouched. What a repaired projection bug or a community's restored history needs, in seconds
// instead of a full rebuild's time per year of history.

export interface CommunityRebuild {
  projection: string;
  schema: string;
  /** Events of the community applied (those the projection reads). */
  events: number;
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
  options: { batchSize?: number } = {},
): Promise<CommunityRebuild[]> {
  if (!(store instanceof PostgresEventStore)) {
    throw new NotPerCommunity('a per-community rebuild reads the PostgreSQL event store');
  }
  const batchSize = options.batchSize ?? 5000;
  const targets: { projection: Projection; schema: string }[] = [];
  for (const projection of selected) {
    const active = await activeGeneration(db, projection.name);
    if (!active) throw new NotPerCommunity(`${projection.name} has no active generation`);
    // The catalog itself: information_schema's views took ~10 ms a projection.
    const { rows } = await sql<{ table: string }>`
      SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = ${active.schema} AND c.relkind IN ('r', 'p')
         AND c.relname IN (${sql.join(projection.tables.map((name) => sql.lit(name)))})
         AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                          WHERE a.attrelid = c.oid AND a.attname = 'community_id'
                            AND NOT a.attisdropped)`.execute(db);
    if (rows.length > 0) {
      throw new NotPerCommunity(
        `${projection.name}: ${rows.map((r) => r.table).join(', ')} has no community_id; rebuild it whole`,
      );
    }
    targets.push({ projection, schema: active.schema });
  }
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
    { projection, schema }: (typeof targets)[number],
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
      for (const table of projection.tables) {
        await sql`DELETE FROM ${sql.table(`${schema}.${table}`)} WHERE community_id = ${communityId}`.execute(
          trx,
        );
      }
      const build = setBased ? projection.inDatabase : undefined;
      let applied: number;
      if (build) {
        applied = await buildCommunityInDatabase(client, schema, build, communityId, checkpoint);
      } else {
        // The projector may have passed the head read before meanwhile: the rest, read now.
        const upTo = checkpointReached(head, checkpoint)
          ? events.filter((e) => checkpointReached(checkpoint, e))
          : [...events, ...(await readCommunity(store, read, head, checkpoint))];
        const current = upTo.filter(readsEvent(projection)).map(toCurrentSchema);
        for (let i = 0; i < current.length; i += batchSize) {
          await projection.apply(
            {
              db: trx,
              rm: trx.withSchema(schema),
              schema,
              insert: (table, rows) => copyRows(client, schema, table, rows),
            },
            current.slice(i, i + batchSize),
          );
        }
        applied = current.length;
      }
      await client.query('COMMIT');
      const ms = performance.now() - started;
      return { projection: projection.name, schema, events: applied, ms, checkpoint };
    });
  // Two lanes, one transaction at a time each: the set-based builds keep the database busy
  // while Node reads and applies the events of the others.
  const inDatabase = targets.filter((t) => !inNode.includes(t));
  const done = new Map<string, CommunityRebuild>();
  await allSettled([
    (async () => {
      for (const target of inDatabase) done.set(target.schema, await rebuildOne(target));
    })(),
    (async () => {
      const head = (await store.visibleEnd()) ?? START;
      const events = inNode.length > 0 ? await readCommunity(store, read, START, head) : [];
      for (const target of inNode) done.set(target.schema, await rebuildOne(target, head, events));
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

/**
 * A projection's set-based build of one community's events up to `until`, in the caller's
 * transaction: one chunk of every position, of the community's streams. The number of events.
 */
async function buildCommunityInDatabase(
  client: pg.PoolClient,
  schema: string,
  build: InDatabaseBuild,
  communityId: string,
  until: Checkpoint,
): Promise<number> {
  await build.prepare?.(client, schema, until, communityId);
  await build.chunk(client, schema, { after: 0n, upTo: MAX_POSITION, until, communityId });
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM es_events e
      WHERE e.community_id = $3::text AND ${UNTIL}
        AND ($4::text[] IS NULL OR e.type = ANY($4::text[]))`,
    [...untilValues(until), communityId, build.types ?? null],
  );
  return rows[0]!.n;
}

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
