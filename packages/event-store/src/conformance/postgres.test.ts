import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { PostgresEventStore } from '../postgres/postgres-event-store.ts';
import type { JsonObject } from '../types.ts';
import { eventStoreConformance } from './suite.ts';

eventStoreConformance('postgres', async () => {
  const connectionString = await testDatabaseUrl();
  return {
    open: async (options = {}) => {
      const store = new PostgresEventStore({ connectionString, ...options });
      await store.init();
      return store;
    },
    // As a superuser would: past the append-only trigger.
    tamper: async (store, streamId, streamVersion, data: JsonObject) => {
      const client = await (store as PostgresEventStore).pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('ALTER TABLE es_events DISABLE TRIGGER es_events_append_only');
        await client.query(
          'UPDATE es_events SET data = $3 WHERE stream_id = $1 AND stream_version = $2',
          [streamId, streamVersion, JSON.stringify(data)],
        );
        await client.query('ALTER TABLE es_events ENABLE TRIGGER es_events_append_only');
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
  };
});
