export { canonicalJson, JsonProblem } from './canonical.ts';
export {
  EventStoreError,
  type EventStoreErrorCode,
  isEventStoreError,
  isVersionConflict,
  VersionConflictError,
} from './errors.ts';
export {
  EventStoreDbEventStore,
  type EventStoreDbEventStoreOptions,
} from './eventstoredb/eventstoredb-event-store.ts';
export {
  canonicalEvent,
  canonicalEventTemplate,
  chainHash,
  chainHashOfText,
  GENESIS_HASH,
} from './hash.ts';
export { MemoryEventStore } from './memory/memory-event-store.ts';
export { type OpenEventStoreOptions, openEventStore } from './open.ts';
export {
  NOTIFY_CHANNEL,
  PostgresEventStore,
  type PostgresEventStoreOptions,
} from './postgres/postgres-event-store.ts';
export { VISIBLE_HORIZON_SQL } from './postgres/reads.ts';
export { communityOfStreamSql, migrateEventStore, SCHEMA_VERSION } from './postgres/schema.ts';
export * from './types.ts';
export { type Upcaster, upcastEvent } from './upcast.ts';
export {
  MAX_APPEND_BYTES,
  MAX_BATCH_SIZE,
  MAX_EVENT_BYTES,
  MAX_EVENTS_PER_APPEND,
} from './validation.ts';
export { ChainVerifier, verifyChain } from './verify.ts';
