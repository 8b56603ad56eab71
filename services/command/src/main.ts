import { openBlobStore } from '@yishi/attachments';
import { openEventStore } from '@yishi/event-store';
import { loadMasterKey, openPersonalData, reconcileErasures } from '@yishi/personal-data';
import {
  authConfigFrom,
  type Config,
  closeServer,
  createVerifier,
  type Logger,
  listen,
  projectionPublicUrl,
  type RunningService,
  serviceEventsDatabaseUrl,
  simulatedClock,
  systemClock,
} from '@yishi/platform';
import { createCommandService } from './app.ts';

/** Starts the command service on `COMMAND_PORT` against the given database. */
export async function startCommandService(
  config: Config,
  databaseUrl: string,
  logger: Logger,
): Promise<RunningService> {
  const store = await openEventStore({
    databaseUrl,
    eventsDatabaseUrl: serviceEventsDatabaseUrl(config, 'command'),
    eventstoreUrl: config.EVENTSTORE_URL,
    maxConnections: 20,
  });
  const personalData = await openPersonalData({ databaseUrl, masterKey: loadMasterKey(config) });
  const reconciled = await reconcileErasures(personalData.vault, store);
  if (reconciled.destroyed.length + reconciled.cancelled.length > 0) {
    logger.warn(reconciled, 'finished erasures a stop interrupted');
  }
  const blobs = await openBlobStore(config, databaseUrl);
  const verify = createVerifier(authConfigFrom(config));
  const clock = config.DEMO_CLOCK ? simulatedClock() : systemClock;
  if (clock.simulated) logger.warn('simulated clock: events are marked simulatedClock (demo only)');
  const { app, scheduler } = createCommandService({
    store,
    verify,
    logger,
    clock,
    metricsToken: config.METRICS_TOKEN,
    personalData: personalData.vault,
    projectionUrl: projectionPublicUrl(config),
    blobs,
  });
  // 0 turns the interval off (another instance, or tests, tick it); a simulated clock's
  // advance still ticks it.
  if (config.SCHEDULER_INTERVAL_SECONDS > 0)
    scheduler.start(config.SCHEDULER_INTERVAL_SECONDS * 1000);
  const server = await listen(app.fetch, config.HOST, config.COMMAND_PORT);
  return {
    url: `http://${config.HOST}:${config.COMMAND_PORT}`,
    async close() {
      await scheduler.stop();
      await closeServer(server);
      await store.close();
      await personalData.close();
      await blobs.close();
    },
  };
}
