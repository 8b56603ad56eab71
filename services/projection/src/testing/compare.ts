import { type Kysely, sql } from 'kysely';
import type { Projection } from '../projections/projection.ts';
import { activeGeneration } from '../runtime/generations.ts';
import type { Database } from '../tables.ts';

export interface TableDifference {
  table: string;
  onlyInFirst: number;
  onlyInSecond: number;
  rows: number;
}

/**
 * Compares the contents of a projection's tables in two generation schemas, as multisets of
 * rows made jsonb: json columns have no equality operator, and a JSON value's text may differ in
 * key order and spacing (set-based rebuilds keep the events' own text) where the value does not.
 */
export async function compareGenerations(
  db: Kysely<Database>,
  projection: Projection,
  first: string,
  second: string,
): Promise<TableDifference[]> {
  const out: TableDifference[] = [];
  for (const table of projection.tables) {
    const a = sql.table(`${first}.${table}`);
    const b = sql.table(`${second}.${table}`);
    const { rows } = await sql<{ only_a: number; only_b: number; n: number }>`
      SELECT (SELECT count(*) FROM (SELECT to_jsonb(r) FROM ${a} r EXCEPT ALL SELECT to_jsonb(r) FROM ${b} r) x)::int AS only_a,
             (SELECT count(*) FROM (SELECT to_jsonb(r) FROM ${b} r EXCEPT ALL SELECT to_jsonb(r) FROM ${a} r) y)::int AS only_b,
             (SELECT count(*) FROM ${a})::int AS n`.execute(db);
    const row = rows[0]!;
    out.push({ table, onlyInFirst: row.only_a, onlyInSecond: row.only_b, rows: row.n });
  }
  return out;
}

/**
 * Each projection's tables in its active generation against those of `built` (in the same order,
 * as a rebuild returns its generations), each difference named by its projection.
 */
export async function differencesFromActive(
  db: Kysely<Database>,
  projections: readonly Projection[],
  built: readonly { schema: string }[],
): Promise<(TableDifference & { projection: string })[]> {
  const out: (TableDifference & { projection: string })[] = [];
  for (const [i, projection] of projections.entries()) {
    const active = await activeGeneration(db, projection.name);
    if (!active) throw new Error(`${projection.name} has no active generation`);
    for (const d of await compareGenerations(db, projection, active.schema, built[i]!.schema)) {
      out.push({ ...d, projection: projection.name });
    }
  }
  return out;
}
