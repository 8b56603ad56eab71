export * from './access-log.ts';
export * from './events.ts';
export {
  type KeyRow,
  type KeyStore,
  MemoryKeyStore,
  migratePersonalData,
  PostgresKeyStore,
} from './key-store.ts';
export * from './master-key.ts';
export * from './open.ts';
export * from './rotate.ts';
export { isSealed, SEALED_PREFIX } from './sealed.ts';
export * from './vault.ts';
