import pg from 'pg';
import { EventStoreError } from '../errors.ts';
import { pollingSubscription } from '../subscription.ts';
import type {
  AppendGroup,
  AppendOptions,
  AppendResult,
  BatchHandler,
  Checkpoint,
  EventHeader,
  EventStore,
  ExpectedVersion,
  NewEvent,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
  SubscribeOptions,
  Subscription,
  VerifyResult,
} from '../types.ts';
import type { Upcaster } from '../upcast.ts';
import { assertBatchSize, assertCheckpoint, assertCommandId } from '../validation.ts';
import { Appends } from './append.ts';
import type { Connection } from './connection.ts';
import { mapError } from './errors.ts';
import { globalHeadersQuery, type HeaderRow, rowToHeader } from './header-reads.ts';
import { Notifier, WakeUps } from './notifier.ts';
import { ReadAhead } from './read-ahead.ts';
import { type EventRow, globalOrderQuery, Reads } from './reads.ts';
import { migrateEventStore } from './schema.ts';
import { storeTypes } from './timestamp.ts';
import { verifyAll, verifyStream } from './verification.ts';

export { NOTIFY_CHANNEL } from './notifier.ts';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** Pool size; default 10. */
  maxConnections?: number;
  upcasters?: Upcaster[];
  /** Run the schema migration on first use (default true). */
  migrate?: boolean;
  /** Send a NOTIFY wake-up hint after appends (default true). */
  notify?: boolean;
}

/**
 * Names a database: the same server (started at the same instant, on the same port) and the
 * same database in it.
 */
const DATABASE_IDENTITY_SQL = `SELECT current_database() || '/' || pg_postmaster_start_time()::text
  || '/' || coalesce(inet_server_port(), 0)::text AS id`;

/**
 * The PostgreSQL adapter: its pool and lifecycle; each job is a module of its own (appends,
 * reads, reading ahead, wake-ups, verification, errors).
 */
