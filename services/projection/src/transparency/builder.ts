import type { Checkpoint, EventStore } from '@yishi/event-store';
import { type Logger, silentLogger } from '@yishi/platform';
import { type SignedCheckpoint, type SigningKey, signCheckpoint } from '@yishi/transparency';
import type { Kysely } from 'kysely';
import { queueCheckpointDeliveries } from '../notifications/checkpoint-deliveries.ts';
import { acquireLease, type Lease, sleep } from '../runtime/lease.ts';
import type { Database } from '../tables.ts';
import { CheckpointLog, storedCheckpoint } from './checkpoints.ts';
import { appendEvents, MerkleTree } from './tree.ts';

// 透明日志: one builder follows the store's global order like a projector (one active instance:
// the lease), appends each batch's events to the Merkle tree, and signs a checkpoint of the
// tree within `intervalMs` after new leaves arrive. Signing reads the committed tree only, so
// a crash between appending and signing loses nothing: the next builder signs what is there.

export interface TreeBuilderOptions {
  /** The log's signing key. */
  key: SigningKey;
  /** The log's name in its checkpoints (`CHECKPOINT_ORIGIN`). */
  origin: string;
  /** New leaves are in a signed checkpoint within this long (ms, default 10,000). */
  intervalMs?: number;
  batchSize?: number;
  pollIntervalMs?: number;
  /**
   * After a batch shorter than `batchSize` (the builder is live), wait this long before reading
   * the next (ms, default 200): under a stream of single appends the tree then writes a batch of
   * many events a few times a second, not a transaction per append, and its lag stays far below
   * the checkpoint interval. A reader waiting for a checkpoint (`signSoon`) cuts it short.
   */
  paceMs?: number;
  lockRetryMs?: number;
  heartbeatMs?: number;
  leaseMs?: number;
  logger?: Logger;
  clock?: () => Date;
  /** After each checkpoint (and its webhook deliveries) is stored. */
  onSigned?: (checkpoint: SignedCheckpoint) => void;
}

/** Checkpoints asked for by readers (`signSoon`) come at most this often. */
const SOON_MS = 1000;

/** The lease's name: one builder writes the tree. */
export const TREE_LEASE = 'transparency-log';

export class TreeBuilder {
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private readonly clock: () => Date;
  private readonly intervalMs: number;
  private running: Promise<void> | undefined;
  /** The committed tree this instance wrote last (while active). */
  private committed: { size: number; root: Buffer; position: Checkpoint } | undefined;
  private signed = { size: 0, atMs: Number.NEGATIVE_INFINITY };
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private signing: Promise<void> = Promise.resolve();
  private soon = false;
  private paced: (() => void) | undefined;
  state: 'starting' | 'standby' | 'active' | 'stopped' = 'starting';

