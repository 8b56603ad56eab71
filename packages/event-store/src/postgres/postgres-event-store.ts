import pg from 'pg';
import { EventStoreError, VersionConflictError } from '../errors.ts';
import { pollingSubscription } from '../subscription.ts';
import type {
  AppendGroup,
  AppendOptions,
  AppendResult,
  BatchHandler,
  Checkpoint,
  EventStore,
  ExpectedVersion,
  JsonObject,
  NewEvent,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
  SubscribeOptions,
  Subscription,
  VerifyResult,
} from '../types.ts';
import { type Upcaster, upcastEvent } from '../upcast.ts';
import {
  assertBatchSize,
  assertCheckpoint,
  assertCommandId,
  assertExpected,
  assertStreamId,
  describeExpected,
  type PreparedEvent,
  prepareAppend,
  readStreamRange,
} from '../validation.ts';
import { ChainVerifier } from '../verify.ts';
import { withoutMembers } from './members.ts';
import { APPEND_EXACT_SQL, APPEND_ONE_SQL, migrateEventStore } from './schema.ts';
import { storeTypes } from './timestamp.ts';

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

/** The channel of the wake-up hint sent after appends. */
export const NOTIFY_CHANNEL = 'es_events';

const EVENT_COLUMNS = `global_position, transaction_id::text AS txid, stream_id, stream_version,
  type, schema_version, data, metadata, recorded_at, prev_hash, hash`;

// Named statements: parsed and planned once per connection.
const Q = {
  appendExact: { name: 'es_append_exact', text: APPEND_EXACT_SQL },
  appendOne: { name: 'es_append_one', text: APPEND_ONE_SQL },
  appendMany: {
    name: 'es_append_many',
    text: 'SELECT head, positions, txid FROM es_append($1, $2, $3, $4)',
  },
  readAll: {
    name: 'es_read_all',
    rowMode: 'array',
    // ORDER BY names the xid8 column, not the text alias: text order would be wrong.
    text: `SELECT ${EVENT_COLUMNS} FROM es_events
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY transaction_id, global_position LIMIT $3`,
  },
  readAllOfTypes: {
    name: 'es_read_all_of_types',
    rowMode: 'array',
    text: `SELECT ${EVENT_COLUMNS} FROM es_events
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND (transaction_id, global_position) <= ($3::xid8, $4::bigint)
              AND ($5::text[] IS NULL OR type = ANY($5::text[]))
            ORDER BY transaction_id, global_position LIMIT $6`,
  },
  // As readAllOfTypes, the data as its text (members are left out of it before it is parsed).
  readAllOfTypesText: {
    name: 'es_read_all_of_types_text',
    rowMode: 'array',
    text: `SELECT ${EVENT_COLUMNS.replace('data,', 'data::text AS data,')} FROM es_events
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND (transaction_id, global_position) <= ($3::xid8, $4::bigint)
              AND ($5::text[] IS NULL OR type = ANY($5::text[]))
            ORDER BY transaction_id, global_position LIMIT $6`,
  },
  readStream: {
    name: 'es_read_stream',
    rowMode: 'array',
    text: `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = $1 AND stream_version >= $2
            ORDER BY stream_version LIMIT $3`,
  },
  head: {
    name: 'es_stream_head',
    text: `SELECT stream_version, hash FROM es_events WHERE stream_id = $1
            ORDER BY stream_version DESC LIMIT 1`,
  },
  command: {
    name: 'es_find_command',
    text: `SELECT stream_id, stream_version, global_position, transaction_id::text AS txid
             FROM es_events WHERE command_id = $1`,
  },
  verifyBatch: {
    name: 'es_verify_batch',
    rowMode: 'array',
    text: `SELECT ${EVENT_COLUMNS} FROM es_events
            WHERE (stream_id, stream_version) > ($1, $2::bigint) AND stream_id >= $3
            ORDER BY stream_id, stream_version LIMIT $4`,
  },
} as const;

/**
 * Names a database: the same server (started at the same instant, on the same port) and the
 * same database in it.
 */
