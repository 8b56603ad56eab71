import { type ColumnDataType, type Expression, type Kysely, sql } from 'kysely';

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
  let table = db.schema.createTable(name);
  for (const key of keys) table = table.addColumn(key, 'text', (c) => c.notNull());
  for (const [column, type, nullable] of columns) {
    table = table.addColumn(column, type, (c) => (nullable ? c : c.notNull()));
  }
  await table
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

/** Every version of a key, in order: what `asOf` queries use. Unique: one version per event. */
export async function versionsIndex(
  db: Pick<Kysely<unknown>, 'schema'>,
  name: string,
  keys: readonly string[],
): Promise<void> {
  await db.schema
    .createIndex(`${name}_versions`)
    .ifNotExists()
    .on(name)
    .columns([...keys, 'valid_from_tx', 'valid_from_pos'])
    .unique()
    .execute();
}
