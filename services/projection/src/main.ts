import { openBlobStore } from '@yishi/attachments';
import { openEventStore } from '@yishi/event-store';
import { loadMasterKey, openPersonalData } from '@yishi/personal-data';
import {
  authConfigFrom,
  type Config,
  closeServer,
  createVerifier,
  type Logger,
  listen,
  type RunningService,
  serviceEventsDatabaseUrl,
  webhookSecret,
} from '@yishi/platform';
import { createApp } from './app.ts';
import { createDb } from './db.ts';
import { PhoneIndex, phoneIndexKey } from './directory/phone-index.ts';
import { createPdfRenderer } from './documents/renderer.ts';
import { migrateReadModels } from './migrations/index.ts';
import { Dispatcher } from './notifications/dispatcher.ts';
import { notificationsProjection } from './notifications/projection.ts';
import { projections } from './projections/index.ts';
import type { Projection } from './projections/projection.ts';
import { registryProjection } from './projections/registry.ts';
import { dropDiscontinued } from './runtime/generations.ts';
import { Projector } from './runtime/projector.ts';
import { ReadModels } from './runtime/read-models.ts';
import { TreeBuilder } from './transparency/builder.ts';
import { deploymentSigningKey } from './transparency/keys.ts';

export { projections };

/** Runs the projectors and serves queries on `PROJECTION_PORT`. */
export async function startProjectionService(
  config: Config,
  databaseUrl: string,
  logger: Logger,
): Promise<RunningService> {
  // The events where the command service keeps them: EventStoreDB when configured.
  const store = await openEventStore({
    databaseUrl,
    eventsDatabaseUrl: serviceEventsDatabaseUrl(config, 'projection'),
    eventstoreUrl: config.EVENTSTORE_URL,
  });
  // Each projector holds one connection for its lease, and so does the tree builder.
  const db = createDb(databaseUrl, 11 + projections.length);
  const replica = config.READ_REPLICA_URL ? createDb(config.READ_REPLICA_URL, 10) : undefined;
  await migrateReadModels(db);
  // Before anything runs: a wrong master key stops the start here.
  const personalData = await openPersonalData({ databaseUrl, masterKey: loadMasterKey(config) });
  for (const gone of await dropDiscontinued(
    db,
    projections.map((p) => p.name),
  )) {
    logger.info({ schema: gone.schema }, `dropped ${gone.projection}: no longer projected`);
  }
  // Notifications go out from the outbox the notifications projection writes; commands never
  // wait for them. Each batch of that projection wakes the dispatcher.
  if (!config.WEBHOOK_SECRET && config.NODE_ENV === 'production') {
    logger.warn('WEBHOOK_SECRET is not set: webhook keys are derived from the JWT secret');
  }
  const dispatcher = new Dispatcher(db, {
    secret: webhookSecret(config),
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    logger,
  });
  // Sign-in's phone lookup follows the registry: each of its batches may add or erase a number.
  const phoneIndex = new PhoneIndex(
    db,
    new ReadModels(db),
    personalData.vault,
    phoneIndexKey(config),
    (error) => logger.error({ err: error }, 'phone index'),
  );
  const onBatch = (p: Projection) =>
    p === notificationsProjection
      ? () => dispatcher.wake()
      : p === registryProjection
        ? () => phoneIndex.nudge()
        : undefined;
  const projectors = projections.map((p) => {
    const batch = onBatch(p);
    return new Projector(store, db, p, { logger, ...(batch ? { onBatch: batch } : {}) });
  });
  for (const projector of projectors) await projector.start();
  dispatcher.start();
  // The transparency log: the Merkle tree over the global order and its signed checkpoints.
  const treeBuilder = new TreeBuilder(store, db, {
    key: deploymentSigningKey(config, new Date()),
    origin: config.CHECKPOINT_ORIGIN,
    intervalMs: config.CHECKPOINT_INTERVAL_SECONDS * 1000,
    logger,
    onSigned: () => dispatcher.wake(),
  });
  await treeBuilder.start();
  const verify = createVerifier(authConfigFrom(config));
  const blobs = await openBlobStore(config, databaseUrl);
  // Chromium starts with the first PDF asked for, not here: the service runs without it.
  const pdf = createPdfRenderer({ executablePath: config.CHROMIUM_PATH, logger });
  const app = createApp({
    personalData,
    db,
    replica,
    store,
    verify,
    projectors,
    logger,
    metricsToken: config.METRICS_TOKEN,
    treeBuilder,
    // A dossier of a proposal decided a moment ago waits for the next checkpoint.
    checkpointWaitMs: config.CHECKPOINT_INTERVAL_SECONDS * 1000 + 5_000,
    pdf,
    publicUrl: config.WEB_PUBLIC_URL,
    blobs,
    phoneIndex,
  });
  const server = await listen(app.fetch, config.HOST, config.PROJECTION_PORT);
  return {
    url: `http://${config.HOST}:${config.PROJECTION_PORT}`,
    async close() {
      await closeServer(server);
      await pdf.close();
      await dispatcher.stop();
      await treeBuilder.stop();
      for (const projector of projectors) await projector.stop();
      await db.destroy();
      await replica?.destroy();
      await store.close();
      await personalData.close();
      await blobs.close();
    },
  };
}