const DATABASE_IDENTITY_SQL = `SELECT current_database() || '/' || pg_postmaster_start_time()::text
  || '/' || coalesce(inet_server_port(), 0)::text AS id`;

/** An event row in `rowMode: 'array'`, in the order of EVENT_COLUMNS. */
type EventRow = [
  globalPosition: string,
  transactionId: string,
  streamId: string,
  streamVersion: string,
  type: string,
  schemaVersion: number,
  data: JsonObject,
  metadata: JsonObject,
  recordedAt: Date,
  prevHash: string,
  hash: string,
];

interface AppendOutcome {
  head: number;
  /** Global positions of the appended events; undefined when `expected` did not hold. */
  positions: bigint[] | undefined;
  transactionId: bigint;
}

/** Attempts of an 'any'/'streamExists' append that loses a race (retries hold a stream lock). */
const MAX_ATTEMPTS = 10;
const VERIFY_BATCH = 5000;
/** Readers catching up at once, each with a batch fetched ahead. */
const MAX_PREFETCHED = 8;
/** A batch fetched ahead and not asked for within this time is fetched again. */
const PREFETCH_FRESH_MS = 2000;

/**
 * The PostgreSQL adapter. One statement (one round trip) per append: the version check, the
 * hash chain and the insert happen in the database, so no head needs to be known beforehand
 * and several instances can append to the same stream safely.
 */
export class PostgresEventStore implements EventStore {
  readonly pool: pg.Pool;
  private readonly upcasters: Upcaster[];
  private ready: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  private readonly wakers = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly prefetched = new Map<string, { at: number; rows: Promise<EventRow[]> }>();
  /** readAll queries in flight, by `from` and batch size. */
  private readonly reading = new Map<string, Promise<ReadAllResult>>();
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
    const results = await this.appendInternal(
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
    return this.appendInternal(streamId, groups, options?.expected);
  }

  private async appendInternal(
    streamId: string,
    groups: { commandId?: string | undefined; events: NewEvent[] }[],
    expected: ExpectedVersion,
  ): Promise<AppendResult[]> {
    assertStreamId(streamId);
    assertExpected(expected);
    const prepared = prepareAppend(streamId, groups);
    this.assertOpen();
    const hasCommands = groups.some((g) => g.commandId !== undefined);
    const code =
      expected === 'any'
        ? -1
        : expected === 'streamExists'
          ? -2
          : expected === 'noStream'
            ? 0
            : expected;
    await this.init();

    for (let attempt = 1; ; attempt++) {
      let outcome: AppendOutcome;
      try {
        outcome = await this.runAppend(streamId, code, prepared, attempt > 1);
      } catch (error) {
        const pgCode = (error as { code?: string }).code;
        if (pgCode !== '23505' && pgCode !== '40001' && pgCode !== '40P01') throw mapError(error);
        // A concurrent append won the race (or the command was appended before).
        if (hasCommands) {
          const duplicate = await this.duplicateOf(groups);
          if (duplicate) return duplicate;
          if ((error as { constraint?: string }).constraint === 'es_events_command_id') {
            throw new EventStoreError(
              'invalid-event',
              'some commands of this append were appended before, others not',
              { streamId },
            );
          }
        }
        if ((expected === 'any' || expected === 'streamExists') && attempt < MAX_ATTEMPTS) {
          continue;
        }
        const head = await this.streamHead(streamId);
        throw new VersionConflictError(streamId, describeExpected(expected), head?.version ?? 0);
      }
      if (!outcome.positions) {
        if (hasCommands) {
          const duplicate = await this.duplicateOf(groups);
          if (duplicate) return duplicate;
        }
        throw new VersionConflictError(streamId, describeExpected(expected), outcome.head);
      }
      this.afterAppend();
      const positions = outcome.positions;
      let offset = 0;
      return groups.map((group) => {
        offset += group.events.length;
        const globalPosition = positions[offset - 1]!;
        return {
          streamId,
          nextExpectedVersion: outcome.head + offset,
          lastGlobalPosition: globalPosition,
          checkpoint: { transactionId: outcome.transactionId, globalPosition },
          duplicate: false,
        };
      });
    }
  }

