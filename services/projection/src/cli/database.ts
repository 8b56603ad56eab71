import { resolve } from 'node:path';
import {
  ensureDatabase,
  knownPassword,
  type Login,
  localLogin,
  localPostgresUrl,
  roleName,
  SUPERUSER,
  startLocalPostgres,
} from '@yishi/local-postgres';
import {
  ConfigError,
  loadConfig,
  serviceDatabaseUrl,
  serviceEventsDatabaseUrl,
} from '@yishi/platform';

/**
 * The database the CLIs work on: DATABASE_URL, else the embedded PostgreSQL of `pnpm start`
 * (started for the command's duration when it is not running). `as: 'projection'`: as the
 * projection service's role (PROJECTION_DATABASE_URL; on the embedded server, its role once
 * `pnpm start` made it), for what the service itself does (rebuilding its read models, which it
 * must own); else as the owner.
 */
export async function openDatabase(as: 'owner' | 'projection' = 'owner'): Promise<{
  url: string;
  /** EventStoreDB/KurrentDB keeps the events when set (EVENTSTORE_URL); else this database. */
  eventstoreUrl: string | undefined;
  /**
   * EVENTS_DATABASE_URL: the events' own PostgreSQL when they are not in `url`'s database (as the
   * projection's role there with `as: 'projection'`).
   */
  eventsUrl: string | undefined;
  close(): Promise<void>;
}> {
  const config = loadConfig();
  const eventstoreUrl = config.EVENTSTORE_URL;
  const eventsUrl =
    as === 'projection'
      ? serviceEventsDatabaseUrl(config, 'projection')
      : config.EVENTS_DATABASE_URL;
  if (config.DATABASE_URL) {
    const url =
      as === 'projection' ? serviceDatabaseUrl(config, 'projection')! : config.DATABASE_URL;
    return { url, eventstoreUrl, eventsUrl, close: async () => {} };
  }
  // A production image has no embedded PostgreSQL to start.
  if (config.NODE_ENV === 'production') {
    throw new ConfigError(['DATABASE_URL: required in production (the database to work on)']);
  }
  const dataDir = resolve(config.DATA_DIR, 'postgres');
  const login = embeddedLogin(dataDir, as);
  try {
    const pg = await startLocalPostgres({ dataDir, port: config.EMBEDDED_PG_PORT });
    await ensureDatabase(pg.adminUrl, 'yishi');
    return { url: pg.urlFor('yishi', login()), eventstoreUrl, eventsUrl, close: () => pg.stop() };
  } catch {
    // `pnpm start` is running it: connect as it does.
    return {
      url: localPostgresUrl(config.EMBEDDED_PG_PORT, 'yishi', login()),
      eventstoreUrl,
      eventsUrl,
      close: async () => {},
    };
  }
}

/** The projection's role when `pnpm start` has made it (its password is kept), else the owner. */
function embeddedLogin(dataDir: string, as: 'owner' | 'projection'): () => Login {
  return () => {
    const user = roleName('projection');
    const password = as === 'projection' ? knownPassword(dataDir, user) : undefined;
    return password ? { user, password } : localLogin(dataDir, SUPERUSER);
  };
}
