import {
  type Checkpoint,
  checkpointOf,
  type EventStore,
  type ReadAllResult,
} from '@yishi/event-store';
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';
import { applyBatch, type Target } from './apply.ts';
import type { Lease } from './lease.ts';

export interface CatchUpOptions {
  batchSize: number;
  signal?: AbortSignal;
  /** Stop (throw) as soon as one of these leases ends. */
  leases?: readonly Lease[];
  /** Events applied by every target so far (the slowest one's progress). */
  onBatch?: (events: number, checkpoint: Checkpoint) => void;
  /** Batches a projection may lag behind the reader (default 2). */
  window?: number;
  /** Reads the batch after a checkpoint (default: the store's `readAll`). */
  read?: (from: Checkpoint) => Promise<ReadAllResult>;
  /**
   * The most events one transaction applies (default: a whole batch): a rebuild applies each
   * batch it reads in several shorter ones. (Its transactions append no event: they no longer
   * hold back the event store's readers, whose horizon passes them.)
   */
  eventsPerTransaction?: number;
}

export class LeaseEndedError extends Error {
  constructor() {
    super('the lease ended; another instance may take over');
    this.name = 'LeaseEndedError';
  }
}

/** A check that throws `LeaseEndedError` once any of these leases has ended. */
export function leaseCheck(leases: readonly Lease[] = []): () => void {
  let ended = false;
  for (const lease of leases) {
    void lease.ended.then(() => {
      ended = true;
    });
  }
  return () => {
    if (ended) throw new LeaseEndedError();
  };
}

/**
 * Reads the global order once for all targets (which start at the same checkpoint) until there
 * is nothing more. Each target applies the batches in order, each batch with its checkpoint in
 * one transaction, at its own pace up to `window` batches behind the reader: the database works
 * on several projections while the next events are read.
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
  const checkLeases = leaseCheck(options.leases);
  const window = options.window ?? 2;
  const read = options.read ?? ((from: Checkpoint) => store.readAll(from, options.batchSize));
  const batches: ReadAllResult[] = [];
  let readerDone = false;
  let failure: unknown;
  const applied = targets.map(() => 0);
  let reported = 0;
  const waiting = new Set<() => void>();
  const changed = () => new Promise<void>((r) => waiting.add(r));
  const notify = () => {
    for (const wake of waiting) wake();
    waiting.clear();
  };

  const worker = async (target: Target, i: number) => {
    for (;;) {
      if (failure !== undefined) return;
      const batch = batches[applied[i]!];
      if (!batch) {
        if (readerDone) return;
        await changed();
        continue;
      }
      checkLeases();
      await applyInParts(db, target, batch, options.eventsPerTransaction);
      applied[i]! += 1;
      const slowest = Math.min(...applied);
      while (reported < slowest) {
        const done = batches[reported]!;
        options.onBatch?.(done.events.length, done.checkpoint);
        // Every target has it: the batch can go.
        (batches as (ReadAllResult | undefined)[])[reported] = undefined;
        reported += 1;
      }
      notify();
    }
  };

  const reader = async () => {
    let from = first.checkpoint;
    for (;;) {
      if (failure !== undefined || options.signal?.aborted) break;
      if (batches.length - Math.min(...applied) >= window) {
        await changed();
        continue;
      }
      const batch = await read(from);
      if (batch.events.length === 0) break;
      batches.push(batch);
      from = batch.checkpoint;
      notify();
    }
    readerDone = true;
    notify();
  };

  const guard = (task: Promise<void>) =>
    task.catch((error: unknown) => {
      failure ??= error;
      notify();
    });
  await Promise.all([guard(reader()), ...targets.map((t, i) => guard(worker(t, i)))]);
  if (failure !== undefined) throw failure;
}

/**
 * One batch in transactions of at most `size` events, each moving the checkpoint to its last
 * event (the last one to the batch's checkpoint): a crash resumes after the last part applied.
 */
async function applyInParts(
  db: Kysely<Database>,
  target: Target,
  batch: ReadAllResult,
  size = batch.events.length,
): Promise<void> {
  const { events } = batch;
  for (let start = 0; start < events.length; start += size) {
    const part = events.slice(start, start + size);
    const last = start + size >= events.length;
    await applyBatch(db, [target], part, last ? batch.checkpoint : checkpointOf(part.at(-1)!));
  }
}
