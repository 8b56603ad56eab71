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
import { createDb } from './db.ts';
import { migrateReadModels } from './migrations/index.ts';
import { projections } from './projections/index.ts';
import { Projector } from './runtime/projector.ts';

export { projections };

/** Runs the projectors and serves queries on `PROJECTION_PORT`. */
export async function startProjectionService(
  config: Config,
  databaseUrl: string,
  logger: Logger,
): Promise<RunningService> {
  const store = new PostgresEventStore({ connectionString: databaseUrl });
  await store.init();
  // Each projector holds one connection for its lease.
  const db = createDb(databaseUrl, 10 + projections.length);
  await migrateReadModels(db);
  const projectors = projections.map((p) => new Projector(store, db, p, { logger }));
  for (const projector of projectors) await projector.start();
  const verify = createVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ...(config.JWT_JWKS_URL
      ? { jwksUrl: config.JWT_JWKS_URL }
      : { secret: localSecret(config.DATA_DIR, config.JWT_SECRET) }),
  });
  const app = createApp({ db, store, verify, projectors, logger });
  const server = await listen(app.fetch, config.HOST, config.PROJECTION_PORT);
  return {
    url: `http://${config.HOST}:${config.PROJECTION_PORT}`,
    async close() {
      await closeServer(server);
      for (const projector of projectors) await projector.stop();
      await db.destroy();
      await store.close();
    },
  };
}
