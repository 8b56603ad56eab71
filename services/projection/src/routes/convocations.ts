import { createRoute, z } from '@hono/zod-openapi';
import { ConvocationFigures } from '@yishi/domain';
import { addRoute, CommunityParams, createRouter, problem, RequestParams } from '@yishi/platform';
import type { Selectable } from 'kysely';
import { recordedBy, visibleAt } from '../projections/temporal.ts';
import type { MeetingRequestsTable } from '../tables.ts';
import {
  AsOfInfo,
  jsonResponses,
  type QueryDeps,
  READERS,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';

// 提议召集居民会议: residents' requests to convene a residents' meeting (Art. 10), as they stood.

export const MeetingRequest = z
  .object({
    requestId: z.string(),
    matters: z.string(),
    requestedBy: z.string(),
    requestedAt: z.string(),
    status: z.enum(['collecting', 'must-convene', 'convened']),
    signatures: z.object({
      adults: z.number().int(),
      households: z.number().int(),
      groups: z.number().int(),
    }),
    mustConvene: z
      .object({
        at: z.string(),
        passed: z.array(z.string()),
        figures: ConvocationFigures.nullable(),
      })
      .nullable(),
    meeting: z
      .object({
        meetingAt: z.string(),
        place: z.string().nullable(),
        proposalIds: z.array(z.string()),
        recordedAt: z.string(),
      })
      .nullable(),
    updatedAt: z.string(),
  })
  .openapi('MeetingRequest');

const Signature = z.object({
  capacity: z.string(),
  signerId: z.string(),
  countedId: z.string(),
  signedAt: z.string(),
});

export const MeetingRequestList = z.object({
  items: z.array(MeetingRequest),
  asOf: AsOfInfo.optional(),
});

const listRequests = createRoute({
  method: 'get',
  operationId: 'listRequests',
  path: '/v1/communities/{communityId}/residents-meeting-requests',
  summary: 'Requests to convene a residents’ meeting (提议召集居民会议), newest first',
  tags: ['convocations'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: CommunityParams, query: ReadQuery },
  responses: jsonResponses('Requests', MeetingRequestList),
});

const getRequest = createRoute({
  method: 'get',
  operationId: 'getRequest',
  path: '/v1/communities/{communityId}/residents-meeting-requests/{requestId}',
  summary: 'A request with its signatures, the threshold it reached and the meeting convened',
  tags: ['convocations'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: RequestParams, query: ReadQuery },
  responses: jsonResponses(
    'The request',
    MeetingRequest.extend({ signatureList: z.array(Signature), asOf: AsOfInfo.optional() }),
    { notFound: ['request-not-found'] },
  ),
});

function toRequest(r: Selectable<MeetingRequestsTable>): z.infer<typeof MeetingRequest> {
  return {
    requestId: r.request_id,
    matters: r.matters,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    status: r.status,
    signatures: { adults: r.adults, households: r.households, groups: r.groups },
    mustConvene: r.must_convene_at
      ? { at: r.must_convene_at, passed: r.passed ?? [], figures: r.figures }
      : null,
    meeting:
      r.meeting_at && r.convened_at
        ? {
            meetingAt: r.meeting_at,
            place: r.place,
            proposalIds: r.proposal_ids ?? [],
            recordedAt: r.convened_at,
          }
        : null,
    updatedAt: r.updated_at,
  };
}

export function convocationQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, listRequests, async (c) => {
    const { communityId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['convocations']);
    if (ctx instanceof Response) return ctx;
    const rows = await ctx.db
      .withSchema(ctx.schema('convocations'))
      .selectFrom('meeting_requests')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(visibleAt(ctx.asOf))
      .orderBy('requested_at', 'desc')
      .orderBy('request_id')
      .limit(1000)
      .execute();
    return c.json(withAsOf(ctx, { items: rows.map(toRequest) }), 200);
  });
  addRoute(app, getRequest, async (c) => {
    const { communityId, requestId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['convocations']);
    if (ctx instanceof Response) return ctx;
    const rm = ctx.db.withSchema(ctx.schema('convocations'));
    const row = await rm
      .selectFrom('meeting_requests')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('request_id', '=', requestId)
      .where(visibleAt(ctx.asOf))
      .executeTakeFirst();
    if (!row) {
      return problem(c, 404, 'request-not-found', `No request ${requestId} in ${communityId}`);
    }
    const signatures = await rm
      .selectFrom('meeting_request_signatures')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('request_id', '=', requestId)
      .where(recordedBy(ctx.asOf))
      .orderBy('transaction_id')
      .orderBy('global_position')
      .execute();
    return c.json(
      withAsOf(ctx, {
        ...toRequest(row),
        signatureList: signatures.map((s) => ({
          capacity: s.capacity,
          signerId: s.signer_id,
          countedId: s.counted_id,
          signedAt: s.signed_at,
        })),
      }),
      200,
    );
  });
  return app;
}