  private async runAppend(
    streamId: string,
    expected: number,
    events: PreparedEvent[],
    lock: boolean,
  ): Promise<AppendOutcome> {
    const only = events.length === 1 && !lock ? events[0]! : undefined;
    if (only && expected >= 0) {
      const { rows } = await this.pool.query<{ global_position: string; txid: string }>({
        ...Q.appendExact,
        values: [
          streamId,
          expected,
          only.commandId,
          only.type,
          only.schemaVersion,
          only.canonicalData,
          only.canonicalMetadata,
          only.tail,
        ],
      });
      const row = rows[0];
      if (row) {
        return {
          head: expected,
          positions: [BigInt(row.global_position)],
          transactionId: BigInt(row.txid),
        };
      }
      // Event `expected` does not exist: the stream is behind.
      return {
        head: (await this.streamHead(streamId))?.version ?? 0,
        positions: undefined,
        transactionId: 0n,
      };
    }
    if (only) {
      const { rows } = await this.pool.query<{
        head: string;
        global_position: string | null;
        txid: string | null;
      }>({
        ...Q.appendOne,
        values: [
          streamId,
          expected,
          only.commandId,
          only.type,
          only.schemaVersion,
          only.canonicalData,
          only.canonicalMetadata,
          only.tail,
        ],
      });
      const row = rows[0]!;
      return {
        head: Number(row.head),
        positions: row.global_position === null ? undefined : [BigInt(row.global_position)],
        transactionId: BigInt(row.txid ?? 0),
      };
    }
    const { rows } = await this.pool.query<{
      head: string;
      positions: string[] | null;
      txid: string | null;
    }>({
      ...Q.appendMany,
      values: [streamId, expected, eventsJson(events), lock],
    });
    const row = rows[0]!;
    return {
      head: Number(row.head),
      positions: row.positions === null ? undefined : row.positions.map((p) => BigInt(p)),
      transactionId: BigInt(row.txid ?? 0),
    };
  }

  /** When every group's command was appended before, their stored results. */
  private async duplicateOf(
    groups: { commandId?: string | undefined }[],
  ): Promise<AppendResult[] | undefined> {
    const results: AppendResult[] = [];
    for (const group of groups) {
      if (group.commandId === undefined) return undefined;
      const found = await this.findCommand(group.commandId);
      if (!found) return undefined;
      results.push(found);
    }
    return results;
  }

  private afterAppend(): void {
    for (const wake of this.wakers) wake();
    this.notifier?.notify();
  }

  async findCommand(commandId: string): Promise<AppendResult | undefined> {
    assertCommandId(commandId);
    const { rows } = await this.query<{
      stream_id: string;
      stream_version: string;
      global_position: string;
      txid: string;
    }>({ ...Q.command, values: [commandId] });
    const row = rows[0];
    if (!row) return undefined;
    return {
      streamId: row.stream_id,
      nextExpectedVersion: Number(row.stream_version),
      lastGlobalPosition: BigInt(row.global_position),
      checkpoint: {
        transactionId: BigInt(row.txid),
        globalPosition: BigInt(row.global_position),
      },
      duplicate: true,
    };
  }

  async streamHead(streamId: string): Promise<StreamHead | undefined> {
    assertStreamId(streamId);
    const { rows } = await this.query<{ stream_version: string; hash: string }>({
      ...Q.head,
      values: [streamId],
    });
    const row = rows[0];
    return row ? { version: Number(row.stream_version), hash: row.hash } : undefined;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertStreamId(streamId);
    const { from, maxCount } = readStreamRange(options);
    const { rows } = await this.query<EventRow>({
      ...Q.readStream,
      values: [streamId, from, maxCount ?? null],
    });
    return rows.map((r) => this.toEvent(r));
  }

