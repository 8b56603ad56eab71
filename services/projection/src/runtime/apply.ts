import type { Checkpoint, RecordedEvent } from '@yishi/event-store';
import { Kysely, PostgresDialect, type PostgresPool, sql } from 'kysely';
import type pg from 'pg';
import { callbackQueries, poolOf } from '../db.ts';
import { type Projection, readsEvent } from '../projections/projection.ts';
import type { Database } from '../tables.ts';
import { copyRows } from './copy.ts';
import { LOCK_NAMESPACE, lockKey } from './generations.ts';
import { toCurrentSchema } from './upcast.ts';

/** A projection writing into one generation, at a known checkpoint. */
export interface Target {
  projection: Projection;
  schema: string;
  checkpoint: Checkpoint;
}

/** Another instance moved the checkpoint: this one is not (or no longer) the owner. */
export class CheckpointMovedError extends Error {
  constructor(readonly schema: string) {
    super(`checkpoint of ${schema} moved under this projector; another instance owns it`);
    this.name = 'CheckpointMovedError';
  }
}

/**
 * Applies one batch to each target and moves their checkpoints, all in one transaction. The
 * checkpoint moves only from the value this projector last wrote (compare-and-set), so a batch
 * is applied exactly once even if two instances ever ran at the same time.
 */
export async function applyBatch(
  db: Kysely<Database>,
  targets: readonly Target[],
  events: readonly RecordedEvent[],
  next: Checkpoint,
  /** Events read before this batch that concern none of the targets (no rows to write). */
  skipped = 0,
  /**
   * Commit without waiting for the disk: a crash of the database may lose the last batches,
   * rows and checkpoint together, and they are simply applied again from the event store (the
   * durable record). Read models stay consistent; only how far they had got can step back.
   */
  lazyCommit = true,
): Promise<void> {
  // The batch's own connection and transaction, so that rows can be copied in (COPY) and
  // written with typed queries in the same transaction.
  await inOwnConnection(db, async (client) => {
    // Every statement of a batch looks rows up by key (KEY_LOOKUPS). (One round trip with
    // BEGIN: a live batch is often a handful of events.)
    // The generations' batch locks, shared: a per-community rebuild (community.ts) holds one
    // alone while it replaces a community's rows. Taken first, before any row is touched, so the
    // two can wait for each other but never deadlock.
    await client.query(
      `BEGIN; ${KEY_LOOKUPS}${lazyCommit ? '; SET LOCAL synchronous_commit = off' : ''}; ${batchLockSql(
        targets.map((t) => t.schema),
        true,
      )}`,
    );
    const trx = kyselyOn(client);
    for (const target of targets) {
      // Only the events the projection reads (its streams and types), in current schema.
      const current = events.filter(readsEvent(target.projection)).map(toCurrentSchema);
      if (current.length > 0) {
        await target.projection.apply(
          {
            db: trx,
            rm: trx.withSchema(target.schema),
            schema: target.schema,
            insert: (table, rows) => copyRows(client, target.schema, table, rows),
          },
          current,
        );
      }
      // Last: a transaction gets its id at its first write, and readers of the event store wait
      // for every older transaction id, so writes are kept to the end of the batch.
      const moved = await trx
        .updateTable('projection_checkpoints')
        .set({
          transaction_id: next.transactionId.toString(),
          global_position: next.globalPosition.toString(),
          events: sql<string>`events + ${events.length + skipped}`,
          updated_at: new Date(),
        })
        .where('schema_name', '=', target.schema)
        .where('transaction_id', '=', target.checkpoint.transactionId.toString())
        .where('global_position', '=', target.checkpoint.globalPosition.toString())
        .executeTakeFirst();
      if (moved.numUpdatedRows !== 1n) throw new CheckpointMovedError(target.schema);
    }
    await client.query('COMMIT');
  });
  for (const target of targets) target.checkpoint = next;
}

/**
 * A batch's plans: index probes by key (set in its transaction). A rebuild fills tables faster
 * than statistics follow, and stale statistics pick hash joins over whole tables.
 */
export const KEY_LOOKUPS =
  'SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off';

/**
 * The statement taking the batch locks of generations (transaction advisory locks, in one
 * order): shared by batches, alone by a per-community rebuild. Taking a lock writes nothing,
 * so it holds back no reader of the event store.
 */
export function batchLockSql(schemas: readonly string[], shared: boolean): string {
  const keys = [...new Set(schemas.map(lockKey))].sort((a, b) => a - b);
  const fn = shared ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  return `SELECT ${keys.map((k) => `${fn}(${LOCK_NAMESPACE + 2}, ${k})`).join(', ') || '1'}`;
}

/**
 * Runs `work` on a connection of its own. After a failure the open transaction is rolled back
 * and the connection is not reused: it may be broken or mid-COPY.
 */
export async function inOwnConnection<T>(
  db: Kysely<Database>,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await poolOf(db).connect();
  let failure: Error | undefined;
  try {
    return await work(client);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release(failure);
  }
}

/** Typed queries on one client (the batch's transaction). */
export function kyselyOn(client: pg.PoolClient): Kysely<Database> {
  const connection = callbackQueries(client, () => {});
  const pool: PostgresPool = { connect: async () => connection, end: async () => {} };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
