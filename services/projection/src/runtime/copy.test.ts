import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRows } from './copy.ts';

// Binary COPY writes values byte by byte: what comes back must be exactly what went in, for
// every column type the read models use and for text on both sides of the ASCII fast path.

describe('copyRows', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await testDatabaseUrl(), max: 2 });
    await pool.query(`CREATE SCHEMA copy_test`);
    await pool.query(`CREATE TABLE copy_test.t (
      id integer NOT NULL, name text, n int8, at timestamptz, ok boolean,
      doc json, docb jsonb, tags text[])`);
  });
  afterAll(async () => {
    await pool?.end();
  });

  it('round-trips every column type, ASCII and not, short and long, empty and null', async () => {
    const texts = [
      '',
      'c1',
      'a'.repeat(64),
      'b'.repeat(65),
      '居民议事会',
      `${'x'.repeat(63)}议`,
      'ascii then 业委会 then ascii',
      'emoji 🏠 and a surrogate pair',
      'tab\tnewline\nbackslash\\quote"',
    ];
    const rows = texts.map((name, i) => ({
      id: i,
      name,
      n: i % 2 === 0 ? String(2 ** 53 - 1 - i) : -i,
      at: i % 2 === 0 ? new Date(Date.UTC(2026, 10, 22, 3, i)) : `2026-11-22T03:0${i}:00.000Z`,
      ok: i % 3 === 0,
      doc: { name, list: [i, null, true], nested: { 议题: name } },
      docb: { name, i },
      tags: [name, null, 'z'],
    }));
    rows.push({
      id: 99,
      name: null as unknown as string,
      n: null as unknown as number,
      at: null as unknown as Date,
      ok: null as unknown as boolean,
      doc: null as unknown as (typeof rows)[0]['doc'],
      docb: null as unknown as (typeof rows)[0]['docb'],
      tags: [],
    });
    const client = await pool.connect();
    try {
      await copyRows(client, 'copy_test', 't', rows);
    } finally {
      client.release();
    }
    const { rows: back } = await pool.query(
      `SELECT id, name, n::text AS n, at, ok, doc, docb, tags FROM copy_test.t ORDER BY id`,
    );
    expect(back).toHaveLength(rows.length);
    for (const [i, row] of rows.entries()) {
      const got = back[i];
      expect(got.id).toBe(row.id);
      expect(got.name).toBe(row.name);
      expect(got.n).toBe(row.n === null ? null : String(row.n));
      expect(got.at === null ? null : got.at.getTime()).toBe(
        row.at === null ? null : new Date(row.at).getTime(),
      );
      expect(got.ok).toBe(row.ok);
      expect(got.doc).toEqual(row.doc);
      expect(got.docb).toEqual(row.docb);
      expect(got.tags).toEqual(row.tags);
    }
  });

  it('grows its buffer for rows much larger than the first guess, and keeps every byte', async () => {
    await pool.query(`CREATE TABLE copy_test.big (id integer NOT NULL, name text, doc json)`);
    // The buffer starts at a size guessed from the number of rows: these need many doublings,
    // one of them in the middle of a multi-byte character.
    const long = `${'议'.repeat(300_000)}end`;
    const rows = [
      { id: 1, name: 'small', doc: { a: 1 } },
      { id: 2, name: long, doc: { list: Array.from({ length: 20_000 }, (_, i) => `业主${i}`) } },
      { id: 3, name: `x${long}`, doc: null },
    ];
    const client = await pool.connect();
    try {
      await copyRows(client, 'copy_test', 'big', rows);
    } finally {
      client.release();
    }
    const { rows: back } = await pool.query(`SELECT id, name, doc FROM copy_test.big ORDER BY id`);
    expect(back).toEqual(rows);
  });
});
