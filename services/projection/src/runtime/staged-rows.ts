import type pg from 'pg';

// A community's rows made again beside the live ones, then only the difference written: a
// per-community rebuild (community.ts) builds into staging copies of a generation's tables (the
// session's temporary tables, `pg_temp`, of the same names) and then deletes the live rows that
// are not among the new ones and inserts the new rows that are not among the live ones. A
// rebuild that finds the rows right writes nothing, and indexes are touched only for real
// changes: inserting a large community's timeline again cost two thirds of its rebuild in index
// maintenance alone.

/** The schema of the staging copies: the session's own temporary schema. */
export const STAGING = 'pg_temp';

/** What staging and comparing a live table needs to know of it (from the catalog). */
export interface TableShape {
  table: string;
  /** Its columns, in order; json has no equality and is compared as text. */
  columns: { name: string; json: boolean }[];
  /**
   * Columns that identify a row: those of a unique index without predicate or expression over
   * NOT NULL columns (the fewest). Without one, rows are compared as multisets.
   */
  key: string[] | undefined;
  /** Its unique indexes' definitions: the staging copy gets them (ON CONFLICT needs them). */
  uniqueIndexes: string[];
}

/** The shapes of a generation's tables (those that exist), in one query. */
export async function tableShapes(
  client: Pick<pg.PoolClient, 'query'>,
  schema: string,
  tables: readonly string[],
): Promise<TableShape[]> {
  const { rows } = await client.query<{
    table: string;
    columns: { name: string; type: string }[];
    uniques: { def: string; columns: string[]; usable: boolean }[] | null;
  }>(
    `SELECT c.relname AS table,
            (SELECT json_agg(json_build_object('name', a.attname,
                      'type', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
               FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
            (SELECT json_agg(json_build_object('def', pg_get_indexdef(i.indexrelid),
                      'columns', k.columns,
                      'usable', i.indpred IS NULL AND i.indexprs IS NULL AND k.not_null))
               FROM pg_index i
              CROSS JOIN LATERAL (
                    SELECT json_agg(a.attname ORDER BY k.n) AS columns,
                           bool_and(a.attnotnull) AS not_null
                      FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
                     WHERE k.n <= i.indnkeyatts) k
              WHERE i.indrelid = c.oid AND i.indisunique) AS uniques
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname = ANY($2::text[])`,
    [schema, tables],
  );
  return rows.map((row) => {
    const uniques = row.uniques ?? [];
    // The fewest columns: the cheapest join.
    const keys = uniques
      .filter((u) => u.usable)
      .map((u) => u.columns)
      .sort((a, b) => a.length - b.length);
    return {
      table: row.table,
      columns: row.columns.map((c) => ({ name: c.name, json: c.type === 'json' })),
      key: keys[0],
      uniqueIndexes: uniques.map((u) => u.def),
    };
  });
}

const id = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Creates the staging copies of `shapes` (empty, with the live tables' columns, defaults and
 * unique indexes), dropped at the end of the caller's transaction.
 */
export async function stageTables(
  client: pg.PoolClient,
  schema: string,
  shapes: readonly TableShape[],
): Promise<void> {
  const statements = shapes.flatMap((shape) => [
    `CREATE TEMP TABLE ${id(shape.table)} (LIKE ${id(schema)}.${id(shape.table)}
       INCLUDING DEFAULTS INCLUDING CONSTRAINTS) ON COMMIT DROP`,
    ...shape.uniqueIndexes.map((def) =>
      def.replace(
        /^CREATE UNIQUE INDEX .+? USING /,
        `CREATE UNIQUE INDEX ON ${STAGING}.${id(shape.table)} USING `,
      ),
    ),
  ]);
  if (statements.length > 0) await client.query(statements.join(';\n'));
}

/**
 * Makes the community's live rows of one table those of its staging copy, writing only the
 * difference; the number of rows written (deleted and inserted). Rows are the same when every
 * column is (json as text). Run after `comparing` in the caller's transaction.
 */
export async function writeDifference(
  client: pg.PoolClient,
  schema: string,
  shape: TableShape,
  communityId: string,
): Promise<number> {
  const live = `${id(schema)}.${id(shape.table)}`;
  const staged = `${STAGING}.${id(shape.table)}`;
  const names = shape.columns.map((c) => id(c.name)).join(', ');
  const values = (alias: string) =>
    shape.columns.map((c) => `${alias}.${id(c.name)}${c.json ? '::text' : ''}`).join(', ');
  if (shape.key) {
    // Rows matched by key; a pair that differs in any column is replaced, a row on one side only
    // deleted or inserted. What to write is found by reading alone (usually nothing).
    const { rows } = await client.query<{ gone: string | null; added: string | null }>(
      `SELECT array_agg(o.row_id) FILTER (WHERE o.row_id IS NOT NULL)::text AS gone,
              array_agg(n.ctid) FILTER (WHERE n.ctid IS NOT NULL)::text AS added
         FROM (SELECT l.ctid AS row_id, l.* FROM ${live} l WHERE l.community_id = $1) o
         FULL JOIN ${staged} n ON ${shape.key.map((k) => `n.${id(k)} = o.${id(k)}`).join(' AND ')}
        WHERE (${values('o')}) IS DISTINCT FROM (${values('n')})`,
      [communityId],
    );
    const { gone, added } = rows[0]!;
    let written = 0;
    if (gone) {
      written += (await client.query(`DELETE FROM ${live} WHERE ctid = ANY($1::tid[])`, [gone]))
        .rowCount!;
    }
    if (added) {
      written += (
        await client.query(
          `INSERT INTO ${live} (${names}) SELECT ${names} FROM ${staged} WHERE ctid = ANY($1::tid[])`,
          [added],
        )
      ).rowCount!;
    }
    return written;
  }
  // No key: compared as multisets (each distinct row with how many times each side has it); on
  // any difference the community's rows of this table are replaced whole (such tables are small).
  const { rows } = await client.query<{ differ: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM (SELECT ${values('o')}, 1 AS side FROM ${live} o WHERE o.community_id = $1
                      UNION ALL SELECT ${values('n')}, -1 FROM ${staged} n) AS u(${[
                        ...shape.columns.map((_, i) => `c${i}`),
                        'side',
                      ].join(', ')})
        GROUP BY ${shape.columns.map((_, i) => `c${i}`).join(', ')}
       HAVING sum(side) <> 0) AS differ`,
    [communityId],
  );
  if (!rows[0]!.differ) return 0;
  const deleted = await deleteCommunity(client, schema, shape, communityId);
  const inserted = await client.query(
    `INSERT INTO ${live} (${names}) SELECT ${names} FROM ${staged}`,
  );
  return deleted + inserted.rowCount!;
}

/** Deletes the community's live rows of one table (no new row to keep); the number deleted. */
export async function deleteCommunity(
  client: pg.PoolClient,
  schema: string,
  shape: TableShape,
  communityId: string,
): Promise<number> {
  const deleted = await client.query(
    `DELETE FROM ${id(schema)}.${id(shape.table)} WHERE community_id = $1`,
    [communityId],
  );
  return deleted.rowCount!;
}

/**
 * Plans for comparing whole sets (set in the caller's transaction, after a batch's KEY_LOOKUPS):
 * hash joins over a community's rows, with the memory to hold them.
 */
export const COMPARING =
  'SET LOCAL enable_hashjoin = on; SET LOCAL enable_mergejoin = on; SET LOCAL enable_seqscan = on; ' +
  "SET LOCAL work_mem = '64MB'";
