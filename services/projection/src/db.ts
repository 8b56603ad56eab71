import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './tables.ts';

// The connection to the service's database: a pg pool behind kysely, typed by `Database`
// (tables.ts).

const pools = new WeakMap<Kysely<Database>, pg.Pool>();

/**
 * A pg client as kysely's driver uses it, except that each query is handed to pg with a callback
 * (as `pg.Pool#query` does) instead of awaiting the promise pg makes when it gets none.
 *
 * Measured on the history's first page (500 rows; pg 8.23, Node 20): through pg's promise, each
 * young-generation collection found the rows of queries several requests old still alive and
 * promoted them, ~3 MB a time, with pauses of 10–13 ms and then full collections. Through a
 * callback it promotes a few kilobytes, with pauses of 1–3 ms. A heap snapshot shows nothing
 * holding those rows, so it is a reference only the young-generation collector treats as strong;
 * which one we did not find.
 */
export function callbackQueries(
  client: pg.PoolClient,
  release: () => void = () => client.release(),
): PostgresPoolClient {
  const query = (sql: unknown, parameters?: readonly unknown[]) => {
    // A cursor (kysely's streaming) is pg's own submittable: passed through unchanged.
    if (typeof sql !== 'string') return client.query(sql as pg.Submittable);
    return new Promise((resolve, reject) => {
      client.query(sql, parameters as unknown[], (error, result) =>
        error ? reject(error) : resolve(result),
      );
    });
  };
  return { query: query as PostgresPoolClient['query'], release };
}

export function createDb(connectionString: string, max = 10): Kysely<Database> {
  const pool = new pg.Pool({ connectionString, max });
  // A client's error (server restart, shutdown) must not crash the process: idle clients are the
  // pool's; a checked-out client's error surfaces in the query that uses it next.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  // One wrapper per pg client, so that kysely keeps one connection object per client too.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const dialectPool: PostgresPool = {
    connect: async () => {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = callbackQueries(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: dialectPool }) });
  pools.set(db, pool);
  return db;
}

/** The pool behind a database made by `createDb` (leases hold a client of their own). */
export function poolOf(db: Kysely<Database>): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('this database was not made by createDb');
  return pool;
}
