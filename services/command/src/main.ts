import { PostgresEventStore } from '@yishi/event-store';
import {
  type Config,
  closeServer,
  createVerifier,
  type Logger,
  listen,
  localSecret,
  type RunningService,
} from '@yishi/platform';
import { createApp } from './app.ts';

/** Starts the command service on `COMMAND_PORT` against the given database. */
export async function startCommandService(
  config: Config,
  databaseUrl: string,
  logger: Logger,
): Promise<RunningService> {
  const store = new PostgresEventStore({ connectionString: databaseUrl, maxConnections: 20 });
  await store.init();
  const verify = createVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ...(config.JWT_JWKS_URL
      ? { jwksUrl: config.JWT_JWKS_URL }
      : { secret: localSecret(config.DATA_DIR, config.JWT_SECRET) }),
  });
  const app = createApp({ store, verify, logger });
  const server = await listen(app.fetch, config.HOST, config.COMMAND_PORT);
  return {
    url: `http://${config.HOST}:${config.COMMAND_PORT}`,
    async close() {
      await closeServer(server);
      await store.close();
    },
  };
}
