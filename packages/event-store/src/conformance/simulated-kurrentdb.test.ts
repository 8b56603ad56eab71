import { EventStoreDbEventStore } from '../eventstoredb/eventstoredb-event-store.ts';
import { FaultInjectingClient } from '../eventstoredb/fault-injecting-client.ts';
import { isAdapterStream } from '../eventstoredb/mapping.ts';
import { SimulatedKurrentDb } from '../eventstoredb/simulated-kurrentdb.ts';
import type { EventStore } from '../types.ts';
import { eventStoreConformance } from './suite.ts';

// SIMULATION: the EventStoreDB adapter against an in-process stand-in for a KurrentDB node
// (simulated-kurrentdb.ts), through a fault-injecting client. The same suite runs against a real
// server in eventstoredb.test.ts wherever EVENTSTORE_URL is set.
const node = new SimulatedKurrentDb({ deadlineMs: 50 });
const clients = new WeakMap<EventStore, FaultInjectingClient>();
const clientOf = (store: EventStore) => clients.get(store)!;

eventStoreConformance('eventstoredb on simulated KurrentDB', async () => ({
  open: async (options = {}) => {
    const client = new FaultInjectingClient(node.connect());
    const store = new EventStoreDbEventStore({
      connectionString: 'esdb://sim',
      client,
      ...options,
    });
    clients.set(store, client);
    return store;
  },
  // The answer of the append of the events themselves, not of the adapter's own records.
  loseNextAnswer: (store) => clientOf(store).loseNextAnswer((s) => !isAdapterStream(s)),
  dropConnections: async (store) => clientOf(store).dropSubscriptions(),
  appendForeign: async (_store, count) => {
    node.writeForeign('billing-ledger', count);
  },
}));
