import { EventStoreDbEventStore } from '../eventstoredb/eventstoredb-event-store.ts';
import { eventStoreConformance } from './suite.ts';

const url = process.env.EVENTSTORE_URL;

// No EventStoreDB server runs here (no Docker): the suite runs where EVENTSTORE_URL points at one,
// e.g. EVENTSTORE_URL='esdb://localhost:2113?tls=false'.
eventStoreConformance(
  'eventstoredb',
  async () => ({
    open: async (options = {}) =>
      new EventStoreDbEventStore({ connectionString: url!, ...options }),
    // Events in EventStoreDB cannot be altered in place: no tamper test.
  }),
  url
    ? {}
    : { skip: 'EVENTSTORE_URL is not set, so there is no EventStoreDB server to test against' },
);
