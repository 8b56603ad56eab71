import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { PostgresEventStore } from '../postgres/postgres-event-store.ts';
import type { JsonObject } from '../types.ts';
import { eventStoreConformance } from './suite.ts';
import { loseNextAnswerAtPort } from './support.ts';

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
    // A statement's transaction commits or not: the adapter keeps nothing between calls.
    loseNextAnswer: loseNextAnswerAtPort,
    // As a failover or a restart would: every other connection to the database is cut.
    // The subscription's own connection (the one LISTENing for wake-ups). Ending every backend
    // also ended the pool's idle ones, and the test's next append could meet one before the pool
    // had noticed (EPIPE, 1 run in 3): a failure of the test's writes, not of the subscription.
    dropConnections: async (store) => {
      const { rowCount } = await (store as PostgresEventStore).pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND query LIKE 'LISTEN %'`,
      );
      if (!rowCount) throw new Error('no subscription connection to drop');
    },
    notApplicable: { appendForeign: 'every row of es_events is an event of the store' },
  };
});
