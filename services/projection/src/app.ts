import { randomBytes } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { type BlobStore, MemoryBlobStore } from '@yishi/attachments';
import { type EventStore, PostgresEventStore } from '@yishi/event-store';
import { memoryPersonalData } from '@yishi/personal-data';
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
import { PhoneIndex } from './directory/phone-index.ts';
import { type PdfRenderer, PdfUnavailable } from './documents/renderer.ts';
import { documentQueries } from './documents/routes.ts';
import { notificationQueries } from './notifications/routes.ts';
import { attachmentQueries } from './routes/attachments.ts';
import { capacityQueries } from './routes/capacities.ts';
import type { QueryDeps } from './routes/common.ts';
import { convocationQueries } from './routes/convocations.ts';
import { decisionQueries } from './routes/decisions.ts';
import { directoryQueries } from './routes/directory.ts';
import { discussionQueries } from './routes/discussions.ts';
import { evaluationQueries } from './routes/evaluations.ts';
import { installationQueries } from './routes/installation.ts';
import { moneyQueries } from './routes/money.ts';
import { personalDataQueries } from './routes/personal-data.ts';
import { proposalQueries } from './routes/proposals.ts';
import { registryQueries } from './routes/registry.ts';
import { sessionQueries } from './routes/sessions.ts';
import { shareQueries } from './routes/shares.ts';
import { standingBodyQueries } from './routes/standing-bodies.ts';
import { statusQueries } from './routes/status.ts';
import { timelineQueries } from './routes/timeline.ts';
import { type VerificationDeps, verificationQueries } from './routes/verification.ts';
import type { PersonalDataDeps } from './routes/visibility.ts';
import { wishQueries } from './routes/wishes.ts';
import type { Projector } from './runtime/projector.ts';
import { ReadModels } from './runtime/read-models.ts';
import type { Database } from './tables.ts';
import type { TreeBuilder } from './transparency/builder.ts';
import { transparencyQueries } from './transparency/routes.ts';

export interface ProjectionAppDeps {
  db: Kysely<Database>;
  /** `READ_REPLICA_URL`: officials' queries without `minPosition` read there. */
  replica?: Kysely<Database> | undefined;
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
  /**
   * Opens sealed personal fields and logs officials' reads. Default: in memory (tests whose
   * events hold no sealed values); a running service passes the one in PostgreSQL.
   */
  personalData?: PersonalDataDeps;
  /** The log's builder in this process: a dossier asks it to sign soon. */
  treeBuilder?: TreeBuilder;
  /** Upper bound of a dossier's wait for a checkpoint covering it (ms, default 5000). */
  checkpointWaitMs?: number;
  /** Prints the documents' PDFs; without one, PDFs answer 503 `pdf-unavailable`. */
  pdf?: PdfRenderer;
  /** `WEB_PUBLIC_URL`: the console the documents' QR codes open. */
  publicUrl?: string | undefined;
  /** Attachments' bytes. Default: in memory (tests); a running service passes its store. */
  blobs?: BlobStore;
  /** Sign-in's lookup by phone number; default: one under a random key (tests). */
  phoneIndex?: PhoneIndex;
}

/** Where no Chromium is configured: every PDF is refused with the reason. */
const noPdf: PdfRenderer = {
  render: () => Promise.reject(new PdfUnavailable('no PDF renderer is configured')),
  close: () => Promise.resolve(),
};

/** Where the store can tell the last event every reader sees (PostgreSQL's readers' horizon). */
function visibleEndOf(store: EventStore): QueryDeps['visibleEnd'] {
  return store instanceof PostgresEventStore ? () => store.visibleEnd() : undefined;
}

/** The query API over the read models. */
export function createApp(deps: ProjectionAppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const metrics = deps.metrics ?? createMetrics('projection');
  const blobs = deps.blobs ?? new MemoryBlobStore();
  const queryDeps: QueryDeps & VerificationDeps = {
    blobs,
    db: deps.db,
    replica: deps.replica,
    store: deps.store,
    treeBuilder: deps.treeBuilder,
    checkpointWaitMs: deps.checkpointWaitMs ?? deps.minPositionWaitMs ?? 5_000,
    readModels: new ReadModels(deps.db),
    projectors: deps.projectors,
    personalData: deps.personalData ?? memoryPersonalData(),
    visibleEnd: visibleEndOf(deps.store),
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
  app.route('/', discussionQueries(queryDeps));
  app.route('/', wishQueries(queryDeps));
  app.route('/', evaluationQueries(queryDeps));
  app.route('/', standingBodyQueries(queryDeps));
  app.route('/', moneyQueries(queryDeps));
  app.route('/', proposalQueries(queryDeps));
  app.route('/', shareQueries(queryDeps));
  app.route('/', decisionQueries(queryDeps));
  app.route('/', sessionQueries(queryDeps));
  app.route('/', timelineQueries(queryDeps));
  app.route('/', verificationQueries(queryDeps));
  app.route('/', attachmentQueries({ store: deps.store, blobs }));
  app.route('/', statusQueries(queryDeps));
  app.route('/', notificationQueries(queryDeps));
  app.route('/', personalDataQueries(queryDeps));
  app.route(
    '/',
    directoryQueries({
      phoneIndex:
        deps.phoneIndex ??
        new PhoneIndex(
          deps.db,
          queryDeps.readModels,
          queryDeps.personalData.vault,
          randomBytes(32),
        ),
    }),
  );
  app.route('/', transparencyQueries(queryDeps));
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
