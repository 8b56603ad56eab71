import type { Checkpoint, RecordedEvent } from '@yishi/event-store';
import { type Expression, type Kysely, type SelectType, type SqlBool, sql } from 'kysely';
import type { Database, ReadModelTables, Temporal } from '../tables.ts';

// Temporal read-model rows: every change of an entity is a new row version, valid from the
// event that made it until the event that replaced it. `asOf` then filters instead of rebuilding,
// and a rebuild produces exactly the rows the live projector wrote, whatever the batch sizes.

/** Where an event sits in the global order, as the read models store it. */
export interface At {
  tx: string;
  pos: string;
  recordedAt: Date;
}

const ats = new WeakMap<RecordedEvent, At>();

/** Made once per event, whichever projections read it (events are shared, never changed). */
export function atOf(event: RecordedEvent): At {
  let at = ats.get(event);
  if (!at) {
    at = {
      tx: event.transactionId.toString(),
      pos: event.globalPosition.toString(),
      recordedAt: event.recordedAt,
    };
    ats.set(event, at);
  }
  return at;
}

type Selected<T> = { [K in keyof T]: SelectType<T[K]> };
/** A row as read, without its validity columns. */
export type Data<T extends Temporal> = Omit<Selected<T>, keyof Temporal>;

type TemporalTableName = {
  [K in keyof ReadModelTables]: ReadModelTables[K] extends Temporal ? K : never;
}[keyof ReadModelTables];

interface Entry<D> {
  /** The version current in the database before this batch, if any. */
  stored: D | undefined;
  /** New versions made in this batch, oldest first; at most one per event. */
  versions: { data: D; at: At }[];
}

/**
 * The second pass reached a key the first pass did not note (a handler that touches a key only
 * when state it read allows): the pass starts again with that key loaded.
 */
export class NotLoaded extends Error {
  constructor(table: string) {
    super(`${table}: a key the first pass did not note`);
    this.name = 'NotLoaded';
  }
}

/**
 * The rows one batch writes to a versioned (temporal) table. `load` the current versions of the
 * keys the batch touches (one query), `get`/`put` while applying events in order, then `flush`
 * (two statements: close the replaced versions, insert the new ones).
 */
export class VersionedRows<N extends TemporalTableName> implements BatchRows {
  private readonly entries = new Map<string, Entry<Data<ReadModelTables[N]>>>();
  /** While collecting, reads and writes only note the keys the batch touches. */
  private noting: Map<string, readonly string[]> | undefined;
  /** Keys the second pass needed and did not have. */
  private missing = new Map<string, readonly string[]>();
  /** The table holds no version of any key (`loadNothing`): none is loaded or missing. */
  private nothingStored = false;

  constructor(
    readonly table: N,
    readonly keys: readonly (keyof Data<ReadModelTables[N]> & string)[],
  ) {}

  private keyOf(values: readonly string[]): string {
    return values.join('\u0000');
  }

  /** Start noting the keys touched (first pass over a batch). */
  collect(): void {
    this.noting = new Map();
  }

  /** Load what the first pass noted; reads and writes are real from now on. */
  async loadCollected(db: Kysely<Database>, schema: string): Promise<void> {
    const keys = [...(this.noting?.values() ?? [])];
    this.noting = undefined;
    await this.load(db, schema, keys);
  }

  /** No key has a stored version (empty tables): one pass, reads and writes real from the start. */
  loadNothing(): void {
    this.noting = undefined;
    this.nothingStored = true;
  }

  /** Forget the changes of a pass that is to be run again; load the keys it missed. */
  async retry(db: Kysely<Database>, schema: string): Promise<void> {
    for (const entry of this.entries.values()) entry.versions = [];
    const missing = [...this.missing.values()];
    this.missing = new Map();
    await this.load(db, schema, missing);
  }

  /** Loads the current versions of `keys` (each a tuple in the order of `this.keys`). */
  async load(db: Kysely<Database>, schema: string, keys: readonly (readonly string[])[]) {
    const missing = new Map<string, readonly string[]>();
    for (const key of keys) {
      const k = this.keyOf(key);
      if (!this.entries.has(k)) missing.set(k, key);
    }
    if (missing.size === 0) return;
    for (const k of missing.keys()) this.entries.set(k, { stored: undefined, versions: [] });
    const columns = this.keys.map((_, i) => [...missing.values()].map((key) => key[i]!));
    // One index probe per key (LATERAL ... LIMIT 1): never a join over the whole table, whatever
    // the statistics say while a rebuild fills it.
    const names = this.keys.map((_, i) => sql.id(`k${i}`));
    const { rows } = await sql<Selected<ReadModelTables[N]>>`
      SELECT t.* FROM unnest(${sql.join(columns.map((c) => sql`${c}::text[]`))}) AS k(${sql.join(names)})
      CROSS JOIN LATERAL (
        SELECT * FROM ${sql.table(`${schema}.${this.table}`)} AS t
         WHERE ${sql.join(
           this.keys.map((key, i) => sql`t.${sql.ref(key)} = k.${sql.id(`k${i}`)}`),
           sql` AND `,
         )}
           AND t.valid_to_tx IS NULL
         LIMIT 1) AS t`.execute(db);
    for (const row of rows) {
      const data = withoutValidity(row);
      const entry = this.entries.get(this.keyOf(this.keys.map((k) => String(data[k]))));
      if (entry) entry.stored = data;
    }
  }

