import { z } from '@hono/zod-openapi';
import { CommunityId, Id } from '@yishi/domain';

// The wire schemas both services document: problem details and the path parameters. Defined
// once here so the command and query APIs describe them alike.

/** RFC 9457 problem details with a stable English `code` (extension members may follow). */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://yishi.example/problems/role-forbidden' }),
    title: z.string().openapi({
      description: "The problem type's summary, the same for every answer with this code",
      example: 'Role forbidden',
    }),
    status: z.number().int().openapi({ example: 403 }),
    code: z.string().openapi({
      description: 'Stable English slug to branch on, e.g. `voting-closed`',
      example: 'role-forbidden',
    }),
    detail: z.string().openapi({
      description:
        'What went wrong this time, in English; with `errors`, each field and its message follow',
      example: 'Role resident may not send OpenVoting',
    }),
    instance: z.string().optional().openapi({
      description: 'The request path (every answer of the services carries it)',
      example: '/v1/communities/c1/proposals/p1/open-voting',
    }),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .openapi({
        description:
          'Validation errors, one per field: `body.<field>`, `query.<name>`, `param.<name>`, `header.<name>`',
      }),
    allowedRoles: z
      .array(z.string())
      .readonly()
      .optional()
      .openapi({ description: 'With `role-forbidden`: the roles that may use this route' }),
    actualVersion: z.number().int().optional().openapi({
      description:
        "With `precondition-failed` and `version-conflict`: the stream's version now (retry with it in If-Match)",
    }),
    currentPosition: z.string().optional().openapi({
      description:
        'With `position-not-reached`: the position the read model has reached (`txid:pos`)',
    }),
    projection: z
      .string()
      .optional()
      .openapi({ description: 'With `position-not-reached`: the read model that is behind' }),
    communityId: z
      .string()
      .optional()
      .openapi({ description: 'With `community-forbidden`: the community the token lacks' }),
    details: z.record(z.string(), z.unknown()).optional().openapi({
      description:
        "With a refusal by the rules (409, 403, 404, 422): the rule's figures, e.g. the stage or deadline it checked",
    }),
    deliveryStatus: z
      .string()
      .optional()
      .openapi({ description: "With `delivery-not-dead`: the delivery's status" }),
  })
  .openapi('Problem');

export const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

/**
 * A path parameter of the domain's id format. clone(): `.openapi` exists only on schemas
 * created after @hono/zod-openapi extended zod, and the domain's may be created before,
 * depending on import order.
 */
export function idParam(name: string, example: string) {
  return Id.clone().openapi({ param: { name, in: 'path' }, example });
}

export const CommunityParams = z.object({
  communityId: CommunityId.clone().openapi({
    param: { name: 'communityId', in: 'path' },
    example: 'c1',
  }),
});

export const ProposalParams = CommunityParams.extend({ proposalId: idParam('proposalId', 'p1') });
export const SessionParams = CommunityParams.extend({ sessionId: idParam('sessionId', 's1') });
export const RequestParams = CommunityParams.extend({ requestId: idParam('requestId', 'r1') });
export const WishParams = CommunityParams.extend({ wishId: idParam('wishId', 'w1') });
export const EvaluationParams = CommunityParams.extend({
  evaluationId: idParam('evaluationId', 'e1'),
});
export const CampaignParams = CommunityParams.extend({ campaignId: idParam('campaignId', 'yard') });
export const FundParams = CommunityParams.extend({ fundId: idParam('fundId', 'maintenance') });
