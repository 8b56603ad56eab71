import { type Checkpoint, type EventStore, START } from '@yishi/event-store';
import type { Kysely } from 'kysely';
import type { Database } from '../db.ts';
import type { Projection } from '../projections/projection.ts';
import type { Target } from './apply.ts';
import { catchUp } from './catch-up.ts';
import {
  buildingGeneration,
  dropGeneration,
  dropRetired,
  type Generation,
  indexGeneration,
  startBuilding,
  switchTo,
} from './generations.ts';
import { acquireLease, type Lease, sleep } from './lease.ts';

export interface RebuildOptions {
  batchSize?: number;
  /** Switch queries to the new generations when caught up (default true). */
  switch?: boolean;
  /** How long the old generations stay after the switch, for queries in flight (ms). */
  graceMs?: number;
  signal?: AbortSignal;
  onBatch?: (events: number, checkpoint: Checkpoint) => void;
  /** Called when the events are applied and the query indexes are being built. */
  onIndexing?: () => void;
}

export interface RebuildResult {
  generations: Generation[];
  events: number;
  checkpoint: Checkpoint;
}

const leaseOptions = (signal: AbortSignal) => ({
  retryMs: 200,
  heartbeatMs: 2000,
  leaseMs: 10_000,
  signal,
  onWait: async () => false,
});

/**
 * Builds new generations of the projections from the first event, beside the active ones,
 * reading the events once for all of them; then switches queries to them and drops the old.
 */
export async function rebuild(
  store: EventStore,
  db: Kysely<Database>,
  selected: readonly Projection[],
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const signal = options.signal ?? new AbortController().signal;
  const leases: Lease[] = [];
  const generations: Generation[] = [];
  try {
    for (const projection of selected) {
      const unfinished = await buildingGeneration(db, projection.name);
      if (unfinished) {
        // Someone may be building it: only an abandoned build is replaced.
        const held = await acquireLease(db, unfinished.schema, leaseOptions(signal));
        if (!held) throw new Error(`${projection.name} is being built by another process`);
        await held.release();
        await dropGeneration(db, unfinished);
      }
      const generation = await startBuilding(db, projection, { fresh: true });
      const lease = await acquireLease(db, generation.schema, leaseOptions(signal));
      if (!lease) throw new Error(`could not lease ${generation.schema}`);
      leases.push(lease);
      generations.push(generation);
    }
    const targets: Target[] = generations.map((g, i) => ({
      projection: selected[i]!,
      schema: g.schema,
      checkpoint: START,
    }));
    let events = 0;
    await catchUp(store, db, targets, {
      batchSize: options.batchSize ?? 2000,
      signal,
      leases,
      onBatch: (n, checkpoint) => {
        events += n;
        options.onBatch?.(n, checkpoint);
      },
    });
    if (signal.aborted) throw new Error('rebuild aborted');
    options.onIndexing?.();
    // Side by side: each index build is one statement, and the database has more than one core.
    await Promise.all(generations.map((g, i) => indexGeneration(db, selected[i]!, g.schema)));
    if (options.switch !== false) await switchTo(db, generations);
    return { generations, events, checkpoint: targets[0]?.checkpoint ?? START };
  } finally {
    for (const lease of leases) await lease.release();
    if (options.switch !== false && !signal.aborted) {
      const grace = options.graceMs ?? 5_000;
      await sleep(grace, signal);
      for (const projection of selected) await dropRetired(db, projection.name, grace);
    }
  }
}
