import type { Checkpoint, EventStore, ReadAllResult } from '@yishi/event-store';
import type { Kysely } from 'kysely';
import { readsEvent } from '../projections/projection.ts';
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
 * one transaction (none for a batch it reads nothing of: see `applyRead`), at its own pace up to
 * `window` batches behind the reader: the database works on several projections while the next
 * events are read.
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
  // Per target, the events read since its checkpoint was last written, none of which it reads.
  const unwritten = targets.map(() => 0);
  let reported = 0;
  const waiting = new Set<() => void>();
  const changed = () => new Promise<void>((r) => waiting.add(r));
  const notify = () => {
    for (const wake of waiting) wake();
    waiting.clear();
  };

  const worker = async (target: Target, i: number) => {
    let last: Checkpoint | undefined;
    for (;;) {
      if (failure !== undefined) return;
      const batch = batches[applied[i]!];
      if (!batch) {
        if (readerDone) {
          // The events it skipped last: their checkpoint, with no row.
          if (unwritten[i]! > 0) {
            checkLeases();
            await applyBatch(db, [target], [], last!, unwritten[i]!);
          }
          return;
        }
        await changed();
        continue;
      }
      checkLeases();
      unwritten[i] = await applyRead(db, target, batch, unwritten[i]!);
      last = batch.checkpoint;
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
 * One batch with its checkpoint in one transaction, when the target reads any of its events.
 * When it reads none, nothing is written: its events are counted by the next transaction (or
 * the last of the catch-up), after the `unwritten` ones read before; a crash reads them again,
 * and again they change nothing. Returns how many are left uncounted.
 */
async function applyRead(
  db: Kysely<Database>,
  target: Target,
  batch: ReadAllResult,
  unwritten: number,
): Promise<number> {
  if (!batch.events.some(readsEvent(target.projection))) return unwritten + batch.events.length;
  await applyBatch(db, [target], batch.events, batch.checkpoint, unwritten);
  return 0;
}