  /**
   * Has the first pass load `key`, for a second pass that may read it when the first could not
   * tell (it reads only what state the first pass does not have allows).
   */
  prefetch(key: readonly string[]): void {
    this.noting?.set(this.keyOf(key), key);
  }

  /** The latest version of the entity: made in this batch, else loaded. */
  get(key: readonly string[]): Data<ReadModelTables[N]> | undefined {
    if (this.noting) {
      this.noting.set(this.keyOf(key), key);
      return undefined;
    }
    const entry = this.entries.get(this.keyOf(key));
    if (!entry) {
      if (this.nothingStored) return undefined;
      this.missing.set(this.keyOf(key), key);
      throw new NotLoaded(this.table);
    }
    return entry.versions.at(-1)?.data ?? entry.stored;
  }

  /**
   * A new version from the event at `at` (a second change by the same event replaces the first).
   * The first pass notes its key: the version it replaces is loaded before the second.
   */
  put(data: Data<ReadModelTables[N]>, at: At): void {
    const values = this.keys.map((k) => String(data[k]));
    const key = this.keyOf(values);
    if (this.noting) {
      this.noting.set(key, values);
      return;
    }
    let entry = this.entries.get(key);
    if (!entry && this.nothingStored) {
      entry = { stored: undefined, versions: [] };
      this.entries.set(key, entry);
    }
    if (!entry) {
      this.missing.set(key, values);
      throw new NotLoaded(this.table);
    }
    const last = entry.versions.at(-1);
    if (last && last.at.tx === at.tx && last.at.pos === at.pos) last.data = data;
    else entry.versions.push({ data, at });
  }

  /**
   * The first version of an entity the domain guarantees is new (e.g. a voter's first ballot on
   * an item): no lookup. Should it exist after all, the unique index of current versions refuses
   * the batch instead of keeping two.
   */
  putFirst(data: Data<ReadModelTables[N]>, at: At): void {
    if (this.noting) return;
    const key = this.keyOf(this.keys.map((k) => String(data[k])));
    if (!this.entries.has(key)) this.entries.set(key, { stored: undefined, versions: [] });
    this.put(data, at);
  }

  /** Changes an existing entity; an event about an unknown one is ignored (the decider refused it). */
  update(
    key: readonly string[],
    at: At,
    change: (current: Data<ReadModelTables[N]>) => Data<ReadModelTables[N]>,
  ): void {
    const current = this.get(key);
    if (current) this.put(change(current), at);
  }

  async flush(db: Kysely<Database>, schema: string, insert?: Insert): Promise<void> {
    const table = sql.table(`${schema}.${this.table}`);
    const closes: Record<string, unknown>[] = [];
    const inserts: Record<string, unknown>[] = [];
    for (const entry of this.entries.values()) {
      const { versions, stored } = entry;
      if (versions.length === 0) continue;
      if (stored) {
        const close: Record<string, unknown> = {
          valid_to_tx: versions[0]!.at.tx,
          valid_to_pos: versions[0]!.at.pos,
        };
        for (const k of this.keys) close[k] = stored[k];
        closes.push(close);
      }
      versions.forEach(({ data, at }, i) => {
        const next = versions[i + 1];
        inserts.push({
          ...data,
          valid_from_tx: at.tx,
          valid_from_pos: at.pos,
          valid_to_tx: next ? next.at.tx : null,
          valid_to_pos: next ? next.at.pos : null,
          recorded_at: at.recordedAt,
        });
      });
      entry.stored = versions.at(-1)!.data;
      entry.versions = [];
    }
    if (closes.length > 0) {
      await sql`
        UPDATE ${table} AS t
           SET valid_to_tx = c.valid_to_tx, valid_to_pos = c.valid_to_pos
          FROM json_populate_recordset(NULL::${table}, ${JSON.stringify(closes)}::json) AS c
         WHERE ${sql.join(
           this.keys.map((k) => sql`t.${sql.ref(k)} = c.${sql.ref(k)}`),
           sql` AND `,
         )}
           AND t.valid_to_tx IS NULL`.execute(db);
    }
    await (insert ?? jsonInsert(db, schema))(this.table, inserts);
  }
}

/** Inserts rows into a read-model table of the batch's generation. */
export type Insert = (
  table: keyof ReadModelTables,
  rows: readonly Record<string, unknown>[],
) => Promise<void>;

export const jsonInsert =
  (db: Kysely<Database>, schema: string): Insert =>
  (table, rows) =>
    insertRows(db, schema, table, rows);

/**
 * Inserts rows in one statement: a JSON array turned into rows of the table's own type (json,
 * not jsonb: the text is read once, field by field).
 */