  /**
   * Reads from the global order. Readers asking for the same batch at the same time (projectors
   * woken by one notification) share one query and one parse. A shared answer is used only when
   * it has events, which are a valid prefix whenever it was read; an empty one says nothing
   * about events committed since it started, so the caller then asks itself.
   */
  async readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult> {
    assertCheckpoint(from);
    assertBatchSize(batchSize);
    const key = `${from.transactionId}:${from.globalPosition}:${batchSize}`;
    const shared = this.reading.get(key);
    if (shared) {
      const result = await shared.catch(() => undefined);
      if (result && result.events.length > 0) return result;
    }
    const own = this.readAllOnce(from, batchSize);
    this.reading.set(key, own);
    try {
      return await own;
    } finally {
      if (this.reading.get(key) === own) this.reading.delete(key);
    }
  }

  private async readAllOnce(from: Checkpoint, batchSize: number): Promise<ReadAllResult> {
    const rows = await this.fetchAll(from, batchSize);
    const events = rows.map((r) => this.toEvent(r));
    const last = events[events.length - 1];
    const checkpoint = last
      ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
      : from;
    if (rows.length === batchSize) this.prefetch(checkpoint, batchSize);
    // Shared by the readers of the same batch: none may change it for the others.
    return { events: Object.freeze(events) as RecordedEvent[], checkpoint };
  }

  /**
   * The rows after `from`: a prefetched batch when one is waiting (and fresh), else a query.
   * A prefetched batch is as valid as a new read: it holds only events of transactions that had
   * all ended, in order, so anything it lacks sorts after it.
   */
  private async fetchAll(from: Checkpoint, batchSize: number): Promise<EventRow[]> {
    const key = `${from.transactionId}:${from.globalPosition}:${batchSize}`;
    const ready = this.prefetched.get(key);
    this.prefetched.delete(key);
    if (ready && Date.now() - ready.at < PREFETCH_FRESH_MS) {
      const rows = await ready.rows.catch(() => undefined);
      // An empty or failed prefetch says nothing about now: ask again.
      if (rows && rows.length > 0) return rows;
    }
    const { rows } = await this.query<EventRow>({
      ...Q.readAll,
      values: [from.transactionId.toString(), from.globalPosition.toString(), batchSize],
    });
    return rows;
  }

  /** A reader catching up will ask for the next batch: fetch it while the caller works. */
  private prefetch(from: Checkpoint, batchSize: number): void {
    if (this.closed) return;
    const key = `${from.transactionId}:${from.globalPosition}:${batchSize}`;
    if (this.prefetched.has(key)) return;
    while (this.prefetched.size >= MAX_PREFETCHED) {
      const oldest = this.prefetched.keys().next().value;
      if (oldest === undefined) break;
      this.prefetched.delete(oldest);
    }
    const rows = this.pool
      .query<EventRow>({
        ...Q.readAll,
        values: [from.transactionId.toString(), from.globalPosition.toString(), batchSize],
      })
      .then((r) => r.rows);
    rows.catch(() => {});
    this.prefetched.set(key, { at: Date.now(), rows });
  }

