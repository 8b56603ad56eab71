import { MemoryEventStore } from '../memory/memory-event-store.ts';
import type { JsonObject } from '../types.ts';
import { eventStoreConformance } from './suite.ts';
import { loseNextAnswerAtPort } from './support.ts';

eventStoreConformance('memory', async () => ({
  open: async (options = {}) => new MemoryEventStore(options),
  tamper: async (store, streamId, streamVersion, data: JsonObject) => {
    (store as MemoryEventStore).tamper(streamId, streamVersion, data);
  },
  loseNextAnswer: loseNextAnswerAtPort,
  notApplicable: {
    dropConnections: 'in process, there is no connection to drop',
    appendForeign: 'the memory store holds only its own events',
  },
}));
