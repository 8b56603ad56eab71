import pg from 'pg';
import { EventStoreError, VersionConflictError } from '../errors.ts';
import { chainHash, GENESIS_HASH } from '../hash.ts';
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
  assertEvents,
  assertExpected,
  assertStreamId,
  describeExpected,
  satisfies,
} from '../validation.ts';
import { verifyChain } from '../verify.ts';
import { migrateEventStore } from './schema.ts';

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** Pool size; default 10. */
  maxConnections?: number;
  upcasters?: Upcaster[];
  /** Run the schema migration on first use (default true). */
  migrate?: boolean;
}

const EVENT_COLUMNS = `global_position, transaction_id::text AS transaction_id, stream_id, stream_version,
  type, schema_version, data, metadata, recorded_at, prev_hash, hash`;

interface EventRow {
  global_position: string;
  transaction_id: string;
  stream_id: string;
  stream_version: string;
  type: string;
  schema_version: number;
  data: JsonObject;
  metadata: JsonObject;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
}

interface AppendRow {
  status: 'ok' | 'conflict' | 'duplicate';
  version: string;
  positions: string[] | null;
  duplicate_command: string | null;
  txid: string | null;
}

const HEAD_CACHE_LIMIT = 10_000;
const MAX_ATTEMPTS = 3;

