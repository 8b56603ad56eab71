import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store.ts';
import { PostgresEventStore } from './postgres/postgres-event-store.ts';
import type { EventStore } from './types.ts';

export interface OpenEventStoreOptions {
  /** PostgreSQL: the default store (and the read models' database). */
  databaseUrl: string;
  /** `EVENTS_DATABASE_URL`: the events' own PostgreSQL, apart from the read models'. */
  eventsDatabaseUrl?: string | undefined;
  /** `esdb://…` or `kurrentdb://…` (also `kurrent://`, `kdb://`): keep events in KurrentDB instead. */
  eventstoreUrl?: string | undefined;
  maxConnections?: number;
}

/** The configured adapter, ready for use (the postgres schema is created or checked). */
export async function openEventStore(options: OpenEventStoreOptions): Promise<EventStore> {
  if (options.eventstoreUrl) {
    return new EventStoreDbEventStore({ connectionString: options.eventstoreUrl });
  }
  const store = new PostgresEventStore({
    connectionString: options.eventsDatabaseUrl ?? options.databaseUrl,
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
  });
  await store.init();
  return store;
}
