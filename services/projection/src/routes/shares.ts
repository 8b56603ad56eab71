import { createRoute, z } from '@hono/zod-openapi';
import { Cost, costShares, Id, type ProposalItem, VoteScope } from '@yishi/domain';
import { addRoute, createRouter, ProposalParams, problem } from '@yishi/platform';
import {
  AsOfInfo,
  jsonResponses,
  type QueryDeps,
  READERS,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';
import { frozenVote } from './proposals.ts';

// What each owner pays of a plan's cost (费用分摊), computed from the electorate the vote froze:
// the same area and units the vote counts, so anyone can recompute a share from the events.
// Shown to an owner before they vote; the rule is the domain's (rules/shares.ts).

const Share = z.object({
  voterId: z.string(),
  personIds: z.array(z.string()),
  unitIds: z.array(z.string()),
  areaCentiM2: z.number().int(),
  amountFen: z.number().int(),
});

export const CostShares = z
  .object({
    voteId: z.string(),
    scope: VoteScope,
    costs: z.array(
      z.object({
        itemId: z.string(),
        optionId: z
          .string()
          .nullable()
          .openapi({ description: 'The plan (方案) the cost is of; null: the motion itself' }),
        title: z.string(),
        cost: Cost,
        totalFen: z
          .number()
          .int()
          .openapi({ description: 'The total; for a rate, the sum of every share' }),
        shares: z.array(Share),
      }),
    ),
    next: z.string().nullable().openapi({ description: 'Cursor for the next page of voters' }),
    asOf: AsOfInfo.optional(),
  })
  .openapi('CostShares');

const getShares = createRoute({
  method: 'get',
  operationId: 'getCostShares',
  path: '/v1/communities/{communityId}/proposals/{proposalId}/shares',
  summary: 'Each owner’s share of the costs of a vote’s motions and plans (费用分摊)',
  description:
    'Shares are computed over the electorate frozen when the vote opened: by area or by unit with the largest remainder method (they sum exactly to the total), or at a rate per square metre rounded half up per owner. Costs paid from a fund have no owner share.',
  tags: ['proposals'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: ProposalParams,
    query: ReadQuery.extend({
      voteId: Id.optional().openapi({ description: 'Default: the latest vote' }),
      personId: Id.optional().openapi({
        description: 'Only the voters this person casts for (an owner, a co-owner)',
      }),
      limit: z.coerce.number().int().min(1).max(10_000).default(1000),
      after: Id.optional().openapi({
        description: 'Cursor: the last voterId of the previous page',
      }),
    }),
  },
  responses: jsonResponses('The shares', CostShares, { notFound: ['vote-not-found'] }),
});

export function shareQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, getShares, async (c) => {
    const { communityId, proposalId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['proposals', 'electorates']);
    if (ctx instanceof Response) return ctx;
    const found = await frozenVote(ctx, communityId, proposalId, query.voteId);
    if (found.kind === 'missing')
      return problem(c, 404, 'vote-not-found', `No vote on proposal ${proposalId}`);
    if (found.kind === 'not-projected') {
      return problem(
        c,
        503,
        'read-model-unavailable',
        `The electorate of vote ${found.voteId} is not projected yet; retry`,
      );
    }
    const { electorate, frozen, vote } = found;
    // The page of voters shown; the shares are computed over every voter, as they must sum.
    const chosen = electorate.filter(
      (v) =>
        (query.personId === undefined || v.personIds.includes(query.personId)) &&
        (query.after === undefined || v.voterId > query.after),
    );
    const page = chosen.slice(0, query.limit);
    const shown = new Set(page.map((v) => v.voterId));
    const voters = new Map(electorate.map((v) => [v.voterId, v]));
    const costs = costed(vote.items as ProposalItem[]).map(({ item, option, cost }) => {
      const all = costShares(cost, electorate);
      return {
        itemId: item.itemId,
        optionId: option?.optionId ?? null,
        title: option?.title ?? item.title,
        cost,
        totalFen: all.totalFen,
        shares: all.shares
          .filter((s) => shown.has(s.voterId))
          .map((s) => {
            const v = voters.get(s.voterId)!;
            return {
              voterId: s.voterId,
              personIds: v.personIds,
              unitIds: v.unitIds,
              areaCentiM2: v.areaCentiM2,
              amountFen: s.amountFen,
            };
          }),
      };
    });
    const scope = (frozen.opened as { scope?: VoteScope } | null)?.scope ?? { kind: 'community' };
    return c.json(
      withAsOf(ctx, {
        voteId: found.voteId,
        scope,
        costs,
        next: chosen.length > page.length ? (page.at(-1)?.voterId ?? null) : null,
      }),
      200,
    );
  });
  return app;
}

/** The costs of a vote's items: a motion's own, and each plan's. */
function costed(items: readonly ProposalItem[]) {
  return items.flatMap((item) => [
    ...(item.cost ? [{ item, option: undefined, cost: item.cost }] : []),
    ...item.options.flatMap((option) => (option.cost ? [{ item, option, cost: option.cost }] : [])),
  ]);
}
