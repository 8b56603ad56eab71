import { jsonEvent } from '@eventstore/db-client';
import { connectClient } from '../eventstoredb/client.ts';
import { EventStoreDbEventStore } from '../eventstoredb/eventstoredb-event-store.ts';
import { FaultInjectingClient } from '../eventstoredb/fault-injecting-client.ts';
import { isAdapterStream } from '../eventstoredb/mapping.ts';
import type { EventStore } from '../types.ts';
import { eventStoreConformance } from './suite.ts';

const url = process.env.EVENTSTORE_URL;
const clients = new WeakMap<EventStore, FaultInjectingClient>();
const clientOf = (store: EventStore) => clients.get(store)!;

// No KurrentDB server runs here (no Docker): the suite runs where EVENTSTORE_URL points at one,
// e.g. the node of infra/kurrentdb.compose.yaml: EVENTSTORE_URL='kurrentdb://localhost:2113?tls=false'.
// Faults are injected between the adapter and the real client (fault-injecting-client.ts).
eventStoreConformance(
  'eventstoredb',
  async () => ({
    open: async (options = {}) => {
      const client = new FaultInjectingClient(connectClient(url!));
      const store = new EventStoreDbEventStore({ connectionString: url!, client, ...options });
      clients.set(store, client);
      return store;
    },
    // Events in KurrentDB cannot be altered in place: no tamper test.
    loseNextAnswer: (store) => clientOf(store).loseNextAnswer((s) => !isAdapterStream(s)),
    dropConnections: async (store) => clientOf(store).dropSubscriptions(),
    appendForeign: async (store, count) => {
      const events = Array.from({ length: count }, (_, i) =>
        jsonEvent({ type: 'InvoiceIssued', data: { i } }),
      );
      await clientOf(store).inner.appendToStream(`billing-${Date.now()}`, events);
    },
  }),
  url ? {} : { skip: 'EVENTSTORE_URL is not set, so there is no KurrentDB server to test against' },
);
