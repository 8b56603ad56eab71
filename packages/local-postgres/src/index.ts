export { ensureDatabase, freshDatabase } from './databases.ts';
export {
  type LocalPostgres,
  type LocalPostgresOptions,
  localPostgresUrl,
  startLocalPostgres,
} from './embedded.ts';
export { freePort } from './free-port.ts';
export {
  knownPassword,
  type Login,
  localLogin,
  passwordsFile,
  roleName,
  SERVICES,
  type Service,
  SUPERUSER,
} from './logins.ts';
