import { resolve } from 'node:path';
import { ensureDatabase, localPostgresUrl, startLocalPostgres } from '@yishi/local-postgres';
import { ConfigError, loadConfig } from '@yishi/platform';

/**
 * The database the CLIs work on: DATABASE_URL, else the embedded PostgreSQL of `pnpm start`
 * (started for the command's duration when it is not running).
 */
export async function openDatabase(): Promise<{
  url: string;
  /** EventStoreDB/KurrentDB keeps the events when set (EVENTSTORE_URL); else this database. */
  eventstoreUrl: string | undefined;
  /** EVENTS_DATABASE_URL: the events' own PostgreSQL when they are not in `url`'s database. */
  eventsUrl: string | undefined;
  close(): Promise<void>;
}> {
  const config = loadConfig();
  const eventstoreUrl = config.EVENTSTORE_URL;
  const eventsUrl = config.EVENTS_DATABASE_URL;
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, eventstoreUrl, eventsUrl, close: async () => {} };
  }
  // A production image has no embedded PostgreSQL to start.
  if (config.NODE_ENV === 'production') {
    throw new ConfigError(['DATABASE_URL: required in production (the database to work on)']);
  }
  const dataDir = resolve(config.DATA_DIR, 'postgres');
  try {
    const pg = await startLocalPostgres({ dataDir, port: config.EMBEDDED_PG_PORT });
    const url = await ensureDatabase(pg.adminUrl, 'yishi');
    return { url, eventstoreUrl, eventsUrl, close: () => pg.stop() };
  } catch {
    // `pnpm start` is running it: connect as it does.
    return {
      url: localPostgresUrl(config.EMBEDDED_PG_PORT, 'yishi'),
      eventstoreUrl,
      eventsUrl,
      close: async () => {},
    };
  }
}
