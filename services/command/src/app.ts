import { randomUUID } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { EventStore } from '@yishi/event-store';
import {
  type AppEnv,
  authenticate,
  communityScope,
  createRouter,
  installFallbacks,
  type Logger,
  limitBody,
  requestContext,
  silentLogger,
  type Verifier,
} from '@yishi/platform';
import { CommandHandler } from './command-handler.ts';
import { communityRoutes } from './routes/communities.ts';
import { proposalRoutes } from './routes/proposals.ts';

export interface CommandAppDeps {
  store: EventStore;
  verify: Verifier;
  clock?: () => Date;
  newId?: () => string;
  logger?: Logger;
}

export const MAX_BODY_BYTES = 256 * 1024;

/** The command service: HTTP -> command -> decide -> append. */
export function createApp(deps: CommandAppDeps): OpenAPIHono<AppEnv> {
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? (() => randomUUID());
  const handler = new CommandHandler({ store: deps.store, clock, newId });
  const app = createRouter();
  app.use('*', requestContext(deps.logger ?? silentLogger));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.use('/v1/*', limitBody(MAX_BODY_BYTES));
  app.use('/v1/*', authenticate(deps.verify));
  app.use('/v1/communities/:communityId/*', communityScope());
  app.use('/v1/communities/:communityId', communityScope());
  app.route('/', communityRoutes(handler));
  app.route('/', proposalRoutes(handler, deps.store, newId));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Yishi command service (议事 命令服务)', version: '0.1.0' },
  });
  installFallbacks(app);
  return app;
}
