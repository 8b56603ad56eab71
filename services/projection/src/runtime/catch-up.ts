import type { Checkpoint, EventStore, ReadAllResult } from '@yishi/event-store';
import type { Kysely } from 'kysely';
import type { Database } from '../db.ts';
import { applyBatch, type Target } from './apply.ts';
import type { Lease } from './lease.ts';

export interface CatchUpOptions {
  batchSize: number;
  signal?: AbortSignal;
  /** Stop (throw) as soon as one of these leases ends. */
  leases?: readonly Lease[];
  onBatch?: (events: number, checkpoint: Checkpoint) => void;
}

export class LeaseEndedError extends Error {
  constructor() {
    super('the lease ended; another instance may take over');
    this.name = 'LeaseEndedError';
  }
}

/**
 * Reads the global order once for all targets (which start at the same checkpoint) until there
 * is nothing more, applying each batch to each of them (its rows and checkpoint in one
 * transaction). The next batch is read while the current one is written.
 */
export async function catchUp(
  store: EventStore,
  db: Kysely<Database>,
  targets: Target[],
  options: CatchUpOptions,
): Promise<void> {
  const first = targets[0];
  if (!first) return;
  for (const t of targets) {
    if (
      t.checkpoint.transactionId !== first.checkpoint.transactionId ||
      t.checkpoint.globalPosition !== first.checkpoint.globalPosition
    ) {
      throw new Error('targets caught up together must start at the same checkpoint');
    }
  }
  let leaseEnded = false;
  for (const lease of options.leases ?? []) {
    void lease.ended.then(() => {
      leaseEnded = true;
    });
  }
  let pending: Promise<ReadAllResult> = store.readAll(first.checkpoint, options.batchSize);
  for (;;) {
    const batch = await pending;
    if (batch.events.length === 0 || options.signal?.aborted) return;
    pending = store.readAll(batch.checkpoint, options.batchSize);
    pending.catch(() => {});
    if (leaseEnded) throw new LeaseEndedError();
    // Each projection in its own transaction, at the same time: the database works on all.
    await Promise.all(targets.map((t) => applyBatch(db, [t], batch.events, batch.checkpoint)));
    options.onBatch?.(batch.events.length, batch.checkpoint);
  }
}
