import {
  type Checkpoint,
  checkpointReached,
  type EventStore,
  START,
  type Subscription,
} from '@yishi/event-store';
import { type Logger, silentLogger } from '@yishi/platform';
import type { Kysely } from 'kysely';
import type { Database } from './db.ts';
import type { Projection } from './projections/projection.ts';

export interface ProjectorOptions {
  batchSize?: number;
  pollIntervalMs?: number;
  logger?: Logger;
}

/**
 * Runs one projection: catch up from its checkpoint, then follow live. Each batch's rows
 * and the checkpoint are written in one transaction, so a crash never applies an event twice.
 */
export class Projector {
  private checkpoint: Checkpoint = START;
  private subscription: Subscription | undefined;
  private readonly waiters = new Set<() => void>();
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly store: EventStore,
    private readonly db: Kysely<Database>,
    readonly projection: Projection,
    private readonly options: ProjectorOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  get position(): Checkpoint {
    return this.checkpoint;
  }

  async start(): Promise<void> {
    this.checkpoint = await this.loadCheckpoint();
    this.running = this.runLoop();
  }

  private async runLoop(): Promise<void> {
    let backoff = 100;
    while (!this.stopped) {
      this.subscription = this.store.subscribe(
        this.checkpoint,
        (events, checkpoint) => this.applyBatch(events, checkpoint),
        {
          batchSize: this.options.batchSize ?? 1000,
          pollIntervalMs: this.options.pollIntervalMs ?? 1000,
        },
      );
      try {
        await this.subscription.done;
        backoff = 100;
      } catch (error) {
        if (this.stopped) break;
        this.logger.error(
          { err: error, projection: this.projection.name },
          'projector failed; retrying',
        );
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 10_000);
        this.checkpoint = await this.loadCheckpoint().catch(() => this.checkpoint);
      }
    }
  }

  private async applyBatch(
    events: Parameters<Projection['apply']>[1],
    checkpoint: Checkpoint,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (events.length > 0) await this.projection.apply(trx, events);
      await trx
        .insertInto('projection_checkpoints')
        .values({
          projection: this.projection.name,
          transaction_id: checkpoint.transactionId.toString(),
          global_position: checkpoint.globalPosition.toString(),
        })
        .onConflict((oc) =>
          oc.column('projection').doUpdateSet({
            transaction_id: checkpoint.transactionId.toString(),
            global_position: checkpoint.globalPosition.toString(),
            updated_at: new Date(),
          }),
        )
        .execute();
    });
    this.checkpoint = checkpoint;
    for (const wake of this.waiters) wake();
  }

  private async loadCheckpoint(): Promise<Checkpoint> {
    const row = await this.db
      .selectFrom('projection_checkpoints')
      .select(['transaction_id', 'global_position'])
      .where('projection', '=', this.projection.name)
      .executeTakeFirst();
    return row
      ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) }
      : START;
  }

  /** Resolves true once the projection has passed `target`, false after `timeoutMs`. */
  waitFor(target: Checkpoint, timeoutMs: number): Promise<boolean> {
    if (checkpointReached(this.checkpoint, target)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (checkpointReached(this.checkpoint, target)) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      this.waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.subscription?.stop();
    await this.running;
    for (const wake of this.waiters) wake();
  }
}
