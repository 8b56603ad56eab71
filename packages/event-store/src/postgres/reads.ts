import type pg from 'pg';
import type {
  AppendResult,
  Checkpoint,
  JsonObject,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
} from '../types.ts';
import { type Upcaster, upcastEvent } from '../upcast.ts';
import {
  assertBatchSize,
  assertCheckpoint,
  assertCommandId,
  assertStreamId,
  readStreamRange,
} from '../validation.ts';
import type { Connection } from './connection.ts';
import { withoutMembers } from './members.ts';

// Reads: a stream, the global order (filtered or not), a command's result, a stream's head.
// Rows come back as arrays in the order of EVENT_COLUMNS.

export const EVENT_COLUMNS = `global_position, transaction_id::text AS txid, stream_id, stream_version,
  type, schema_version, data, metadata, recorded_at, prev_hash, hash`;

/** An event row in `rowMode: 'array'`, in the order of EVENT_COLUMNS. */
export type EventRow = [
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

/**
 * Where readers of the global order stop: they read only events whose transaction id is below
 * it, so that no event can commit behind them. It is the oldest transaction, running in the
 * statement's snapshot, that may still append; when none is, the snapshot's `xmax` (every
 * transaction below it had ended).
 *
 * A transaction appends only if it takes `es_events`' ROW EXCLUSIVE lock before its id (the
 * insert's lock is taken when the statement is planned, its id at the first row; the table's
 * trigger refuses an insert whose transaction had an id before its first insert there). So a
 * running transaction with an id and no such lock will never append: readers pass it. Waiting
 * for every running transaction instead (`pg_snapshot_xmin`) let any long one (an index build,
 * a rebuild's batch, an open psql session) stop every reader for as long as it ran.
 *
 * pg_locks is read after the snapshot was taken: a transaction running in the snapshot whose id
 * has no lock row there, or whose local id is 0, has ended since or is ending (releasing its
 * locks one at a time), or is taking its id; it is waited for (its events, if it committed, are
 * not in this snapshot: the next read sees them). On a standby, which sees no
 * lock of the primary's transactions, this is `pg_snapshot_xmin`. Subquery of a read: one
 * statement, one snapshot.
 */
export const VISIBLE_HORIZON_SQL = `(
  WITH h AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
  held AS MATERIALIZED (
    SELECT l.virtualtransaction AS vxid, l.locktype = 'relation' AS appends,
           l.transactionid::text::int8 AS xid
      FROM pg_locks l
     WHERE (l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock')
        OR (l.locktype = 'relation' AND l.mode = 'RowExclusiveLock'
            AND l.relation = 'es_events'::regclass
            AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())))
  SELECT least(pg_snapshot_xmax(h.s), (
    SELECT min(r.xid) FROM pg_snapshot_xip(h.s) AS r(xid)
     -- Unless known not to append: its (32-bit) id held by a transaction without the lock. Not
     -- one ending (its local id already 0, its locks being released one by one).
     WHERE NOT EXISTS (
       SELECT 1 FROM held t
        WHERE NOT t.appends AND t.xid = (r.xid::text::int8 & 4294967295)
          AND t.vxid NOT LIKE '%/0'
          AND NOT EXISTS (SELECT 1 FROM held a WHERE a.appends AND a.vxid = t.vxid))))
    FROM h)`;

/** The event columns with the data as its text (left unparsed, for `omit`). */
const DATA_AS_TEXT_COLUMNS = EVENT_COLUMNS.replace('data,', 'data::text AS data,');
/** Events of some types (all: $5 null) after $1/$2 up to $3/$4, at most $6. */
const ALL_OF_TYPES = `FROM es_events
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND (transaction_id, global_position) <= ($3::xid8, $4::bigint)
              AND ($5::text[] IS NULL OR type = ANY($5::text[]))
            ORDER BY transaction_id, global_position LIMIT $6`;
/** One community's events of some types (all: $7 null) after $2/$3 up to $4/$5, at most $6. */
const COMMUNITY = `FROM es_events
            WHERE community_id = $1
              AND (transaction_id, global_position) > ($2::xid8, $3::bigint)
              AND (transaction_id, global_position) <= ($4::xid8, $5::bigint)
              AND ($7::text[] IS NULL OR type = ANY($7::text[]))
            ORDER BY transaction_id, global_position LIMIT $6`;

// Named statements: parsed and planned once per connection.
const Q = {
  readAll: {
    name: 'es_read_all',
    rowMode: 'array',
    // ORDER BY names the xid8 column, not the text alias: text order would be wrong.
    text: `SELECT ${EVENT_COLUMNS} FROM es_events
            WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
              AND transaction_id < ${VISIBLE_HORIZON_SQL}
            ORDER BY transaction_id, global_position LIMIT $3`,
  },
  readAllOfTypes: {
    name: 'es_read_all_of_types',
    rowMode: 'array',
    text: `SELECT ${EVENT_COLUMNS} ${ALL_OF_TYPES}`,
  },
  // As readAllOfTypes, the data as its text (members are left out of it before it is parsed).
  readAllOfTypesText: {
    name: 'es_read_all_of_types_text',
    rowMode: 'array',
    text: `SELECT ${DATA_AS_TEXT_COLUMNS} ${ALL_OF_TYPES}`,
  },
  readCommunity: {
    name: 'es_read_community',
    rowMode: 'array',
    text: `SELECT ${EVENT_COLUMNS} ${COMMUNITY}`,
  },
  // As readCommunity, the data as its text.
  readCommunityText: {
    name: 'es_read_community_text',
    rowMode: 'array',
    text: `SELECT ${DATA_AS_TEXT_COLUMNS} ${COMMUNITY}`,
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
} as const;

/** The last event every reader can see (no count: one index probe). */
const VISIBLE_END_SQL = `SELECT transaction_id::text AS txid, global_position::text AS position
    FROM es_events WHERE transaction_id < ${VISIBLE_HORIZON_SQL}
   ORDER BY transaction_id DESC, global_position DESC LIMIT 1`;

/** The last event every reader can see, and how many events lie at or before it. */
const END_OF_GLOBAL_ORDER_SQL = `WITH last AS (
    SELECT transaction_id, global_position FROM es_events
     WHERE transaction_id < ${VISIBLE_HORIZON_SQL}
     ORDER BY transaction_id DESC, global_position DESC LIMIT 1)
  SELECT l.transaction_id::text AS txid, l.global_position::text AS position,
         (SELECT count(*) FROM es_events e
           WHERE (e.transaction_id, e.global_position) <= (l.transaction_id, l.global_position))::text AS n
    FROM last l`;

/** Up to `batchSize` rows after `from` in the global order, below the horizon (VISIBLE_HORIZON_SQL). */
export function globalOrderQuery(from: Checkpoint, batchSize: number): pg.QueryConfig {
  return {
    ...Q.readAll,
    values: [from.transactionId.toString(), from.globalPosition.toString(), batchSize],
  };
}

export function rowToEvent(row: EventRow): RecordedEvent {
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

/** The reads of the adapter, events upcast as read. */
export class Reads {
  constructor(
    private readonly connection: Connection,
    private readonly upcasters: readonly Upcaster[],
  ) {}

  toEvent(row: EventRow): RecordedEvent {
    const event = rowToEvent(row);
    return this.upcasters.length ? upcastEvent(event, this.upcasters) : event;
  }

  async readStream(streamId: string, options: ReadStreamOptions): Promise<RecordedEvent[]> {
    assertStreamId(streamId);
    const { from, maxCount } = readStreamRange(options);
    const rows = await this.streamRows(streamId, from, maxCount ?? null);
    return rows.map((r) => this.toEvent(r));
  }

  /** Rows of a stream from version `from`, as stored (verification reads them unchanged). */
  async streamRows(streamId: string, from: number, maxCount: number | null): Promise<EventRow[]> {
    const { rows } = await this.connection.query<EventRow>({
      ...Q.readStream,
      values: [streamId, from, maxCount],
    });
    return rows;
  }

  async findCommand(commandId: string): Promise<AppendResult | undefined> {
    assertCommandId(commandId);
    const { rows } = await this.connection.query<{
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
    const { rows } = await this.connection.query<{ stream_version: string; hash: string }>({
      ...Q.head,
      values: [streamId],
    });
    const row = rows[0];
    return row ? { version: Number(row.stream_version), hash: row.hash } : undefined;
  }

  async visibleEnd(): Promise<Checkpoint | undefined> {
    const { rows } = await this.connection.query<{ txid: string; position: string }>({
      text: VISIBLE_END_SQL,
    });
    const row = rows[0];
    return row
      ? { transactionId: BigInt(row.txid), globalPosition: BigInt(row.position) }
      : undefined;
  }

  async endOfGlobalOrder(): Promise<{ checkpoint: Checkpoint; events: number } | undefined> {
    const { rows } = await this.connection.query<{ txid: string; position: string; n: string }>({
      text: END_OF_GLOBAL_ORDER_SQL,
    });
    const row = rows[0];
    if (!row) return undefined;
    return {
      checkpoint: { transactionId: BigInt(row.txid), globalPosition: BigInt(row.position) },
      events: Number(row.n),
    };
  }

  /** See `PostgresEventStore.readCommunity`. */
  async readCommunity(
    communityId: string,
    from: Checkpoint,
    until: Checkpoint,
    batchSize: number,
    types?: readonly string[],
    omit?: Readonly<Record<string, readonly string[]>>,
  ): Promise<ReadAllResult> {
    assertCheckpoint(from);
    assertCheckpoint(until);
    assertBatchSize(batchSize);
    const omitted = omittedMembers(omit);
    const { rows } = await this.connection.query<EventRow>({
      ...(omitted.size > 0 ? Q.readCommunityText : Q.readCommunity),
      values: [
        communityId,
        from.transactionId.toString(),
        from.globalPosition.toString(),
        until.transactionId.toString(),
        until.globalPosition.toString(),
        batchSize,
        types ?? null,
      ],
    });
    parseOmitting(rows, omitted);
    return this.batchUntil(rows, batchSize, until);
  }

  /** See `PostgresEventStore.readAllOfTypes`. */
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
    const omitted = omittedMembers(omit);
    const { rows } = await this.connection.query<EventRow>({
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
    parseOmitting(rows, omitted);
    return this.batchUntil(rows, batchSize, until);
  }

  /** A batch of a read bounded by `until`: a short one ends there. */
  private batchUntil(rows: EventRow[], batchSize: number, until: Checkpoint): ReadAllResult {
    const events = rows.map((r) => this.toEvent(r));
    const last = events[events.length - 1];
    const checkpoint =
      last && rows.length === batchSize
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : until;
    return { events: Object.freeze(events) as RecordedEvent[], checkpoint };
  }
}

/** By event type, the members of its data to leave out (`omit` without the empty ones). */
function omittedMembers(
  omit: Readonly<Record<string, readonly string[]>> | undefined,
): Map<string, Set<string>> {
  return new Map(
    Object.entries(omit ?? {})
      .filter(([, fields]) => fields.length > 0)
      .map(([type, fields]) => [type, new Set(fields)]),
  );
}

/** Rows read with their data as text (when members are omitted): the data parsed without them. */
function parseOmitting(rows: EventRow[], omitted: Map<string, Set<string>>): void {
  if (omitted.size === 0) return;
  for (const row of rows) {
    const text = row[6] as unknown as string;
    const fields = omitted.get(row[4]);
    row[6] = JSON.parse(fields ? withoutMembers(text, fields) : text) as JsonObject;
  }
}
