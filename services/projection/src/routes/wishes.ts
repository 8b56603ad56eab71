import { createRoute, z } from '@hono/zod-openapi';
import { WishCategory } from '@yishi/domain';
import { addRoute, CommunityParams, createRouter, problem, WishParams } from '@yishi/platform';
import type { Selectable } from 'kysely';
import { visibleAt } from '../projections/temporal.ts';
import type { WishesTable } from '../tables.ts';
import {
  AsOfInfo,
  jsonResponses,
  type QueryDeps,
  READERS,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';

// 微心愿: the community's public list of wishes and needs, with what is open, claimed and done.

const STATUSES = ['open', 'claimed', 'done', 'cancelled'] as const;

export const Wish = z
  .object({
    wishId: z.string(),
    kind: z.enum(['wish', 'need']),
    category: WishCategory,
    title: z.string(),
    description: z.string(),
    requesterId: z.string(),
    postedAt: z.string(),
    status: z.enum(STATUSES),
    claim: z
      .object({
        /** The volunteer, or the representative who claimed for a party. */
        personId: z.string(),
        partyId: z.string().nullable(),
        partyName: z.string().nullable(),
        at: z.string(),
        note: z.string().nullable(),
      })
      .nullable(),
    completion: z
      .object({ photo: z.string(), note: z.string().nullable(), at: z.string() })
      .nullable(),
    rating: z
      .object({ stars: z.number().int(), comment: z.string().nullable(), at: z.string() })
      .nullable(),
    cancellation: z.object({ reason: z.string(), at: z.string() }).nullable(),
    updatedAt: z.string(),
  })
  .openapi('Wish');

const WishQuery = ReadQuery.extend({
  status: z
    .enum(STATUSES)
    .optional()
    .openapi({ description: 'Only wishes in this state', example: 'open' }),
});

export const WishList = z.object({
  counts: z.object({
    open: z.number().int(),
    claimed: z.number().int(),
    done: z.number().int(),
    cancelled: z.number().int(),
  }),
  items: z.array(Wish),
  asOf: AsOfInfo.optional(),
});

const listWishes = createRoute({
  method: 'get',
  operationId: 'listWishes',
  path: '/v1/communities/{communityId}/wishes',
  summary: 'Micro-wishes and needs (微心愿), newest first, with counts by state',
  tags: ['wishes'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: CommunityParams, query: WishQuery },
  responses: jsonResponses('The wishes', WishList),
});

const getWish = createRoute({
  method: 'get',
  operationId: 'getWish',
  path: '/v1/communities/{communityId}/wishes/{wishId}',
  summary: 'A micro-wish: its claim, the help given and its rating',
  tags: ['wishes'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: WishParams, query: ReadQuery },
  responses: jsonResponses('The wish', Wish.extend({ asOf: AsOfInfo.optional() }), {
    notFound: ['wish-not-found'],
  }),
});

function toWish(r: Selectable<WishesTable>): z.infer<typeof Wish> {
  return {
    wishId: r.wish_id,
    kind: r.kind === 'need' ? 'need' : 'wish',
    category: WishCategory.catch('other').parse(r.category),
    title: r.title,
    description: r.description,
    requesterId: r.requester_id,
    postedAt: r.posted_at,
    status: r.status,
    claim:
      r.claimant_id && r.claimed_at
        ? {
            personId: r.claimant_id,
            partyId: r.claimant_party_id,
            partyName: r.claimant_name,
            at: r.claimed_at,
            note: r.claim_note,
          }
        : null,
    completion:
      r.photo && r.completed_at ? { photo: r.photo, note: r.done_note, at: r.completed_at } : null,
    rating:
      r.stars !== null && r.rated_at
        ? { stars: r.stars, comment: r.rating_comment, at: r.rated_at }
        : null,
    cancellation:
      r.cancel_reason && r.cancelled_at ? { reason: r.cancel_reason, at: r.cancelled_at } : null,
    updatedAt: r.updated_at,
  };
}

export function wishQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, listWishes, async (c) => {
    const { communityId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['wishes']);
    if (ctx instanceof Response) return ctx;
    const rows = await ctx.db
      .withSchema(ctx.schema('wishes'))
      .selectFrom('wishes')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(visibleAt(ctx.asOf))
      .orderBy('posted_at', 'desc')
      .orderBy('wish_id')
      .limit(2000)
      .execute();
    const counts = { open: 0, claimed: 0, done: 0, cancelled: 0 };
    for (const r of rows) counts[r.status] += 1;
    const shown = query.status ? rows.filter((r) => r.status === query.status) : rows;
    return c.json(withAsOf(ctx, { counts, items: shown.map(toWish) }), 200);
  });
  addRoute(app, getWish, async (c) => {
    const { communityId, wishId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['wishes']);
    if (ctx instanceof Response) return ctx;
    const row = await ctx.db
      .withSchema(ctx.schema('wishes'))
      .selectFrom('wishes')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('wish_id', '=', wishId)
      .where(visibleAt(ctx.asOf))
      .executeTakeFirst();
    if (!row) return problem(c, 404, 'wish-not-found', `No wish ${wishId} in ${communityId}`);
    return c.json(withAsOf(ctx, toWish(row)), 200);
  });
  return app;
}
