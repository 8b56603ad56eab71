import {
  type Checkpoint,
  checkpointReached,
  type EventStore,
  type RecordedEvent,
  START,
} from '@yishi/event-store';
import { type Logger, silentLogger } from '@yishi/platform';
import type { Kysely } from 'kysely';
import { type Projection, readsEvent } from '../projections/projection.ts';
import type { Database } from '../tables.ts';
import { applyBatch, type Target } from './apply.ts';
import {
  dropRetired,
  ensureActiveGeneration,
  type Generation,
  generationStatus,
  loadCheckpoint,
  migrateGeneration,
  startBuilding,
  switchTo,
} from './generations.ts';
import { acquireLease, type Lease, sleep } from './lease.ts';
import { buildGenerations } from './rebuild.ts';

export interface ProjectorOptions {
  batchSize?: number;
  /** Fallback poll when no notification arrives (ms). */
  pollIntervalMs?: number;
  logger?: Logger;
  /** How often a standby instance tries to take over (ms). */
  lockRetryMs?: number;
  heartbeatMs?: number;
  leaseMs?: number;
  /** How often the active instance checks that its generation is still the active one (ms). */
  switchCheckMs?: number;
  /**
   * How long batches with nothing for the projection may leave its stored checkpoint behind
   * (ms): the position moves in memory, and is written with the next batch that has rows or
   * after this long (default 1000).
   */
  idleCheckpointMs?: number;
  /** Build a new generation when the code's version is newer than the active one (default on). */
  upgrade?: boolean;
  /** How long a retired generation stays before it is dropped (ms). */
  dropGraceMs?: number;
  onBatch?: (events: number, checkpoint: Checkpoint) => void;
}

export type ProjectorState = 'starting' | 'standby' | 'active' | 'stopped';

/**
 * Runs one projection: takes the lease of its active generation (or waits as a standby),
 * catches up from the checkpoint, then follows live (the store's notification, else a poll).
 * Each batch's rows and checkpoint are written in one transaction. When the code's version is
 * newer than the active generation, a new generation is built beside it and switched in.
 */
export class Projector {
  private checkpoint: Checkpoint = START;
  private generation: Generation | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private upgrading: Promise<void> | undefined;
  private readonly logger: Logger;
  state: ProjectorState = 'starting';

  constructor(
    private readonly store: EventStore,
    private readonly db: Kysely<Database>,
    readonly projection: Projection,
    private readonly options: ProjectorOptions = {},
  ) {
    this.logger = (options.logger ?? silentLogger).child({ projection: projection.name });
  }

  /** The checkpoint of the generation queries read, as far as this instance knows. */
  get position(): Checkpoint {
    return this.checkpoint;
  }

  get schema(): string | undefined {
    return this.generation?.schema;
  }

  /** Prepares the active generation and starts following; does not wait for the lease. */
  async start(): Promise<void> {
    const generation = await ensureActiveGeneration(this.db, this.projection);
    // New migrations apply to the generation in use. (Its query indexes were made when it
    // started serving; making them again here would lock its tables against a running instance.)
    if (generation.version <= this.projection.version) {
      await migrateGeneration(this.db, this.projection, generation.schema);
    }
    await this.use(generation);
    this.running = this.run();
  }

  private async use(generation: Generation): Promise<void> {
    if (this.generation?.schema !== generation.schema) {
      this.generation = generation;
      this.checkpoint = await loadCheckpoint(this.db, generation.schema);
      this.wake();
    }
  }

