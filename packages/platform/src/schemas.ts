import { z } from '@hono/zod-openapi';
import { CommunityId, Id } from '@yishi/domain';

// The wire schemas both services document: problem details and the path parameters. Defined
// once here so the command and query APIs describe them alike.

/** RFC 9457 problem details with a stable English `code` (extension members may follow). */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'Validation errors: one entry per field' }),
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
