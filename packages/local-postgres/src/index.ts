export { ensureDatabase, freshDatabase } from './databases.ts';
export {
  type LocalPostgres,
  type LocalPostgresOptions,
  localPostgresUrl,
  startLocalPostgres,
} from './embedded.ts';
export { freePort } from './free-port.ts';
