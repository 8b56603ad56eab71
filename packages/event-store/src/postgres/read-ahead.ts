import type pg from 'pg';
import type { Checkpoint, EventHeader, ReadAllResult } from '../types.ts';
import type { Connection } from './connection.ts';

/** Readers catching up at once, each with a batch fetched ahead. */
const MAX_PREFETCHED = 8;
/** A batch fetched ahead and not asked for within this time is fetched again. */
const PREFETCH_FRESH_MS = 2000;

const keyOf = (from: Checkpoint, batchSize: number) =>
  `${from.transactionId}:${from.globalPosition}:${batchSize}`;

/** A read of the global order: its statement, and what a row of it becomes. */
export interface GlobalOrderRead<R extends pg.QueryResultRow, E extends EventHeader> {
  /** Up to `batchSize` rows after `from`, in the global order, below the horizon. */
  query(from: Checkpoint, batchSize: number): pg.QueryConfig;
  toEvent(row: R): E;
}

/**
 * Reads of the global order for readers catching up: readers asking for the same batch at the
 * same time share one query and one parse, and a full batch has the next one fetched while its
 * reader works.
 */
export class ReadAhead<R extends pg.QueryResultRow, E extends EventHeader> {
  private readonly prefetched = new Map<string, { at: number; rows: Promise<R[]> }>();
  /** Reads in flight, by `from` and batch size. */
  private readonly reading = new Map<string, Promise<ReadAllResult<E>>>();

  constructor(
    private readonly connection: Connection,
    private readonly read: GlobalOrderRead<R, E>,
  ) {}

  /**
   * A shared answer is used only when it has events, which are a valid prefix whenever it was
   * read; an empty one says nothing about events committed since it started, so the caller then
   * asks itself.
   */
  async readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult<E>> {
    const key = keyOf(from, batchSize);
    const shared = this.reading.get(key);
    if (shared) {
      const result = await shared.catch(() => undefined);
      if (result && result.events.length > 0) return result;
    }
    const own = this.readOnce(from, batchSize);
    this.reading.set(key, own);
    try {
      return await own;
    } finally {
      if (this.reading.get(key) === own) this.reading.delete(key);
    }
  }

  private async readOnce(from: Checkpoint, batchSize: number): Promise<ReadAllResult<E>> {
    const rows = await this.fetch(from, batchSize);
    const events = rows.map((r) => this.read.toEvent(r));
    const last = events[events.length - 1];
    const checkpoint = last
      ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
      : from;
    if (rows.length === batchSize) this.prefetch(checkpoint, batchSize);
    // Shared by the readers of the same batch: none may change it for the others.
    return { events: Object.freeze(events) as E[], checkpoint };
  }

  /**
   * The rows after `from`: a prefetched batch when one is waiting (and fresh), else a query.
   * A prefetched batch is as valid as a new read: it holds only events of transactions that had
   * all ended, in order, so anything it lacks sorts after it.
   */
  private async fetch(from: Checkpoint, batchSize: number): Promise<R[]> {
    const key = keyOf(from, batchSize);
    const ready = this.prefetched.get(key);
    this.prefetched.delete(key);
    if (ready && Date.now() - ready.at < PREFETCH_FRESH_MS) {
      const rows = await ready.rows.catch(() => undefined);
      // An empty or failed prefetch says nothing about now: ask again.
      if (rows && rows.length > 0) return rows;
    }
    const { rows } = await this.connection.query<R>(this.read.query(from, batchSize));
    return rows;
  }

  /** A reader catching up will ask for the next batch: fetch it while the caller works. */
  private prefetch(from: Checkpoint, batchSize: number): void {
    if (this.connection.isClosed()) return;
    const key = keyOf(from, batchSize);
    if (this.prefetched.has(key)) return;
    while (this.prefetched.size >= MAX_PREFETCHED) {
      const oldest = this.prefetched.keys().next().value;
      if (oldest === undefined) break;
      this.prefetched.delete(oldest);
    }
    // Straight to the pool: the read that asked for it made the schema ready, and a failure is
    // only a batch to fetch again.
    const rows = this.connection.pool
      .query<R>(this.read.query(from, batchSize))
      .then((r) => r.rows);
    rows.catch(() => {});
    this.prefetched.set(key, { at: Date.now(), rows });
  }

  /** Waits for batches being fetched ahead (the pool must not end under them). */
  async close(): Promise<void> {
    const pending = [...this.prefetched.values()].map((p) => p.rows.catch(() => {}));
    this.prefetched.clear();
    await Promise.all(pending);
  }
}
