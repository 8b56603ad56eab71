import { randomUUID } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { type BlobStore, MemoryBlobStore } from '@yishi/attachments';
import { type EventStore, START } from '@yishi/event-store';
import { memoryPersonalData, type Vault } from '@yishi/personal-data';
import {
  type AppEnv,
  authenticate,
  type Clock,
  communityScope,
  createMetrics,
  createRouter,
  installFallbacks,
  type Logger,
  limitBody,
  type Metrics,
  problem,
  requestContext,
  serveApiDescription,
  serveMetrics,
  silentLogger,
  systemClock,
  type Verifier,
} from '@yishi/platform';
import { CommandHandler } from './command-handler.ts';
import { ATTACHMENTS, attachmentRoutes } from './routes/attachments.ts';
import { clockRoutes } from './routes/clock.ts';
import { commandRouter } from './routes/commands.ts';
import { REGISTRY_IMPORT, registryImportRoutes } from './routes/registry-import.ts';
import { MAX_BODY_BYTES } from './routes/schemas.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { StateReader } from './state-reader.ts';

export interface CommandAppDeps {
  store: EventStore;
  metrics?: Metrics;
  verify: Verifier;
  /** A function for tests; a `Clock` (system or simulated) for running services. */
  clock?: (() => Date) | Clock;
  newId?: () => string;
  logger?: Logger;
  /** `METRICS_TOKEN`: a scraper's bearer token for `/metrics`. */
  metricsToken?: string | undefined;
  /**
   * Seals personal fields in new events and opens them when folding. Default: keys in memory
   * (tests over the memory store); a running service passes the one in PostgreSQL.
   */
  personalData?: Vault;
  /**
   * The query service's base URL as clients reach it: a created resource's `Location` is
   * there. Unset (tests): the path alone.
   */
  projectionUrl?: string;
  /** Attachments' bytes. Default: in memory (tests); a running service passes its store. */
  blobs?: BlobStore;
}

export { MAX_BODY_BYTES };

/** The command service: HTTP -> command -> decide -> append. */
export function createApp(deps: CommandAppDeps): OpenAPIHono<AppEnv> {
  return createCommandService(deps).app;
}

/**
 * The app and its scheduler, which shares its command handler and clock: the caller starts the
 * scheduler's interval (`scheduler.start(ms)`); advancing a simulated clock ticks it at once.
 */
export function createCommandService(deps: CommandAppDeps): {
  app: OpenAPIHono<AppEnv>;
  scheduler: Scheduler;
} {
  const source: Clock =
    deps.clock === undefined
      ? systemClock
      : typeof deps.clock === 'function'
        ? { ...systemClock, now: deps.clock }
        : deps.clock;
  const clock = () => source.now();
  const newId = deps.newId ?? (() => randomUUID());
  const metrics = deps.metrics ?? createMetrics('command');
  const commandsPerAppend = metrics.histogram(
    'yishi_commands_per_append',
    'Commands carried by one group-commit append',
    [1, 2, 4, 8, 16, 32, 64, 128, 256],
  );
  const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
  const decideSeconds = metrics.histogram(
    'yishi_batch_decide_seconds',
    'Reading new events and deciding one batch of commands',
    buckets,
  );
  const appendSeconds = metrics.histogram(
    'yishi_batch_append_seconds',
    'Appending one batch (one transaction)',
    buckets,
  );
  const personalData = deps.personalData ?? memoryPersonalData().vault;
  const blobs = deps.blobs ?? new MemoryBlobStore();
  const states = new StateReader(deps.store, undefined, personalData);
  const handler = new CommandHandler({
    store: deps.store,
    states,
    personalData,
    clock,
    newId,
    onBatch: (n) => commandsPerAppend.observe(n),
    onAppended: (results) => {
      for (const r of results) scheduler.noteAppended(r.checkpoint);
    },
    onTimings: (decide, append) => {
      decideSeconds.observe(decide);
      appendSeconds.observe(append);
    },
    simulatedClock: source.simulated,
  });
  const scheduler = new Scheduler({
    store: deps.store,
    handler,
    states,
    clock,
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  const app = createRouter();
  app.use('*', requestContext(deps.logger ?? silentLogger));
  app.use('*', metrics.middleware);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    try {
      await deps.store.readAll(START, 1);
      return c.json({ status: 'ready' });
    } catch {
      return problem(c, 503, 'not-ready', 'The event store is not reachable');
    }
  });
  serveMetrics(app, metrics, { verify: deps.verify, token: deps.metricsToken });
  // The registry import sets its own, larger limit. A plain test, where hono's except() ran
  // every later middleware inside its own combinators.
  const limit = limitBody(MAX_BODY_BYTES);
  app.use('/v1/*', (c, next) =>
    REGISTRY_IMPORT.test(c.req.path) || ATTACHMENTS.test(c.req.path) ? next() : limit(c, next),
  );
  app.use('/v1/*', authenticate(deps.verify));
  app.use('/v1/communities/:communityId/*', communityScope());
  app.use('/v1/communities/:communityId', communityScope());
  app.route(
    '/',
    commandRouter(
      handler,
      states,
      deps.store,
      newId,
      clock,
      deps.projectionUrl ?? '',
      personalData,
    ),
  );
  app.route(
    '/',
    clockRoutes(source, () => scheduler.tick()),
  );
  app.route('/', attachmentRoutes(handler, states, deps.store, blobs));
  app.route('/', registryImportRoutes(deps.store, states, clock, personalData, source.simulated));
  serveApiDescription(
    app,
    {
      title: 'Yishi command service (议事 命令服务)',
      version: '0.1.0',
      description:
        'Commands of the community record: each route decides one command by the rules and appends its events. Answers carry the stream version (ETag) and the global position to pass as `minPosition` to the query service.',
    },
    '议事 命令服务 · Yishi command service',
  );
  installFallbacks(app);
  return { app, scheduler };
}