  private get signal(): AbortSignal {
    return this.abort.signal;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.signal.aborted) {
      try {
        const generation = await ensureActiveGeneration(this.db, this.projection);
        await this.use(generation);
        if (generation.version !== this.projection.version) {
          // Built by other code: this instance writes only into generations of its own version.
          // An older one keeps serving queries (as it stood) while the new one is built.
          if (generation.version < this.projection.version && this.options.upgrade !== false) {
            this.upgrade();
          }
          this.state = 'standby';
          await sleep(this.options.switchCheckMs ?? 1000, this.signal);
          continue;
        }
        const lease = await acquireLease(this.db, generation.schema, {
          retryMs: this.options.lockRetryMs ?? 1000,
          heartbeatMs: this.options.heartbeatMs ?? 2000,
          leaseMs: this.options.leaseMs ?? 5000,
          signal: this.signal,
          onWait: async () => {
            this.state = 'standby';
            await this.refresh();
            return (await generationStatus(this.db, generation.schema)) === 'active';
          },
        });
        if (!lease) continue;
        try {
          await this.follow(generation, lease);
        } finally {
          await lease.release();
        }
        backoff = 100;
      } catch (error) {
        if (this.signal.aborted) break;
        this.state = 'standby';
        this.logger.error({ err: error }, 'projector failed; retrying');
        await sleep(backoff, this.signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    this.state = 'stopped';
  }

  /** Follows the generation until it retires, the lease ends, or the projector stops. */
  private async follow(generation: Generation, lease: Lease): Promise<void> {
    this.checkpoint = await loadCheckpoint(this.db, generation.schema);
    const target: Target = {
      projection: this.projection,
      schema: generation.schema,
      checkpoint: this.checkpoint,
    };
    let leaseEnded = false;
    void lease.ended.then(() => {
      leaseEnded = true;
    });
    this.state = 'active';
    this.logger.info({ schema: generation.schema }, 'projector active');
    // Batches with nothing for this projection only move the position in memory; the checkpoint
    // follows with the next batch that writes, or within `idleCheckpointMs`. After a crash those
    // events are read again and again change nothing.
    let skipped = 0;
    let persisted = performance.now();
    const idleMs = this.options.idleCheckpointMs ?? 1000;
    const reads = readsEvent(this.projection);
    // One write at a time: the subscription's batches and the timer's checkpoint.
    let writes: Promise<void> = Promise.resolve();
    const serially = (write: () => Promise<void>) => {
      writes = writes.then(write);
      return writes;
    };
    const persist = async (events: readonly RecordedEvent[], checkpoint: Checkpoint) => {
      // Without waiting for the disk: the lag of every read model would include an fsync, and
      // what a database crash loses is applied again from the event store.
      await applyBatch(this.db, [target], events, checkpoint, skipped, true);
      skipped = 0;
      persisted = performance.now();
    };
    let failed: (error: unknown) => void = () => {};
    const timerFailure = new Promise<never>((_, reject) => {
      failed = reject;
    });
    timerFailure.catch(() => {});
    const timer = setInterval(() => {
      if (skipped === 0 || performance.now() - persisted < idleMs) return;
      serially(async () => {
        if (skipped > 0) await persist([], this.checkpoint);
      }).catch(failed);
    }, idleMs);
    const subscription = this.store.subscribe(
      this.checkpoint,
      (events, checkpoint) =>
        serially(async () => {
          if (leaseEnded) throw new Error('lease ended');
          const idle = !events.some(reads);
          if (idle && performance.now() - persisted < idleMs) skipped += events.length;
          else if (idle) {
            skipped += events.length;
            await persist([], checkpoint);
          } else await persist(events, checkpoint);
          this.checkpoint = checkpoint;
          this.wake();
          this.options.onBatch?.(events.length, checkpoint);
        }),
      {
        batchSize: this.options.batchSize ?? 1000,
        pollIntervalMs: this.options.pollIntervalMs ?? 1000,
      },
    );
    const retired = this.watchRetired(generation);
    // Stopped already (between the start of this method and here), the abort has fired.
    const stopped = new Promise<void>((r) => {
      if (this.signal.aborted) r();
      else this.signal.addEventListener('abort', () => r(), { once: true });
    });
    try {
      await Promise.race([subscription.done, lease.ended, retired.promise, stopped, timerFailure]);
    } finally {
      clearInterval(timer);
      retired.cancel();
      await subscription.stop();
      if (!this.signal.aborted) this.state = 'standby';
    }
  }

  private watchRetired(generation: Generation): { promise: Promise<void>; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const promise = new Promise<void>((resolve) => {
      const check = async () => {
        if (cancelled) return;
        const status = await generationStatus(this.db, generation.schema).catch(() => 'active');
        if (status !== 'active') return resolve();
        timer = setTimeout(check, this.options.switchCheckMs ?? 1000);
      };
      timer = setTimeout(check, this.options.switchCheckMs ?? 1000);
    });
    return {
      promise,
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
      },
    };
  }

  /** Builds the code's version beside the active generation and switches when caught up. */
  private upgrade(): void {
    if (this.upgrading) return;
    this.upgrading = this.build()
      .catch((error: unknown) => {
        if (!this.signal.aborted)
          this.logger.error({ err: error }, 'building a new version failed');
      })
      .finally(() => {
        this.upgrading = undefined;
      });
  }

  private async build(): Promise<void> {
    const generation = await startBuilding(this.db, this.projection);
    const lease = await acquireLease(this.db, generation.schema, {
      retryMs: this.options.lockRetryMs ?? 1000,
      heartbeatMs: this.options.heartbeatMs ?? 2000,
      leaseMs: this.options.leaseMs ?? 5000,
      signal: this.signal,
      onWait: async () => (await generationStatus(this.db, generation.schema)) === 'building',
    });
    if (!lease) return;
    try {
      this.logger.info({ schema: generation.schema }, 'building a new version');
      const checkpoint = await loadCheckpoint(this.db, generation.schema);
      const built = await buildGenerations(
        this.store,
        this.db,
        [{ projection: this.projection, schema: generation.schema, checkpoint }],
        {
          batchSize: this.options.batchSize ?? 1000,
          signal: this.signal,
          leases: [lease],
        },
      );
      if (built.length > 0)
        this.logger.info({ schema: generation.schema }, 'built in the database');
      if (this.signal.aborted) return;
      await switchTo(this.db, [generation]);
      this.logger.info({ schema: generation.schema }, 'switched to the new version');
    } finally {
      await lease.release();
    }
    const grace = this.options.dropGraceMs ?? 10_000;
    await sleep(grace, this.signal);
    if (!this.signal.aborted) await dropRetired(this.db, this.projection.name, grace);
  }

  /** Another instance may be active: read the checkpoint it wrote. */
  private async refresh(): Promise<void> {
    if (!this.generation) return;
    this.checkpoint = await loadCheckpoint(this.db, this.generation.schema);
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters) wake();
  }

  /** Resolves true once the read model has passed `target`, false after `timeoutMs`. */
  waitFor(target: Checkpoint, timeoutMs: number): Promise<boolean> {
    if (checkpointReached(this.checkpoint, target)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (checkpointReached(this.checkpoint, target)) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      // A standby instance learns of progress from the database.
      const poll = setInterval(() => {
        if (this.state !== 'active') void this.refresh().catch(() => {});
      }, 50);
      const finish = (value: boolean) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(check);
        resolve(value);
      };
      this.waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.upgrading;
    this.state = 'stopped';
    this.wake();
  }
}
