import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  type AppEnv,
  authenticate,
  communityScope,
  createRouter,
  installFallbacks,
  type Logger,
  requestContext,
  silentLogger,
  type Verifier,
} from '@yishi/platform';
import type { Kysely } from 'kysely';
import type { Database } from './db.ts';
import type { Projector } from './projector.ts';
import { proposalQueries } from './routes/proposals.ts';

export interface ProjectionAppDeps {
  db: Kysely<Database>;
  verify: Verifier;
  /** `minPosition` waits until every projector has passed it. */
  projectors: readonly Projector[];
  logger?: Logger;
}

/** The query API over the read models. */
export function createApp(deps: ProjectionAppDeps): OpenAPIHono<AppEnv> {
  const app = createRouter();
  app.use('*', requestContext(deps.logger ?? silentLogger));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.use('/v1/*', authenticate(deps.verify));
  app.use('/v1/communities/:communityId/*', communityScope());
  app.use('/v1/communities/:communityId', communityScope());
  app.route('/', proposalQueries(deps.db, deps.projectors));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Yishi projection service (议事 查询服务)', version: '0.1.0' },
  });
  installFallbacks(app);
  return app;
}
