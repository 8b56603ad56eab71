import { createRoute, z } from '@hono/zod-openapi';
import { MeetingSchedule, nextMeeting } from '@yishi/domain';
import { addRoute, CommunityParams, createRouter, idParam, problem } from '@yishi/platform';
import type { Selectable } from 'kysely';
import { visibleAt } from '../projections/temporal.ts';
import type { StandingBodiesTable } from '../tables.ts';
import {
  AsOfInfo,
  jsonResponses,
  type QueryDeps,
  READERS,
  type ReadContext,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';

// 常设议事机构: a community's standing bodies (居民议事会, 联席会议) with their members, parties,
// venue and schedule, and the next meeting the schedule gives (none once dissolved). The console
// lists them on the community page and picks one in the change and dissolve forms.

export const StandingBody = z
  .object({
    bodyId: z.string(),
    name: z.string(),
    kind: z.enum(['residents-council', 'joint-session']),
    partyIds: z.array(z.string()),
    memberIds: z.array(z.string()),
    venue: z.string(),
    schedule: MeetingSchedule,
    establishedAt: z.string(),
    establishedBy: z.string(),
    changedAt: z.string().nullable(),
    changeReason: z.string().nullable(),
    dissolved: z.boolean(),
    dissolvedAt: z.string().nullable(),
    dissolveReason: z.string().nullable(),
    nextMeetingAt: z.string().nullable().openapi({
      description:
        'The next meeting by the schedule (China Standard Time), after the time asked about; null once dissolved',
    }),
  })
  .openapi('StandingBody');

export const StandingBodyDetail = StandingBody.extend({ asOf: AsOfInfo.optional() });
export const StandingBodyList = z.object({
  items: z.array(StandingBody),
  asOf: AsOfInfo.optional(),
});

const StandingBodyParams = CommunityParams.extend({ bodyId: idParam('bodyId', 'council') });

const listStandingBodies = createRoute({
  method: 'get',
  operationId: 'listStandingBodies',
  path: '/v1/communities/{communityId}/standing-bodies',
  summary: 'Standing bodies (居民议事会, 联席会议) with members, schedule and next meeting',
  tags: ['registry'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: CommunityParams, query: ReadQuery },
  responses: jsonResponses('The standing bodies, active ones first', StandingBodyList),
});

const getStandingBody = createRoute({
  method: 'get',
  operationId: 'getStandingBody',
  path: '/v1/communities/{communityId}/standing-bodies/{bodyId}',
  summary: 'A standing body: members, parties, venue, schedule, next meeting, dissolved or not',
  tags: ['registry'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: StandingBodyParams, query: ReadQuery },
  responses: jsonResponses('The standing body', StandingBodyDetail, {
    notFound: ['standing-body-not-found'],
  }),
});

function toStandingBody(
  ctx: ReadContext,
  r: Selectable<StandingBodiesTable>,
): z.infer<typeof StandingBody> {
  const dissolved = r.dissolved_at !== null;
  return {
    bodyId: r.body_id,
    name: r.name,
    kind: r.kind,
    partyIds: r.party_ids,
    memberIds: r.member_ids,
    venue: r.venue,
    schedule: r.schedule,
    establishedAt: r.established_at,
    establishedBy: r.established_by,
    changedAt: r.changed_at,
    changeReason: r.change_reason,
    dissolved,
    dissolvedAt: r.dissolved_at,
    dissolveReason: r.dissolve_reason,
    nextMeetingAt: dissolved ? null : nextMeeting(r.schedule, ctx.asOfTime).toISOString(),
  };
}

export function standingBodyQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, listStandingBodies, async (c) => {
    const { communityId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['standing_bodies']);
    if (ctx instanceof Response) return ctx;
    const rows = await ctx.db
      .withSchema(ctx.schema('standing_bodies'))
      .selectFrom('standing_bodies')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(visibleAt(ctx.asOf))
      .orderBy((eb) => eb('dissolved_at', 'is not', null))
      .orderBy('established_at')
      .orderBy('body_id')
      .limit(1000)
      .execute();
    return c.json(withAsOf(ctx, { items: rows.map((r) => toStandingBody(ctx, r)) }), 200);
  });
  addRoute(app, getStandingBody, async (c) => {
    const { communityId, bodyId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['standing_bodies']);
    if (ctx instanceof Response) return ctx;
    const row = await ctx.db
      .withSchema(ctx.schema('standing_bodies'))
      .selectFrom('standing_bodies')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('body_id', '=', bodyId)
      .where(visibleAt(ctx.asOf))
      .executeTakeFirst();
    if (!row) {
      return problem(
        c,
        404,
        'standing-body-not-found',
        `No standing body ${bodyId} in ${communityId}`,
      );
    }
    return c.json(withAsOf(ctx, toStandingBody(ctx, row)), 200);
  });
  return app;
}