export class PostgresEventStore implements EventStore {
  readonly pool: pg.Pool;
  private readonly upcasters: Upcaster[];
  private readonly heads = new Map<string, StreamHead>();
  private ready: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private listenerReady: Promise<void> | undefined;
  private readonly wakers = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
    });
    // An idle client's error (server restart) must not crash the process.
    this.pool.on('error', () => {});
    this.upcasters = options.upcasters ?? [];
  }

  /** Creates the schema (idempotent). Called lazily before the first query. */
  init(): Promise<void> {
    if (!this.ready) {
      this.ready =
        this.options.migrate === false ? Promise.resolve() : migrateEventStore(this.pool);
      this.ready.catch(() => {
        this.ready = undefined;
      });
    }
    return this.ready;
  }

  async append(
    streamId: string,
    events: NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
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
    return this.appendInternal(streamId, groups, options.expected);
  }

  private async appendInternal(
    streamId: string,
    groups: { commandId?: string | undefined; events: NewEvent[] }[],
    expected: ExpectedVersion,
  ): Promise<AppendResult[]> {
    assertStreamId(streamId);
    assertExpected(expected);
    if (groups.length === 0) throw new EventStoreError('invalid-event', 'no events to append');
    const events = groups.flatMap((g) => g.events);
    assertEvents(streamId, events);
    for (const group of groups) {
      if (group.events.length === 0) throw new EventStoreError('invalid-event', 'empty group');
      if (
        group.commandId !== undefined &&
        (typeof group.commandId !== 'string' ||
          group.commandId.length === 0 ||
          group.commandId.length > 300)
      ) {
        throw new EventStoreError('invalid-event', 'invalid command id');
      }
    }
    await this.init();

    let head = this.heads.get(streamId);
    let fromCache = head !== undefined;
    for (let attempt = 1; ; attempt++) {
      if (!head) {
        head = (await this.streamHead(streamId)) ?? { version: 0, hash: GENESIS_HASH };
        fromCache = false;
      }
      if (!satisfies(expected, head.version)) {
        if (fromCache) {
          head = undefined;
          continue;
        }
        const duplicate = await this.duplicateOf(groups);
        if (duplicate) return duplicate;
        throw new VersionConflictError(streamId, describeExpected(expected), head.version);
      }
      const prepared = prepare(streamId, head, groups);
      let row: AppendRow;
      try {
        const result = await this.pool.query<AppendRow>(
          'SELECT * FROM es_append($1, $2, $3, $4, $5, $6, $7::jsonb[], $8::jsonb[], $9, $10)',
          [
            streamId,
            head.version,
            head.hash,
            prepared.commandIds,
            prepared.types,
            prepared.schemaVersions,
            prepared.data,
            prepared.metadata,
            prepared.prevHashes,
            prepared.hashes,
          ],
        );
        row = result.rows[0]!;
      } catch (error) {
        if ((error as { code?: string }).code === 'YS002') {
          const duplicate = await this.duplicateOf(groups);
          if (duplicate) return duplicate;
        }
        throw mapPgError(error, streamId);
      }
      if (row.status === 'ok') {
        const last = prepared.hashes[prepared.hashes.length - 1]!;
        const version = Number(row.version);
        this.rememberHead(streamId, { version, hash: last });
        const positions = (row.positions ?? []).map((p) => BigInt(p));
        let offset = 0;
        const transactionId = BigInt(row.txid ?? '0');
        return groups.map((group) => {
          offset += group.events.length;
          const globalPosition = positions[offset - 1]!;
          return {
            streamId,
            nextExpectedVersion: head!.version + offset,
            lastGlobalPosition: globalPosition,
            checkpoint: { transactionId, globalPosition },
            duplicate: false,
          };
        });
      }
      if (row.status === 'duplicate') {
        const duplicate = await this.duplicateOf(groups);
        if (duplicate) return duplicate;
        throw new EventStoreError('invalid-event', 'a command of this group was appended before', {
          commandId: row.duplicate_command,
        });
      }
      // conflict: someone appended first.
      this.heads.delete(streamId);
      head = undefined;
      const actual = Number(row.version);
      const retryable = (expected === 'any' || expected === 'streamExists') && actual > 0;
      if (
        fromCache ||
        (retryable && attempt < MAX_ATTEMPTS) ||
        (expected === 'any' && attempt < MAX_ATTEMPTS)
      ) {
        fromCache = false;
        continue;
      }
      const duplicate = await this.duplicateOf(groups);
      if (duplicate) return duplicate;
      throw new VersionConflictError(streamId, describeExpected(expected), actual);
    }
  }

  /** When every group's command was appended before, their stored results. */
  private async duplicateOf(
    groups: { commandId?: string | undefined }[],
  ): Promise<AppendResult[] | undefined> {
    const results: AppendResult[] = [];
    for (const group of groups) {
      if (!group.commandId) return undefined;
      const found = await this.findCommand(group.commandId);
      if (!found) return undefined;
      results.push(found);
    }
    return results;
  }

  private rememberHead(streamId: string, head: StreamHead): void {
    if (this.heads.size >= HEAD_CACHE_LIMIT) {
      const oldest = this.heads.keys().next().value;
      if (oldest !== undefined) this.heads.delete(oldest);
    }
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
  }

  async findCommand(commandId: string): Promise<AppendResult | undefined> {
    await this.init();
    const { rows } = await this.pool.query<{
      stream_id: string;
      last_version: string;
      last_global_position: string;
      transaction_id: string;
    }>(
      `SELECT stream_id, last_version, last_global_position, transaction_id::text AS transaction_id
         FROM es_commands WHERE command_id = $1`,
      [commandId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      streamId: row.stream_id,
      nextExpectedVersion: Number(row.last_version),
      lastGlobalPosition: BigInt(row.last_global_position),
      checkpoint: {
        transactionId: BigInt(row.transaction_id),
        globalPosition: BigInt(row.last_global_position),
      },
      duplicate: true,
    };
  }

  async streamHead(streamId: string): Promise<StreamHead | undefined> {
    assertStreamId(streamId);
    await this.init();
    const { rows } = await this.pool.query<{ version: string; last_hash: string }>(
      'SELECT version, last_hash FROM es_streams WHERE stream_id = $1',
      [streamId],
    );
    const row = rows[0];
    return row ? { version: Number(row.version), hash: row.last_hash } : undefined;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertStreamId(streamId);
    await this.init();
    const from = Math.max(1, Math.floor(options.fromVersion ?? 1));
    const limit = options.maxCount ?? null;
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = $1 AND stream_version >= $2
       ORDER BY stream_version LIMIT $3`,
      [streamId, from, limit],
    );
    return rows.map((r) => this.toEvent(r));
  }

  async readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult> {
    await this.init();
    const size = Math.max(1, Math.min(10_000, Math.floor(batchSize)));
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM es_events
        WHERE (transaction_id, global_position) > ($1::text::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id, global_position LIMIT $3`,
      [from.transactionId.toString(), from.globalPosition.toString(), size],
    );
    const events = rows.map((r) => this.toEvent(r));
    const last = events[events.length - 1];
    return {
      events,
      checkpoint: last
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : from,
    };
  }

  subscribe(from: Checkpoint, handler: BatchHandler, options: SubscribeOptions = {}): Subscription {
    return pollingSubscription({
      from,
      handler,
      options,
      readAll: (cp, size) => this.readAll(cp, size),
      onWake: (wake) => this.addWaker(wake),
    });
  }

  /** LISTEN once per store; every subscription is woken by a notification. */
  private addWaker(wake: () => void): () => void {
    this.wakers.add(wake);
    if (!this.listenerReady && !this.closed) {
      const client = new pg.Client({ connectionString: this.options.connectionString });
      client.on('error', () => {
        this.listener = undefined;
        this.listenerReady = undefined;
      });
      client.on('notification', () => {
        for (const w of this.wakers) w();
      });
      this.listener = client;
      this.listenerReady = client
        .connect()
        .then(() => client.query('LISTEN es_events'))
        .then(() => {})
        .catch(() => {
          // Polling stays as the fallback.
          this.listener = undefined;
          this.listenerReady = undefined;
        });
    }
    return () => {
      this.wakers.delete(wake);
    };
  }

  async verifyStream(streamId: string): Promise<VerifyResult> {
    assertStreamId(streamId);
    await this.init();
    const events = await this.readRawStream(streamId);
    return verifyChain(events.length ? [events] : []);
  }

  async verifyAll(options: { streamPrefix?: string } = {}): Promise<VerifyResult> {
    await this.init();
    const prefix = options.streamPrefix ?? '';
    const { rows } = await this.pool.query<{ stream_id: string }>(
      `SELECT stream_id FROM es_streams WHERE starts_with(stream_id, $1) ORDER BY stream_id`,
      [prefix],
    );
    let streams = 0;
    let count = 0;
    for (const { stream_id } of rows) {
      const result = await this.verifyStream(stream_id);
      streams += 1;
      count += result.events;
      if (!result.ok) return { ...result, streams, events: count };
    }
    return { ok: true, streams, events: count };
  }

  /** Events exactly as stored (no upcasting): what the hashes cover. */
  private async readRawStream(streamId: string): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM es_events WHERE stream_id = $1 ORDER BY stream_version`,
      [streamId],
    );
    return rows.map(rowToEvent);
  }

  private toEvent(row: EventRow): RecordedEvent {
    return upcastEvent(rowToEvent(row), this.upcasters);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wakers.clear();
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await listener.end().catch(() => {});
    await this.pool.end();
  }
}

function rowToEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    streamVersion: Number(row.stream_version),
    globalPosition: BigInt(row.global_position),
    transactionId: BigInt(row.transaction_id),
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function prepare(
  streamId: string,
  head: StreamHead,
  groups: { commandId?: string | undefined; events: NewEvent[] }[],
) {
  const commandIds: (string | null)[] = [];
  const types: string[] = [];
  const schemaVersions: number[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  const prevHashes: string[] = [];
  const hashes: string[] = [];
  let prev = head.hash;
  let version = head.version;
  for (const group of groups) {
    for (const event of group.events) {
      version += 1;
      const schemaVersion = event.schemaVersion ?? 1;
      const hash = chainHash(prev, {
        streamId,
        streamVersion: version,
        type: event.type,
        schemaVersion,
        data: event.data,
        metadata: event.metadata,
      });
      commandIds.push(group.commandId ?? null);
      types.push(event.type);
      schemaVersions.push(schemaVersion);
      data.push(JSON.stringify(event.data));
      metadata.push(JSON.stringify(event.metadata));
      prevHashes.push(prev);
      hashes.push(hash);
      prev = hash;
    }
  }
  return { commandIds, types, schemaVersions, data, metadata, prevHashes, hashes };
}

function mapPgError(error: unknown, streamId: string): Error {
  const code = (error as { code?: string }).code;
  // 22P02/22P05/22021: invalid text representation, untranslatable character, bad encoding.
  if (code === '22P02' || code === '22P05' || code === '22021' || code === '54000') {
    return new EventStoreError(
      'invalid-event',
      `event rejected by the store: ${(error as Error).message}`,
      {
        streamId,
      },
    );
  }
  if (code === '23505') {
    // Unique (stream_id, stream_version): a concurrent writer won (defence in depth).
    return new VersionConflictError(streamId, 'exact', -1);
  }
  return error instanceof Error ? error : new Error(String(error));
}
