import type { Checkpoint, RecordedEvent } from '@yishi/event-store';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db.ts';
import type { Projection } from '../projections/projection.ts';

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
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Every statement of a batch looks rows up by key: index probes. A rebuild fills tables
    // faster than statistics follow, and stale statistics pick hash joins over whole tables.
    await sql`SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off`.execute(
      trx,
    );
    for (const target of targets) {
      const moved = await trx
        .updateTable('projection_checkpoints')
        .set({
          transaction_id: next.transactionId.toString(),
          global_position: next.globalPosition.toString(),
          events: sql<string>`events + ${events.length}`,
          updated_at: new Date(),
        })
        .where('schema_name', '=', target.schema)
        .where('transaction_id', '=', target.checkpoint.transactionId.toString())
        .where('global_position', '=', target.checkpoint.globalPosition.toString())
        .executeTakeFirst();
      if (moved.numUpdatedRows !== 1n) throw new CheckpointMovedError(target.schema);
      if (events.length > 0) {
        await target.projection.apply(
          { db: trx, rm: trx.withSchema(target.schema), schema: target.schema },
          events,
        );
      }
    }
  });
  for (const target of targets) target.checkpoint = next;
}
