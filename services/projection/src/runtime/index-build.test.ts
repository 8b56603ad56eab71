import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../db.ts';
import type { Projection } from '../projections/projection.ts';
import type { Database } from '../tables.ts';
import { concurrently, indexGeneration } from './generations.ts';

// Query indexes are built CONCURRENTLY (a plain CREATE INDEX holds back every reader of the
// event store for the whole build); a concurrent build that failed leaves an invalid index.

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
  it('are compiled CONCURRENTLY', () => {
    expect(concurrently(uniqueIndex(db.withSchema('s')).compile()).sql).toMatch(
      /^create unique index concurrently if not exists "things_key" on "s"\."things"/,
    );
    expect(concurrently(db.schema.createIndex('i').on('t').column('c').compile()).sql).toMatch(
      /^create index concurrently "i"/,
    );
    const other = db.selectNoFrom(sql`1`.as('one')).compile();
    expect(concurrently(other).sql).toBe(other.sql);
  });

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
