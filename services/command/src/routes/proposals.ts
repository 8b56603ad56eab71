import { createRoute } from '@hono/zod-openapi';
import { proposalDecider, SubmitProposalData, streams } from '@yishi/domain';
import type { EventStore } from '@yishi/event-store';
import { addRoute, createRouter, problem } from '@yishi/platform';
import { actorOf, maySubmitProposal } from '../authorisation.ts';
import type { CommandHandler } from '../command-handler.ts';
import { answer, idempotencyKey } from '../http-outcome.ts';
import { CommunityParams, commandResponses } from './schemas.ts';

const submitProposal = createRoute({
  method: 'post',
  path: '/v1/communities/{communityId}/proposals',
  summary: 'Submit a proposal (议题)',
  tags: ['proposals'],
  security: [{ bearer: [] }],
  request: {
    params: CommunityParams,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: SubmitProposalData.partial({ proposalId: true }),
        },
      },
    },
  },
  responses: commandResponses,
});

export function proposalRoutes(handler: CommandHandler, store: EventStore, newId: () => string) {
  const app = createRouter();
  addRoute(app, submitProposal, async (c) => {
    const { communityId } = c.req.valid('param');
    const body = c.req.valid('json');
    const principal = c.get('principal');
    if (!maySubmitProposal(principal)) {
      return problem(c, 403, 'role-forbidden', 'This role may not submit proposals');
    }
    const idem = idempotencyKey(c);
    if (idem instanceof Response) return idem;
    if (!(await store.streamHead(streams.community(communityId)))) {
      return problem(c, 404, 'community-not-found', `Community ${communityId} is not registered`);
    }
    const proposalId = body.proposalId ?? newId();
    const outcome = await handler.handle({
      communityId,
      streamId: streams.proposal(communityId, proposalId),
      decider: proposalDecider,
      actor: actorOf(principal),
      idempotencyKey: idem.key,
      requestId: c.get('requestId'),
      command: (at) => ({
        type: 'SubmitProposal' as const,
        data: { ...body, proposalId, communityId },
        actor: actorOf(principal),
        at,
      }),
    });
    const storedId = outcome.kind === 'ok' ? outcome.result.streamId.split('.').pop() : proposalId;
    if (outcome.kind === 'ok')
      c.header('location', `/v1/communities/${communityId}/proposals/${storedId}`);
    return answer(c, outcome, { proposalId: storedId });
  });
  return app;
}
