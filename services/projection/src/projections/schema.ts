import {
  type ColumnDataType,
  type Compilable,
  type CreateTableBuilder,
  type Expression,
  type Kysely,
  sql,
} from 'kysely';
import { VersionedRows } from './temporal.ts';

// Table helpers for the projections' migrations.

/** `[name, type]` is NOT NULL; `[name, type, 'null']` may be null. */
export type ColumnSpec = readonly [string, ColumnDataType | Expression<unknown>, 'null'?];

/** A text array column type. */
export const TEXT_ARRAY = sql`text[]`;

/**
 * A temporal table: the key columns (text), the data columns, and the validity range of each
 * version. At most one version per key is current (the index every batch probes); the index
 * over all versions is the projection's to create (see `versionsIndex`).
 */
export async function createTemporalTable(
  db: Kysely<unknown>,
  name: string,
  keys: readonly string[],
  columns: readonly ColumnSpec[],
): Promise<void> {
  const keyColumns = keys.map((key): ColumnSpec => [key, 'text']);
  await withColumns(db.schema.createTable(name), [...keyColumns, ...columns])
    .addColumn('valid_from_tx', 'int8', (c) => c.notNull())
    .addColumn('valid_from_pos', 'int8', (c) => c.notNull())
    .addColumn('valid_to_tx', 'int8')
    .addColumn('valid_to_pos', 'int8')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex(`${name}_current`)
    .on(name)
    .columns([...keys])
    .unique()
    .where(sql.ref('valid_to_tx'), 'is', null)
    .execute();
}

/** An append-only table (rows never change): the columns, then the position of its event. */
export async function createAppendTable(
  db: Kysely<unknown>,
  name: string,
  columns: readonly ColumnSpec[],
): Promise<void> {
  await withColumns(db.schema.createTable(name), columns)
    .addColumn('transaction_id', 'int8', (c) => c.notNull())
    .addColumn('global_position', 'int8', (c) => c.notNull())
    .execute();
}

function withColumns(
  table: CreateTableBuilder<string>,
  columns: readonly ColumnSpec[],
): CreateTableBuilder<string> {
  let out = table;
  for (const [column, type, nullable] of columns) {
    out = out.addColumn(column, type, (c) => (nullable ? c : c.notNull()));
  }
  return out;
}

/** Every version of a key, in order: what `asOf` queries use. Unique: one version per event. */
export function versionsIndex(
  db: Pick<Kysely<unknown>, 'schema'>,
  name: string,
  keys: readonly string[],
): Compilable {
  return db.schema
    .createIndex(`${name}_versions`)
    .ifNotExists()
    .on(name)
    .columns([...keys, 'valid_from_tx', 'valid_from_pos'])
    .unique();
}

/** The versions index of each versioned table a projection's batches write. */
export function versionsIndexes(
  db: Pick<Kysely<unknown>, 'schema'>,
  batchRows: Record<string, unknown>,
): Compilable[] {
  return Object.values(batchRows).flatMap((rows) =>
    rows instanceof VersionedRows ? [versionsIndex(db, rows.table, rows.keys)] : [],
  );
}
