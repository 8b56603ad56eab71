import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db.ts';
import type { Projection } from '../projections/projection.ts';
import type { Database } from '../tables.ts';
import { indexGeneration } from './generations.ts';

// A concurrent index build that failed (as query indexes were built before readers of the event
// store passed transactions that append nothing) leaves an invalid index.

let db: Kysely<Database>;
beforeAll(async () => {
  db = createDb(await testDatabaseUrl(), 4);
});
afterAll(async () => {
  await db?.destroy();
});

const uniqueIndex = (d: Kysely<Database>) =>
  d.schema.createIndex('things_key').ifNotExists().on('things').columns(['k']).unique();

describe('query index builds', () => {
  it('replace an invalid index a failed build left, instead of keeping it', async () => {
    await sql`CREATE SCHEMA ib; CREATE TABLE ib.things (k text); INSERT INTO ib.things VALUES ('a'), ('a')`.execute(
      db,
    );
    // Duplicates: the concurrent unique build fails and leaves the index invalid.
    await expect(
      sql`CREATE UNIQUE INDEX CONCURRENTLY things_key ON ib.things (k)`.execute(db),
    ).rejects.toThrow(/duplicate|unique/i);
    await sql`DELETE FROM ib.things WHERE ctid = (SELECT max(ctid) FROM ib.things)`.execute(db);
    const projection: Projection = {
      name: 'things',
      version: 1,
      migrations: {},
      tables: [],
      indexes: (d) => [uniqueIndex(d)],
      apply: async () => {},
    };
    await indexGeneration(db, projection, 'ib');
    const { rows } = await sql<{ valid: boolean }>`
      SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = 'ib.things_key'::regclass`.execute(
      db,
    );
    expect(rows).toEqual([{ valid: true }]);
    await expect(sql`INSERT INTO ib.things VALUES ('a')`.execute(db)).rejects.toThrow(/duplicate/);
  });
});
