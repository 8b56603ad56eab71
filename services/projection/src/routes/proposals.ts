import { createRoute, z } from '@hono/zod-openapi';
import { CommunityId, Id } from '@yishi/domain';
import { parseCheckpoint } from '@yishi/event-store';
import { addRoute, createRouter, problem, type RouteContext } from '@yishi/platform';
import type { Kysely } from 'kysely';
import type { Database } from '../db.ts';
import type { Projector } from '../projector.ts';

const CommunityParams = z.object({
  communityId: CommunityId.openapi({ param: { name: 'communityId', in: 'path' }, example: 'c1' }),
});
const ProposalParams = CommunityParams.extend({
  proposalId: Id.openapi({ param: { name: 'proposalId', in: 'path' }, example: 'p1' }),
});
const ReadQuery = z.object({
  minPosition: z
    .string()
    .regex(/^\d{1,20}:\d{1,20}$/, 'a position returned by the command service, e.g. 812:40')
    .optional()
    .openapi({ description: 'Wait (bounded) until the read model has passed this position' }),
});

const Proposal = z
  .object({
    communityId: z.string(),
    proposalId: z.string(),
    title: z.string(),
    description: z.string(),
    procedure: z.object({ template: z.string(), version: z.number().int() }),
    stage: z.string(),
    submittedBy: z.object({ personId: z.string(), role: z.string() }),
    submittedAt: z.string(),
    version: z.number().int(),
  })
  .openapi('Proposal');

const getProposal = createRoute({
  method: 'get',
  path: '/v1/communities/{communityId}/proposals/{proposalId}',
  summary: 'A proposal with its stage',
  tags: ['proposals'],
  security: [{ bearer: [] }],
  request: { params: ProposalParams, query: ReadQuery },
  responses: {
    200: { description: 'The proposal', content: { 'application/json': { schema: Proposal } } },
    404: { description: 'No such proposal' },
    409: { description: 'minPosition not reached in time' },
  },
});

const listProposals = createRoute({
  method: 'get',
  path: '/v1/communities/{communityId}/proposals',
  summary: 'Proposals of a community, newest first',
  tags: ['proposals'],
  security: [{ bearer: [] }],
  request: { params: CommunityParams, query: ReadQuery },
  responses: {
    200: {
      description: 'Proposals',
      content: { 'application/json': { schema: z.object({ items: z.array(Proposal) }) } },
    },
    409: { description: 'minPosition not reached in time' },
  },
});

const MIN_POSITION_WAIT_MS = 5_000;

/** Read-your-writes: wait until the projector has passed `minPosition`, else 409. */
export async function awaitPosition(
  c: RouteContext<typeof getProposal> | RouteContext<typeof listProposals>,
  projectors: readonly Projector[],
  minPosition: string | undefined,
): Promise<Response | undefined> {
  if (!minPosition) return undefined;
  const target = parseCheckpoint(minPosition);
  if (!target) return problem(c, 400, 'invalid-input', 'minPosition is not a position');
  const deadline = Date.now() + MIN_POSITION_WAIT_MS;
  let behind: Projector | undefined;
  for (const projector of projectors) {
    if (!(await projector.waitFor(target, Math.max(0, deadline - Date.now())))) {
      behind = projector;
      break;
    }
  }
  if (!behind) return undefined;
  const current = behind.position;
  return problem(c, 409, 'position-not-reached', 'The read model has not reached minPosition yet', {
    currentPosition: `${current.transactionId}:${current.globalPosition}`,
  });
}

function toProposal(row: Database['rm_proposals'] extends infer T ? T : never) {
  return {
    communityId: row.community_id,
    proposalId: row.proposal_id,
    title: row.title,
    description: row.description,
    procedure: { template: row.procedure_template, version: row.procedure_version },
    stage: row.stage,
    submittedBy: { personId: row.submitted_by, role: row.submitted_role },
    submittedAt: row.submitted_at,
    version: row.version,
  };
}

export function proposalQueries(db: Kysely<Database>, projectors: readonly Projector[]) {
  const app = createRouter();
  addRoute(app, getProposal, async (c) => {
    const { communityId, proposalId } = c.req.valid('param');
    const waited = await awaitPosition(c, projectors, c.req.valid('query').minPosition);
    if (waited) return waited;
    const row = await db
      .selectFrom('rm_proposals')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('proposal_id', '=', proposalId)
      .executeTakeFirst();
    if (!row)
      return problem(c, 404, 'proposal-not-found', `No proposal ${proposalId} in ${communityId}`);
    return c.json(toProposal(row));
  });
  addRoute(app, listProposals, async (c) => {
    const { communityId } = c.req.valid('param');
    const waited = await awaitPosition(c, projectors, c.req.valid('query').minPosition);
    if (waited) return waited;
    const rows = await db
      .selectFrom('rm_proposals')
      .selectAll()
      .where('community_id', '=', communityId)
      .orderBy('submitted_at', 'desc')
      .limit(500)
      .execute();
    return c.json({ items: rows.map(toProposal) });
  });
  return app;
}