export class PostgresEventStore implements EventStore {
  readonly pool: pg.Pool;
  private readonly upcasters: Upcaster[];
  private ready: Promise<void> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private readonly connection: Connection;
  private readonly reads: Reads;
  private readonly appends: Appends;
  private readonly readAhead: ReadAhead<EventRow, RecordedEvent>;
  private readonly headersAhead: ReadAhead<HeaderRow, EventHeader>;
  private readonly wakeUps: WakeUps;
  private readonly notifier: Notifier | undefined;
  private closed = false;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      types: storeTypes,
    });
    // An idle client's error (server restart) must not crash the process.
    this.pool.on('error', () => {});
    this.upcasters = options.upcasters ?? [];
    this.notifier = options.notify === false ? undefined : new Notifier(options.connectionString);
    this.wakeUps = new WakeUps(options.connectionString);
    this.connection = {
      pool: this.pool,
      ready: () => {
        this.assertOpen();
        return this.init();
      },
      query: (config) => this.query(config),
      isClosed: () => this.closed,
    };
    this.reads = new Reads(this.connection, this.upcasters);
    this.readAhead = new ReadAhead(this.connection, {
      query: globalOrderQuery,
      toEvent: (row) => this.reads.toEvent(row),
    });
    this.headersAhead = new ReadAhead(this.connection, {
      query: globalHeadersQuery,
      toEvent: rowToHeader,
    });
    this.appends = new Appends(this.connection, this.reads, () => {
      this.wakeUps.wakeAll();
      this.notifier?.notify();
    });
  }

  /** Creates the schema (idempotent). Called lazily before the first query. */
  init(): Promise<void> {
    if (!this.ready) {
      const ready =
        this.options.migrate === false ? Promise.resolve() : migrateEventStore(this.pool);
      this.ready = ready.catch((error: unknown) => {
        this.ready = undefined;
        throw mapError(error);
      });
    }
    return this.ready;
  }

  async append(
    streamId: string,
    events: NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    if (typeof options !== 'object' || options === null) {
      throw new EventStoreError('invalid-event', 'append options are required');
    }
    assertCommandId(options.commandId);
    const results = await this.appends.append(
      streamId,
      [{ commandId: options.commandId, events }],
      options.expected,
    );
    return results[0]!;
  }

  appendGroups(
    streamId: string,
    groups: AppendGroup[],
    options: { expected: ExpectedVersion },
  ): Promise<AppendResult[]> {
    return this.appends.append(streamId, groups, options?.expected);
  }

  findCommand(commandId: string): Promise<AppendResult | undefined> {
    return this.reads.findCommand(commandId);
  }

  streamHead(streamId: string): Promise<StreamHead | undefined> {
    return this.reads.streamHead(streamId);
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.reads.readStream(streamId, options);
  }

  /**
   * Reads from the global order. Readers asking for the same batch at the same time (projectors
   * woken by one notification) share one query and one parse (see `ReadAhead`).
   */
  async readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult> {
    assertCheckpoint(from);
    assertBatchSize(batchSize);
    return this.readAhead.readAll(from, batchSize);
  }

  /** `readAll` of the headers only: a statement of only their columns (header-reads.ts). */
  async readHeaders(from: Checkpoint, batchSize: number): Promise<ReadAllResult<EventHeader>> {
    assertCheckpoint(from);
    assertBatchSize(batchSize);
    return this.headersAhead.readAll(from, batchSize);
  }

  subscribe(from: Checkpoint, handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    return this.poll(from, handler, options, (cp, size) => this.readAll(cp, size));
  }

  subscribeHeaders(
    from: Checkpoint,
    handler: BatchHandler<EventHeader>,
    options: SubscribeOptions = {},
  ): Subscription {
    return this.poll(from, handler, options, (cp, size) => this.readHeaders(cp, size));
  }

  private poll<E extends EventHeader>(
    from: Checkpoint,
    handler: BatchHandler<E>,
    options: SubscribeOptions,
    readAll: (from: Checkpoint, batchSize: number) => Promise<ReadAllResult<E>>,
  ): Subscription {
    this.assertOpen();
    const subscription = pollingSubscription({
      from,
      handler,
      options,
      readAll,
      onWake: (wake) => this.wakeUps.add(wake),
    });
    this.subscriptions.add(subscription);
    void subscription.done.catch(() => {}).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  verifyStream(streamId: string): Promise<VerifyResult> {
    return verifyStream(this.reads, streamId);
  }

  /** Verifies every stream (or those starting with a prefix), in stream order, in batches. */
  verifyAll(options: { streamPrefix?: string } = {}): Promise<VerifyResult> {
    return verifyAll(this.connection, options);
  }

  /**
   * The last event every reader can see (the end of the global order now), and how many events
   * lie at or before it. `undefined` when there is none.
   */
  head(): Promise<{ checkpoint: Checkpoint; events: number } | undefined> {
    return this.reads.endOfGlobalOrder();
  }

  /** The last event every reader can see: `head()` without counting the events before it. */
  visibleEnd(): Promise<Checkpoint | undefined> {
    return this.reads.visibleEnd();
  }

  /**
   * Like `readAll`, but only events of the given types (every type when `undefined`), and none
   * after `until` (a checkpoint every reader could see). A batch shorter than `batchSize` ends at `until`: its checkpoint
   * is `until`, past the events of other types that lie before it.
   *
   * `omit` names, by event type, top-level members of the data the caller never reads: they are
   * left out without being parsed (a vote's electorate is most of the events' bytes). Such an
   * event is not the stored one (its hash no longer matches its data); only for readers that
   * declared they do not read those members.
   */
  readAllOfTypes(
    from: Checkpoint,
    until: Checkpoint,
    batchSize: number,
    types: readonly string[] | undefined,
    omit?: Readonly<Record<string, readonly string[]>>,
  ): Promise<ReadAllResult> {
    return this.reads.readAllOfTypes(from, until, batchSize, types, omit);
  }

  /**
   * One community's events (of streams whose id names it, `communityOfStream`) after `from`
   * and none after `until` (a checkpoint every reader could see), in the global order, through
   * the events' community index. A batch shorter than `batchSize` ends at `until`. `types` and
   * `omit` as for `readAllOfTypes`.
   */
  readCommunity(
    communityId: string,
    from: Checkpoint,
    until: Checkpoint,
    batchSize: number,
    types?: readonly string[],
    omit?: Readonly<Record<string, readonly string[]>>,
  ): Promise<ReadAllResult> {
    return this.reads.readCommunity(communityId, from, until, batchSize, types, omit);
  }

  /**
   * Whether `query` (a connection of another pool) reaches the database this store keeps its
   * events in: then the events table can be read there with SQL (set-based rebuilds).
   */
  async sharesDatabaseWith(
    query: (text: string) => Promise<{ rows: { id: string }[] }>,
  ): Promise<boolean> {
    const { rows } = await this.query<{ id: string }>({ text: DATABASE_IDENTITY_SQL });
    const theirs = await query(DATABASE_IDENTITY_SQL);
    return rows[0]?.id !== undefined && rows[0].id === theirs.rows[0]?.id;
  }

  /** Store-level upcasters change events as read: set-based readers of the table would not. */
  get upcastsOnRead(): boolean {
    return this.upcasters.length > 0;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreError('store-unavailable', 'the event store is closed');
  }

  /** A read: schema first, typed errors. */
  private async query<R extends pg.QueryResultRow>(
    config: pg.QueryConfig,
  ): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    await this.init();
    try {
      return await this.pool.query<R>(config);
    } catch (error) {
      throw mapError(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const subscriptions = [...this.subscriptions];
    await Promise.all(subscriptions.map((s) => s.stop()));
    this.closed = true;
    await this.wakeUps.close();
    await this.notifier?.close();
    await this.readAhead.close();
    await this.headersAhead.close();
    await this.pool.end();
  }
}
