import type { OpenAPIHono } from '@hono/zod-openapi';
import type { EventStore } from '@yishi/event-store';
import {
  type AppEnv,
  authenticate,
  communityScope,
  createMetrics,
  createRouter,
  installFallbacks,
  type Logger,
  type Metrics,
  requestContext,
  serveApiDescription,
  serveMetrics,
  silentLogger,
  type Verifier,
} from '@yishi/platform';
import type { Kysely } from 'kysely';
import { type PdfRenderer, PdfUnavailable } from './documents/renderer.ts';
import { documentQueries } from './documents/routes.ts';
import { notificationQueries } from './notifications/routes.ts';
import { capacityQueries } from './routes/capacities.ts';
import type { QueryDeps } from './routes/common.ts';
import { convocationQueries } from './routes/convocations.ts';
import { decisionQueries } from './routes/decisions.ts';
import { installationQueries } from './routes/installation.ts';
import { moneyQueries } from './routes/money.ts';
import { proposalQueries } from './routes/proposals.ts';
import { registryQueries } from './routes/registry.ts';
import { sessionQueries } from './routes/sessions.ts';
import { shareQueries } from './routes/shares.ts';
import { statusQueries } from './routes/status.ts';
import { timelineQueries } from './routes/timeline.ts';
import { verificationQueries } from './routes/verification.ts';
import type { Projector } from './runtime/projector.ts';
import { ReadModels } from './runtime/read-models.ts';
import type { Database } from './tables.ts';

export interface ProjectionAppDeps {
  db: Kysely<Database>;
  /** The event store, for verification and dossiers. */
  store: EventStore;
  verify: Verifier;
  /** `minPosition` waits until the projectors a query reads have passed it. */
  projectors: readonly Projector[];
  logger?: Logger;
  metrics?: Metrics;
  /** Upper bound of a `minPosition` wait (ms, default 5000). */
  minPositionWaitMs?: number;
  /** `METRICS_TOKEN`: a scraper's bearer token for `/metrics`. */
  metricsToken?: string | undefined;
  /** Prints the documents' PDFs; without one, PDFs answer 503 `pdf-unavailable`. */
  pdf?: PdfRenderer;
  /** `WEB_PUBLIC_URL`: the console the documents' QR codes open. */
  publicUrl?: string | undefined;
}

/** Where no Chromium is configured: every PDF is refused with the reason. */
const noPdf: PdfRenderer = {
  render: () => Promise.reject(new PdfUnavailable('no PDF renderer is configured')),
  close: () => Promise.resolve(),
};

/** The query API over the read models. */
export function createApp(deps: ProjectionAppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const metrics = deps.metrics ?? createMetrics('projection');
  const queryDeps: QueryDeps & { store: EventStore } = {
    db: deps.db,
    store: deps.store,
    readModels: new ReadModels(deps.db),
    projectors: deps.projectors,
    ...(deps.minPositionWaitMs === undefined ? {} : { minPositionWaitMs: deps.minPositionWaitMs }),
  };
  app.use('*', requestContext(deps.logger ?? silentLogger));
  app.use('*', metrics.middleware);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  serveMetrics(app, metrics, { verify: deps.verify, token: deps.metricsToken });
  app.use('/v1/*', authenticate(deps.verify));
  app.use('/v1/communities/:communityId/*', communityScope());
  app.use('/v1/communities/:communityId', communityScope());
  app.route('/', registryQueries(queryDeps));
  app.route('/', capacityQueries(queryDeps));
  app.route('/', installationQueries(queryDeps));
  app.route('/', convocationQueries(queryDeps));
  app.route('/', moneyQueries(queryDeps));
  app.route('/', proposalQueries(queryDeps));
  app.route('/', shareQueries(queryDeps));
  app.route('/', decisionQueries(queryDeps));
  app.route('/', sessionQueries(queryDeps));
  app.route('/', timelineQueries(queryDeps));
  app.route('/', verificationQueries(queryDeps));
  app.route('/', statusQueries(queryDeps));
  app.route('/', notificationQueries(queryDeps));
  // The documents print this service's own answers: they read them through the app itself.
  app.route(
    '/',
    documentQueries({
      ...queryDeps,
      self: (request) => Promise.resolve(app.fetch(request)),
      pdf: deps.pdf ?? noPdf,
      publicUrl: deps.publicUrl,
    }),
  );
  serveApiDescription(
    app,
    {
      title: 'Yishi projection service (议事 查询服务)',
      version: '0.2.0',
      description:
        'Read models of the community record. Every query takes `asOf` (time travel) and `minPosition` (read-your-writes).',
    },
    '议事 查询服务 · Yishi projection service',
  );
  installFallbacks(app);
  return app;
}
