import { jsonEvent } from '@eventstore/db-client';
import { MemoryEventStore, PostgresEventStore } from '@yishi/event-store';
import {
  connectClient,
  EventStoreDbEventStore,
  isAdapterStream,
} from '@yishi/event-store/eventstoredb';
import { SimulatedKurrentDb } from '@yishi/event-store/eventstoredb/simulated';
import { testDatabaseUrl } from '@yishi/local-postgres/testing';
import { treeConformance } from './tree-conformance.ts';

// The transparency log's suite for every adapter of the event store (tree-conformance.ts).

// Memory and PostgreSQL hold only the port's events: no foreign ones to write between them.
treeConformance('memory', async () => ({
  open: async () => new MemoryEventStore(),
  treeDatabaseUrl: testDatabaseUrl,
}));

treeConformance('postgres', async () => {
  // The store and the tree in one database, as deployed.
  const url = await testDatabaseUrl();
  return {
    open: async () => {
      const store = new PostgresEventStore({ connectionString: url });
      await store.init();
      return store;
    },
    treeDatabaseUrl: async () => url,
  };
});

// SIMULATION: the EventStoreDB adapter against an in-process stand-in for a KurrentDB node, as in
// the event store's conformance suite; the same suite runs against a real server below.
treeConformance('eventstoredb on simulated KurrentDB', async () => {
  const node = new SimulatedKurrentDb();
  return {
    open: async () =>
      new EventStoreDbEventStore({ connectionString: 'esdb://sim', client: node.connect() }),
    treeDatabaseUrl: testDatabaseUrl,
    appendForeign: async (streamId, count) => node.writeForeign(streamId, count),
    isAdapterRecord: isAdapterStream,
  };
});

const url = process.env.EVENTSTORE_URL;
// No KurrentDB server runs here (no Docker): this runs where EVENTSTORE_URL points at one, e.g.
// the node of infra/kurrentdb.compose.yaml: EVENTSTORE_URL='kurrentdb://localhost:2113?tls=false'.
treeConformance(
  'eventstoredb',
  async () => {
    const writer = connectClient(url!);
    return {
      open: async () => new EventStoreDbEventStore({ connectionString: url! }),
      treeDatabaseUrl: testDatabaseUrl,
      appendForeign: async (streamId, count) => {
        const events = Array.from({ length: count }, (_, i) =>
          jsonEvent({ type: 'InvoiceIssued', data: { i } }),
        );
        await writer.appendToStream(streamId, events);
      },
      isAdapterRecord: isAdapterStream,
      teardown: async () => writer.dispose(),
    };
  },
  url ? {} : { skip: 'EVENTSTORE_URL is not set, so there is no KurrentDB server to test against' },
);
