export {
  EventStoreError,
  type EventStoreErrorCode,
  isVersionConflict,
  VersionConflictError,
} from './errors.ts';
export { canonicalEvent, chainHash, GENESIS_HASH } from './hash.ts';
export { MemoryEventStore } from './memory/memory-event-store.ts';
export {
  PostgresEventStore,
  type PostgresEventStoreOptions,
} from './postgres/postgres-event-store.ts';
export { migrateEventStore } from './postgres/schema.ts';
export * from './types.ts';
export { type Upcaster, upcastEvent } from './upcast.ts';
export { verifyChain } from './verify.ts';
