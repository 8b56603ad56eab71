import { createRoute } from '@hono/zod-openapi';
import { communityDecider, RegisterCommunityData, streams } from '@yishi/domain';
import { addRoute, createRouter, problem } from '@yishi/platform';
import { actorOf, mayRegisterCommunity } from '../authorisation.ts';
import type { CommandHandler } from '../command-handler.ts';
import { answer, idempotencyKey } from '../http-outcome.ts';
import { CommunityParams, commandResponses } from './schemas.ts';

const registerCommunity = createRoute({
  method: 'put',
  path: '/v1/communities/{communityId}',
  summary: 'Register a community (社区/村)',
  tags: ['registry'],
  security: [{ bearer: [] }],
  request: {
    params: CommunityParams,
    body: {
      required: true,
      content: {
        'application/json': { schema: RegisterCommunityData.omit({ communityId: true }) },
      },
    },
  },
  responses: commandResponses,
});

export function communityRoutes(handler: CommandHandler) {
  const app = createRouter();
  addRoute(app, registerCommunity, async (c) => {
    const { communityId } = c.req.valid('param');
    const body = c.req.valid('json');
    const principal = c.get('principal');
    if (!mayRegisterCommunity(principal)) {
      return problem(c, 403, 'role-forbidden', 'Only an admin may register a community');
    }
    const idem = idempotencyKey(c);
    if (idem instanceof Response) return idem;
    const outcome = await handler.handle({
      communityId,
      streamId: streams.community(communityId),
      decider: communityDecider,
      actor: actorOf(principal),
      idempotencyKey: idem.key,
      requestId: c.get('requestId'),
      command: (at) => ({
        type: 'RegisterCommunity' as const,
        data: { communityId, ...body },
        actor: actorOf(principal),
        at,
      }),
    });
    return answer(c, outcome, { communityId });
  });
  return app;
}