export async function insertRows(
  db: Kysely<Database>,
  schema: string,
  table: keyof ReadModelTables,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  if (rows.length === 0) return;
  const t = sql.table(`${schema}.${table}`);
  await sql`INSERT INTO ${t} SELECT * FROM json_populate_recordset(NULL::${t}, ${JSON.stringify(rows)}::json)`.execute(
    db,
  );
}

function withoutValidity<T extends Temporal>(row: Selected<T>): Data<T> {
  const {
    valid_from_tx: _a,
    valid_from_pos: _b,
    valid_to_tx: _c,
    valid_to_pos: _d,
    recorded_at: _e,
    ...data
  } = row;
  return data as Data<T>;
}

/**
 * The versions visible at `asOf` (the record as it stood then), or the current ones.
 * `alias` qualifies the columns when the query joins tables.
 */
export function visibleAt(asOf: Checkpoint | undefined, alias?: string): Expression<SqlBool> {
  const col = (name: string) => (alias ? sql.ref(`${alias}.${name}`) : sql.ref(name));
  if (!asOf) return sql<SqlBool>`${col('valid_to_tx')} IS NULL`;
  const tx = asOf.transactionId.toString();
  const pos = asOf.globalPosition.toString();
  return sql<SqlBool>`(${col('valid_from_tx')}, ${col('valid_from_pos')}) <= (${tx}::int8, ${pos}::int8)
    AND (${col('valid_to_tx')} IS NULL OR (${col('valid_to_tx')}, ${col('valid_to_pos')}) > (${tx}::int8, ${pos}::int8))`;
}

/** Append-only rows (one per event) recorded at or before `asOf`. */
export function recordedBy(
  asOf: Checkpoint | undefined,
  txColumn = 'transaction_id',
  posColumn = 'global_position',
): Expression<SqlBool> {
  if (!asOf) return sql<SqlBool>`TRUE`;
  return sql<SqlBool>`(${sql.ref(txColumn)}, ${sql.ref(posColumn)}) <= (${asOf.transactionId.toString()}::int8, ${asOf.globalPosition.toString()}::int8)`;
}

/** Columns and indexes every temporal table has; used by the projections' migrations. */
export const TEMPORAL_COLUMNS = [
  'valid_from_tx',
  'valid_from_pos',
  'valid_to_tx',
  'valid_to_pos',
  'recorded_at',
] as const;

/** The rows one batch adds to an append-only table (one per event or per fact, never versioned). */
export class AppendedRows<N extends keyof ReadModelTables> implements BatchRows {
  private rows: Record<string, unknown>[] = [];
  private collecting = false;

  constructor(readonly table: N) {}

  collect(): void {
    this.collecting = true;
  }

  async loadCollected(): Promise<void> {
    this.collecting = false;
  }

  loadNothing(): void {
    this.collecting = false;
  }

  async retry(): Promise<void> {
    this.rows = [];
  }

  add(row: { [K in keyof ReadModelTables[N]]: SelectType<ReadModelTables[N][K]> }): void {
    if (!this.collecting) this.rows.push(row);
  }

  async flush(db: Kysely<Database>, schema: string, insert?: Insert): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    await (insert ?? jsonInsert(db, schema))(this.table, rows);
  }
}

/** What one batch writes to one table, through the two passes of `applyInTwoPasses`. */
export interface BatchRows {
  collect(): void;
  loadCollected(db: Kysely<Database>, schema: string): Promise<void>;
  /** Instead of a first pass and `loadCollected`: the table holds nothing the batch touches. */
  loadNothing(): void;
  retry(db: Kysely<Database>, schema: string): Promise<void>;
  flush(db: Kysely<Database>, schema: string, insert?: Insert): Promise<void>;
}

/**
 * Applies a batch in two passes over the same handler: the first notes the keys the events
 * touch, one query per table loads their current versions, the second makes the changes, and
 * a flush writes them. A key the second pass reaches that the first did not note (touched only
 * when state allows) is loaded and the second pass runs again. Over empty tables the second
 * pass alone.
 */
export async function applyInTwoPasses(
  db: Kysely<Database>,
  schema: string,
  tables: readonly BatchRows[],
  events: readonly RecordedEvent[],
  handle: (event: RecordedEvent, at: At) => void,
  insert?: Insert,
  /** The tables hold no row yet (`ProjectionContext.empty`): one pass, nothing to load. */
  empty = false,
): Promise<void> {
  if (events.length === 0) return;
  const ats = events.map(atOf);
  if (empty) {
    for (const table of tables) table.loadNothing();
  } else {
    for (const table of tables) table.collect();
    for (const [i, event] of events.entries()) handle(event, ats[i]!);
    for (const table of tables) await table.loadCollected(db, schema);
  }
  for (;;) {
    try {
      for (const [i, event] of events.entries()) handle(event, ats[i]!);
      break;
    } catch (error) {
      if (!(error instanceof NotLoaded)) throw error;
      for (const table of tables) await table.retry(db, schema);
    }
  }
  for (const table of tables) await table.flush(db, schema, insert);
}
