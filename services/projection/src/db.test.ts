import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from './db.ts';

describe('createDb (queries handed to pg with a callback)', () => {
  let db: ReturnType<typeof createDb>;
  beforeAll(async () => {
    // One connection: a client not given back after a failure would hang the next query.
    db = createDb(await testDatabaseUrl(), 1);
  });
  afterAll(() => db.destroy());

  it('returns rows, rejects with the server error, and gives the client back either way', async () => {
    const { rows } = await sql<{ n: number }>`SELECT 1 + ${1}::int AS n`.execute(db);
    expect(rows).toEqual([{ n: 2 }]);
    await expect(sql`SELECT * FROM no_such_table`.execute(db)).rejects.toMatchObject({
      code: '42P01',
    });
    await expect(
      db.transaction().execute(async (tx) => {
        await sql`CREATE TABLE t (id int PRIMARY KEY)`.execute(tx);
        await sql`INSERT INTO t VALUES (1)`.execute(tx);
        await sql`INSERT INTO t VALUES (1)`.execute(tx);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    // The transaction rolled back: the table was never made.
    const { rows: tables } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM pg_tables WHERE tablename = 't'`.execute(db);
    expect(tables).toEqual([{ n: '0' }]);
  });
});
