import { createRoute, z } from '@hono/zod-openapi';
import { addRoute, createRouter, ProposalParams } from '@yishi/platform';
import type { Selectable } from 'kysely';
import { visibleAt } from '../projections/temporal.ts';
import type { AmendmentsTable, CommentsTable } from '../tables.ts';
import {
  AsOfInfo,
  jsonResponses,
  type QueryDeps,
  READERS,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';
import { visibilityOf } from './visibility.ts';

// 议题讨论: a proposal's comments and residents' amendments. A hidden comment shows its text and
// reason to moderators and officials (visibility.ts) and to its author; to everyone else only
// that a comment was hidden, and when.

export const Comment = z
  .object({
    commentId: z.string(),
    parentId: z.string().nullable(),
    itemId: z.string().nullable(),
    optionId: z.string().nullable(),
    authorId: z.string(),
    authorRole: z.string(),
    postedAt: z.string(),
    /** null: hidden, and the reader may not see it. */
    body: z.string().nullable(),
    hidden: z
      .object({
        at: z.string(),
        /** To the author, moderators and officials only. */
        reason: z.string().nullable(),
        by: z.string().nullable(),
      })
      .nullable(),
  })
  .openapi('Comment');

export const Amendment = z
  .object({
    amendmentId: z.string(),
    title: z.string().nullable(),
    description: z.string().nullable(),
    items: z.array(z.unknown()).nullable(),
    reason: z.string(),
    proposedBy: z.string(),
    proposedAt: z.string(),
    status: z.enum(['pending', 'accepted', 'rejected']),
    answer: z.object({ by: z.string(), at: z.string(), reason: z.string() }).nullable(),
  })
  .openapi('Amendment');

export const Discussion = z
  .object({
    counts: z.object({
      /** Comments that stand (not hidden). */
      comments: z.number().int(),
      hidden: z.number().int(),
      /** Standing comments per item (the proposal as a whole under `null`). */
      byItem: z.array(z.object({ itemId: z.string().nullable(), count: z.number().int() })),
      amendments: z.number().int(),
    }),
    comments: z.array(Comment),
    amendments: z.array(Amendment),
    asOf: AsOfInfo.optional(),
  })
  .openapi('Discussion');

const getDiscussion = createRoute({
  method: 'get',
  operationId: 'getDiscussion',
  path: '/v1/communities/{communityId}/proposals/{proposalId}/discussion',
  summary: 'A proposal’s comments (in the order posted), counts and residents’ amendments',
  tags: ['discussion'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: ProposalParams, query: ReadQuery },
  responses: jsonResponses('The discussion', Discussion),
});

/** At most this many comments a proposal lists (the stream has no limit; a page shows fewer). */
const MAX_COMMENTS = 5000;

function toComment(
  r: Selectable<CommentsTable>,
  reader: { personId: string; moderation: boolean },
): z.infer<typeof Comment> {
  const sees = r.hidden_at === null || reader.moderation || reader.personId === r.author_id;
  return {
    commentId: r.comment_id,
    parentId: r.parent_id,
    itemId: r.item_id,
    optionId: r.option_id,
    authorId: r.author_id,
    authorRole: r.author_role,
    postedAt: r.posted_at,
    body: sees ? r.body : null,
    hidden:
      r.hidden_at === null
        ? null
        : {
            at: r.hidden_at,
            reason: sees ? r.hidden_reason : null,
            by: reader.moderation ? r.hidden_by : null,
          },
  };
}

function toAmendment(r: Selectable<AmendmentsTable>): z.infer<typeof Amendment> {
  return {
    amendmentId: r.amendment_id,
    title: r.title,
    description: r.description,
    items: r.items,
    reason: r.reason,
    proposedBy: r.proposed_by,
    proposedAt: r.proposed_at,
    status: r.status,
    answer:
      r.answered_by && r.answered_at && r.answer_reason
        ? { by: r.answered_by, at: r.answered_at, reason: r.answer_reason }
        : null,
  };
}

export function discussionQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, getDiscussion, async (c) => {
    const { communityId, proposalId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['discussions']);
    if (ctx instanceof Response) return ctx;
    const rm = ctx.db.withSchema(ctx.schema('discussions'));
    const [comments, amendments] = await Promise.all([
      rm
        .selectFrom('comments')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('proposal_id', '=', proposalId)
        .where(visibleAt(ctx.asOf))
        .orderBy('seq')
        .limit(MAX_COMMENTS)
        .execute(),
      rm
        .selectFrom('amendments')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('proposal_id', '=', proposalId)
        .where(visibleAt(ctx.asOf))
        .orderBy('seq')
        .execute(),
    ]);
    const principal = c.get('principal');
    const reader = {
      personId: principal.personId,
      moderation: visibilityOf(principal).moderation,
    };
    const standing = comments.filter((r) => r.hidden_at === null);
    const byItem = new Map<string | null, number>();
    for (const r of standing) byItem.set(r.item_id, (byItem.get(r.item_id) ?? 0) + 1);
    return c.json(
      withAsOf(ctx, {
        counts: {
          comments: standing.length,
          hidden: comments.length - standing.length,
          byItem: [...byItem].map(([itemId, count]) => ({ itemId, count })),
          amendments: amendments.length,
        },
        comments: comments.map((r) => toComment(r, reader)),
        amendments: amendments.map(toAmendment),
      }),
      200,
    );
  });
  return app;
}
