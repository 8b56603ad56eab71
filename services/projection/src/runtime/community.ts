import {
  type Checkpoint,
  checkpointReached,
  type EventStore,
  PostgresEventStore,
  type RecordedEvent,
  START,
} from '@yishi/event-store';
import { type Kysely, sql } from 'kysely';
import { type Projection, readsEvent } from '../projections/projection.ts';
import type { Database } from '../tables.ts';
import { batchLockSql, inOwnConnection, KEY_LOOKUPS, kyselyOn } from './apply.ts';
import { copyRows } from './copy.ts';
import { activeGeneration, loadCheckpoint } from './generations.ts';
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
    const { rows } = await sql<{ table: string }>`
      SELECT t.table_name AS table FROM information_schema.tables t
       WHERE t.table_schema = ${active.schema}
         AND t.table_name IN (${sql.join(projection.tables.map((name) => sql.lit(name)))})
         AND NOT EXISTS (SELECT 1 FROM information_schema.columns c
                          WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                            AND c.column_name = 'community_id')`.execute(db);
    if (rows.length > 0) {
      throw new NotPerCommunity(
        `${projection.name}: ${rows.map((r) => r.table).join(', ')} has no community_id; rebuild it whole`,
      );
    }
    targets.push({ projection, schema: active.schema });
  }
  // The community's events, read once for every projection, before any transaction: reading
  // them writes nothing, and a transaction that writes holds back every reader of the event
  // store for as long as it runs.
  const head = (await store.head())?.checkpoint ?? START;
  const events = await readCommunity(store, communityId, START, head, batchSize);
  const done: CommunityRebuild[] = [];
  for (const { projection, schema } of targets) {
    done.push(
      await inOwnConnection(db, async (client) => {
        const started = performance.now();
        await client.query(`BEGIN; ${KEY_LOOKUPS}; ${batchLockSql([schema], false)}`);
        // Read under the lock: no batch of this generation is in flight, so its checkpoint and
        // rows agree, and the live projector goes on from here after the commit.
        const trx = kyselyOn(client);
        const checkpoint = await loadCheckpoint(trx, schema);
        // The projector may have passed the head read above meanwhile: the rest, read now.
        const upTo = checkpointReached(head, checkpoint)
          ? events.filter((e) => checkpointReached(checkpoint, e))
          : [...events, ...(await readCommunity(store, communityId, head, checkpoint, batchSize))];
        for (const table of projection.tables) {
          await sql`DELETE FROM ${sql.table(`${schema}.${table}`)} WHERE community_id = ${communityId}`.execute(
            trx,
          );
        }
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
        await client.query('COMMIT');
        const ms = performance.now() - started;
        return { projection: projection.name, schema, events: current.length, ms, checkpoint };
      }),
    );
  }
  return done;
}

/** Every event of the community after `from` up to `until`, in the global order. */
async function readCommunity(
  store: PostgresEventStore,
  communityId: string,
  from: Checkpoint,
  until: Checkpoint,
  batchSize: number,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let at = from; ; ) {
    const batch = await store.readCommunity(communityId, at, until, batchSize);
    events.push(...batch.events);
    if (batch.events.length < batchSize) return events;
    at = batch.checkpoint;
  }
}
