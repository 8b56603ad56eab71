import { openEventStore } from '@yishi/event-store';
import {
  authConfigFrom,
  type Config,
  closeServer,
  createVerifier,
  type Logger,
  listen,
  projectionPublicUrl,
  type RunningService,
  simulatedClock,
  systemClock,
} from '@yishi/platform';
import { createApp } from './app.ts';

/** Starts the command service on `COMMAND_PORT` against the given database. */
export async function startCommandService(
  config: Config,
  databaseUrl: string,
  logger: Logger,
): Promise<RunningService> {
  const store = await openEventStore({
    databaseUrl,
    eventsDatabaseUrl: config.EVENTS_DATABASE_URL,
    eventstoreUrl: config.EVENTSTORE_URL,
    maxConnections: 20,
  });
  const verify = createVerifier(authConfigFrom(config));
  const clock = config.DEMO_CLOCK ? simulatedClock() : systemClock;
  if (clock.simulated) logger.warn('simulated clock: events are marked simulatedClock (demo only)');
  const app = createApp({
    store,
    verify,
    logger,
    clock,
    metricsToken: config.METRICS_TOKEN,
    projectionUrl: projectionPublicUrl(config),
  });
  const server = await listen(app.fetch, config.HOST, config.COMMAND_PORT);
  return {
    url: `http://${config.HOST}:${config.COMMAND_PORT}`,
    async close() {
      await closeServer(server);
      await store.close();
    },
  };
}
