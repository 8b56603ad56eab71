import type pg from 'pg';

/** What the adapter's parts share: its pool, and the store's rules for using it. */
export interface Connection {
  readonly pool: pg.Pool;
  /** Refuses once the store is closed; resolves when the schema is ready. */
  ready(): Promise<void>;
  /** A read: `ready` first, then the query, with typed errors. */
  query<R extends pg.QueryResultRow>(config: pg.QueryConfig): Promise<pg.QueryResult<R>>;
  /** Once closed, nothing new is started (no read ahead). */
  isClosed(): boolean;
}