  subscribe(from: Checkpoint, handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = pollingSubscription({
      from,
      handler,
      options,
      readAll: (cp, size) => this.readAll(cp, size),
      onWake: (wake) => this.addWaker(wake),
    });
    this.subscriptions.add(subscription);
    void subscription.done.catch(() => {}).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  /** LISTEN once per store; every subscription is woken by a notification. */
  private addWaker(wake: () => void): () => void {
    this.wakers.add(wake);
    this.ensureListener();
    return () => {
      this.wakers.delete(wake);
    };
  }

  private ensureListener(): void {
    if (this.listener || this.closed || this.wakers.size === 0) return;
    const client = new pg.Client({ connectionString: this.options.connectionString });
    this.listener = client;
    const fail = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => {});
      // Polling covers the gap; listen again a little later.
      if (!this.closed && !this.listenRetry) {
        this.listenRetry = setTimeout(() => {
          this.listenRetry = undefined;
          this.ensureListener();
        }, 1000);
        this.listenRetry.unref();
      }
    };
    client.on('error', fail);
    client.on('end', fail);
    client.on('notification', () => {
      for (const w of this.wakers) w();
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${NOTIFY_CHANNEL}`))
      .then(() => {
        // Anything appended while not listening: look again.
        for (const w of this.wakers) w();
      })
      .catch(fail);
  }

  async verifyStream(streamId: string): Promise<VerifyResult> {
    assertStreamId(streamId);
    const verifier = new ChainVerifier();
    let version = 0;
    for (;;) {
      const { rows } = await this.query<EventRow>({
        ...Q.readStream,
        values: [streamId, version + 1, VERIFY_BATCH],
      });
      for (const row of rows) {
        if (!verifier.add(rowToEvent(row))) return verifier.result();
      }
      if (rows.length < VERIFY_BATCH) break;
      version = Number(rows[rows.length - 1]![3]);
    }
    return verifier.result();
  }

  /** Verifies every stream (or those starting with a prefix), in stream order, in batches. */
  async verifyAll(options: { streamPrefix?: string } = {}): Promise<VerifyResult> {
    const prefix = options?.streamPrefix ?? '';
    if (typeof prefix !== 'string') {
      throw new EventStoreError('invalid-argument', 'streamPrefix must be a string');
    }

    const verifier = new ChainVerifier();
    let lastStream = '';
    let lastVersion = 0;
    let current: string | undefined;
    for (;;) {
      const { rows } = await this.query<EventRow>({
        ...Q.verifyBatch,
        values: [lastStream, lastVersion, prefix, VERIFY_BATCH],
      });
      for (const row of rows) {
        const streamId = row[2];
        if (!streamId.startsWith(prefix)) return verifier.result();
        if (current !== undefined && streamId !== current) verifier.finishStream(current);
        current = streamId;
        if (!verifier.add(rowToEvent(row))) return verifier.result();
      }
      if (rows.length < VERIFY_BATCH) return verifier.result();
      const last = rows[rows.length - 1]!;
      lastStream = last[2];
      lastVersion = Number(last[3]);
    }
  }

  /**
   * The last event every reader can see (the end of the global order now), and how many events
   * lie at or before it. `undefined` when there is none.
   */
  async head(): Promise<{ checkpoint: Checkpoint; events: number } | undefined> {
    const { rows } = await this.query<{ txid: string; position: string; n: string }>({
      text: `WITH last AS (
               SELECT transaction_id, global_position FROM es_events
                WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY transaction_id DESC, global_position DESC LIMIT 1)
             SELECT l.transaction_id::text AS txid, l.global_position::text AS position,
                    (SELECT count(*) FROM es_events e
                      WHERE (e.transaction_id, e.global_position) <= (l.transaction_id, l.global_position))::text AS n
               FROM last l`,
    });
    const row = rows[0];
    if (!row) return undefined;
    return {
      checkpoint: { transactionId: BigInt(row.txid), globalPosition: BigInt(row.position) },
      events: Number(row.n),
    };
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
  async readAllOfTypes(
    from: Checkpoint,
    until: Checkpoint,
    batchSize: number,
    types: readonly string[] | undefined,
    omit?: Readonly<Record<string, readonly string[]>>,
  ): Promise<ReadAllResult> {
    assertCheckpoint(from);
    assertCheckpoint(until);
    assertBatchSize(batchSize);
    const omitted = new Map(
      Object.entries(omit ?? {})
        .filter(([, fields]) => fields.length > 0)
        .map(([type, fields]) => [type, new Set(fields)]),
    );
    const { rows } = await this.query<EventRow>({
      ...(omitted.size > 0 ? Q.readAllOfTypesText : Q.readAllOfTypes),
      values: [
        from.transactionId.toString(),
        from.globalPosition.toString(),
        until.transactionId.toString(),
        until.globalPosition.toString(),
        types ?? null,
        batchSize,
      ],
    });
    if (omitted.size > 0) {
      for (const row of rows) {
        const text = row[6] as unknown as string;
        const fields = omitted.get(row[4]);
        row[6] = JSON.parse(fields ? withoutMembers(text, fields) : text) as JsonObject;
      }
    }
    const events = rows.map((r) => this.toEvent(r));
    const last = events[events.length - 1];
    const checkpoint =
      last && rows.length === batchSize
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : until;
    return { events: Object.freeze(events) as RecordedEvent[], checkpoint };
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

  private toEvent(row: EventRow): RecordedEvent {
    const event = rowToEvent(row);
    return this.upcasters.length ? upcastEvent(event, this.upcasters) : event;
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
    this.wakers.clear();
    if (this.listenRetry) clearTimeout(this.listenRetry);
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await listener.end().catch(() => {});
    await this.notifier?.close();
    const pending = [...this.prefetched.values()].map((p) => p.rows.catch(() => {}));
    this.prefetched.clear();
    await Promise.all(pending);
    await this.pool.end();
  }
}

/**
 * The events of a multi-event append as one JSON array, built from the canonical texts as they
 * are: {c: command id, t: type, s: schema version, d: data, m: metadata, l: template tail}.
 */
function eventsJson(events: PreparedEvent[]): string {
  let json = '[';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (i > 0) json += ',';
    json += `{"c":${e.commandId === null ? 'null' : JSON.stringify(e.commandId)},"t":${JSON.stringify(e.type)},"s":${e.schemaVersion},"d":${e.canonicalData},"m":${e.canonicalMetadata},"l":${JSON.stringify(e.tail)}}`;
  }
  return `${json}]`;
}

function rowToEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row[2],
    streamVersion: Number(row[3]),
    globalPosition: BigInt(row[0]),
    transactionId: BigInt(row[1]),
    type: row[4],
    schemaVersion: row[5],
    data: row[6],
    metadata: row[7],
    recordedAt: row[8],
    prevHash: row[9],
    hash: row[10],
  };
}

/**
 * Sends the wake-up hint after appends, outside their transactions: a NOTIFY inside the
 * appending transaction would serialise all commits on PostgreSQL's notification queue lock.
 * Throttled: the first append after a quiet spell notifies at once; under load, at most one
 * NOTIFY per `intervalMs` carries the news of every append since the previous one.
 */
class Notifier {
  private client: pg.Client | undefined;
  private busy = false;
  private pending = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly intervalMs = 5,
  ) {}

  notify(): void {
    if (this.closed) return;
    if (this.busy) {
      this.pending = true;
      return;
    }
    this.busy = true;
    void this.send();
  }

  private async send(): Promise<void> {
    try {
      const client = await this.connection();
      await client.query(`NOTIFY ${NOTIFY_CHANNEL}`);
    } catch {
      // A hint only: readers poll as well.
      const client = this.client;
      this.client = undefined;
      client?.end().catch(() => {});
    }
    // Stay busy for the interval; send once more if appends happened meanwhile.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending && !this.closed) {
        this.pending = false;
        void this.send();
      } else {
        this.busy = false;
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('error', () => {
      if (this.client === client) this.client = undefined;
    });
    await client.connect();
    if (this.closed) {
      await client.end().catch(() => {});
      throw new Error('closed');
    }
    this.client = client;
    return client;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => {});
  }
}

const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);

/** Typed errors for what the caller can act on; anything else is a bug and stays as it is. */
function mapError(error: unknown): Error {
  if (error instanceof EventStoreError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (
    code.startsWith('08') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '53300' ||
    UNAVAILABLE_ERRNO.has(code) ||
    /Connection terminated|connection error|after calling end on the pool|timeout exceeded when trying to connect/i.test(
      message,
    )
  ) {
    return new EventStoreError('store-unavailable', `event store unavailable: ${message}`, {
      cause: code || undefined,
    });
  }
  // Invalid text, untranslatable character, bad encoding, too complex: refused input.
  if (code === '22P02' || code === '22P05' || code === '22021' || code === '54000') {
    return new EventStoreError('invalid-event', `event rejected by the store: ${message}`);
  }
  return error instanceof Error ? error : new Error(message);
}