  constructor(
    private readonly store: EventStore,
    private readonly db: Kysely<Database>,
    private readonly options: TreeBuilderOptions,
  ) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'transparency' });
    this.clock = options.clock ?? (() => new Date());
    this.intervalMs = options.intervalMs ?? 10_000;
  }

  /** Records the signing key and starts following; does not wait for the lease. */
  async start(): Promise<void> {
    await new CheckpointLog(this.db).recordKey(this.options.key.publicKey, this.options.origin);
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    this.state = 'stopped';
  }

  /** A reader waits for a checkpoint (a dossier): sign as soon as allowed, not at the interval. */
  signSoon(): void {
    this.soon = true;
    this.paced?.();
    this.schedule();
  }

  /** The pause after a live batch; `signSoon` or `stop` end it early. */
  private pace(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.abort.signal.removeEventListener('abort', done);
        this.paced = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.paceMs ?? 200);
      this.abort.signal.addEventListener('abort', done, { once: true });
      this.paced = done;
    });
  }

  private async run(): Promise<void> {
    let backoff = 100;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const lease = await acquireLease(this.db, TREE_LEASE, {
          retryMs: this.options.lockRetryMs ?? 1000,
          heartbeatMs: this.options.heartbeatMs ?? 2000,
          leaseMs: this.options.leaseMs ?? 5000,
          signal,
          onWait: async () => {
            this.state = 'standby';
            return true;
          },
        });
        if (!lease) continue;
        try {
          await this.follow(lease);
        } finally {
          await lease.release();
        }
        backoff = 100;
      } catch (error) {
        if (signal.aborted) break;
        this.state = 'standby';
        this.logger.error({ err: error }, 'tree builder failed; retrying');
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
    this.state = 'stopped';
  }

  /** Appends batches until the lease ends or the builder stops; signs as it goes. */
  private async follow(lease: Lease): Promise<void> {
    const tree = new MerkleTree(this.db);
    const state = await tree.state();
    const latest = await new CheckpointLog(this.db).latest();
    this.signed = {
      size: latest?.treeSize ?? 0,
      atMs: latest ? latest.signedAt.getTime() : Number.NEGATIVE_INFINITY,
    };
    this.committed = { size: state.size, root: state.root, position: state.position };
    let leaseEnded = false;
    void lease.ended.then(() => {
      leaseEnded = true;
    });
    this.state = 'active';
    this.logger.info({ size: state.size }, 'tree builder active');
    // Leaves appended before a crash that no checkpoint covers yet.
    this.schedule();
    const { frontier } = state;
    const batchSize = this.options.batchSize ?? 1000;
    // Headers only: a leaf needs none of the events' data or metadata (leaf.ts).
    const subscription = this.store.subscribeHeaders(
      state.position,
      async (events, checkpoint) => {
        if (leaseEnded) throw new Error('lease ended');
        const batch = appendEvents(frontier, events, checkpoint);
        await tree.write(batch);
        this.committed = { size: batch.size, root: batch.root, position: checkpoint };
        this.schedule();
        if (events.length < batchSize && !this.soon) await this.pace();
      },
      { batchSize, pollIntervalMs: this.options.pollIntervalMs ?? 1000 },
    );
    const stopped = new Promise<void>((resolve) => {
      if (this.abort.signal.aborted) resolve();
      else this.abort.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await Promise.race([subscription.done, lease.ended, stopped]);
    } finally {
      clearTimeout(this.timer);
      this.timer = undefined;
      await subscription.stop();
      await this.signing;
      this.committed = undefined;
      if (!this.abort.signal.aborted) this.state = 'standby';
    }
  }

  /** Sets the signing timer when leaves are unsigned: at the interval, or soon when asked. */
  private schedule(): void {
    const tree = this.committed;
    if (!tree || tree.size <= this.signed.size || this.abort.signal.aborted) return;
    const due = this.signed.atMs + (this.soon ? SOON_MS : this.intervalMs);
    if (this.timer) {
      if (this.timerDue <= due) return;
      clearTimeout(this.timer);
    }
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.signing = this.signing.then(() => this.sign());
      },
      Math.max(0, due - Date.now()),
    );
  }

  private async sign(): Promise<void> {
    const tree = this.committed;
    if (!tree || tree.size <= this.signed.size) return;
    try {
      const checkpoint = signCheckpoint(
        {
          origin: this.options.origin,
          treeSize: tree.size,
          rootHash: tree.root,
          signedAt: this.clock(),
        },
        this.options.key,
      );
      const stored = storedCheckpoint(checkpoint, this.options.key.publicKey, tree.position);
      await this.db.transaction().execute(async (trx) => {
        await CheckpointLog.record(trx, stored);
        await queueCheckpointDeliveries(trx, stored);
      });
      CheckpointLog.signed(this.db, stored);
      this.signed = { size: tree.size, atMs: Date.now() };
      this.soon = false;
      this.logger.debug({ treeSize: tree.size }, 'checkpoint signed');
      this.options.onSigned?.(checkpoint);
    } catch (error) {
      // Tried again at the next interval.
      this.signed = { ...this.signed, atMs: Date.now() };
      if (!this.abort.signal.aborted) {
        this.logger.error({ err: error }, 'signing a checkpoint failed');
      }
    }
    this.schedule();
  }
}
