import { createRoute, z } from '@hono/zod-openapi';
import { type JsonObject, parseCheckpoint } from '@yishi/event-store';
import { type AppEnv, addRoute, CommunityParams, createRouter } from '@yishi/platform';
import type { Context } from 'hono';
import { type Selectable, sql } from 'kysely';
import { summarise } from '../projections/summaries.ts';
import { recordedBy } from '../projections/temporal.ts';
import { stringOrNull } from '../projections/timeline.ts';
import type { TimelineTable } from '../tables.ts';
import {
  AsOfInfo,
  jsonResponses,
  PageQuery,
  positionOf,
  type QueryDeps,
  READERS,
  type ReadContext,
  ReadQuery,
  readContext,
  StreamId,
  withAsOf,
} from './common.ts';
import {
  logPersonalRead,
  PersonalFields,
  personalValues,
  visibilityOf,
  withheld,
} from './visibility.ts';

export const TimelineEntry = z
  .object({
    position: z.string(),
    streamId: z.string(),
    streamVersion: z.number().int(),
    type: z.string(),
    summary: z.string().openapi({ description: 'One human-readable line (Chinese)' }),
    actor: z.object({ id: z.string().nullable(), role: z.string().nullable() }),
    commandId: z.string().nullable(),
    occurredAt: z.string().nullable(),
    recordedAt: z.string(),
    details: z.record(z.string(), z.unknown()),
    hash: z.string(),
  })
  .openapi('TimelineEntry');

export const TimelinePage = z
  .object({
    items: z.array(TimelineEntry),
    next: z.string().nullable().openapi({ description: 'Pass as `after` for the next page' }),
    asOf: AsOfInfo.optional(),
  })
  .openapi('TimelinePage');

const communityTimeline = createRoute({
  method: 'get',
  operationId: 'getCommunityTimeline',
  path: '/v1/communities/{communityId}/timeline',
  summary: 'The human-readable timeline of a community, or of one of its streams',
  description:
    'Personal fields of registry events (names, birth dates, phones, addresses, grounds of an erasure) only for clerks, officials and admins, opened from their sealed form (“个人信息已删除” once erased; an official’s reads are logged); webhook configuration only for admins: for others they are left out of `details` and listed in `details.redacted`.',
  tags: ['history'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: CommunityParams,
    query: ReadQuery.extend(PageQuery.shape).extend({
      stream: StreamId.optional().openapi({ description: 'Only this stream' }),
    }),
  },
  responses: jsonResponses('Timeline, oldest first', TimelinePage),
});

export interface TimelineFilter {
  communityId: string;
  streamId?: string | undefined;
  proposalId?: string | undefined;
  sessionId?: string | undefined;
  limit: number;
  after?: string | undefined;
}

/** A page of the timeline in the global order, as the record stood at `asOf`. */
export async function timelinePage(
  c: Context<AppEnv>,
  deps: QueryDeps,
  ctx: ReadContext,
  filter: TimelineFilter,
  route: string,
) {
  let query = ctx.db
    .withSchema(ctx.schema('timeline'))
    .selectFrom('timeline')
    .selectAll()
    .where('community_id', '=', filter.communityId)
    .where(recordedBy(ctx.asOf))
    .orderBy('transaction_id')
    .orderBy('global_position')
    .limit(filter.limit + 1);
  if (filter.streamId) query = query.where('stream_id', '=', filter.streamId);
  if (filter.proposalId) query = query.where('proposal_id', '=', filter.proposalId);
  if (filter.sessionId) query = query.where('session_id', '=', filter.sessionId);
  const after = filter.after ? parseCheckpoint(filter.after) : undefined;
  if (after) {
    query = query.where(
      sql<boolean>`(transaction_id, global_position) > (${after.transactionId.toString()}::int8, ${after.globalPosition.toString()}::int8)`,
    );
  }
  return withAsOf(
    ctx,
    await readableEntries(c, deps, filter.communityId, route, await query.execute(), filter.limit),
  );
}

/**
 * A page of timeline rows as this reader may see them, personal fields opened for those who
 * may read them (an official's read is logged).
 */
export async function readableEntries(
  c: Context<AppEnv>,
  deps: QueryDeps,
  communityId: string,
  route: string,
  rows: readonly Selectable<TimelineTable>[],
  limit: number,
) {
  const fields = await PersonalFields.load(
    deps.personalData.vault,
    visibilityOf(c.get('principal')),
    rows.slice(0, limit).flatMap((r) => personalValues(r.type, r.details)),
  );
  const entries = timelineEntries(rows, limit, fields);
  await logPersonalRead(deps.personalData, c, communityId, route, fields.shown);
  return entries;
}

/**
 * Entries of a page of timeline rows as this reader may see them; one row more than `limit`
 * says there is a next page.
 */
export function timelineEntries(
  rows: readonly Selectable<TimelineTable>[],
  limit: number,
  fields: PersonalFields,
) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => {
      // Properties written out in one literal: spreading an object into it first made V8 keep
      // each entry as a dictionary, several times slower to build and to serialise.
      const { actor, commandId } = whoAndHow(r);
      const shown = withheld(r.type, r.details, fields);
      return {
        position: positionOf(r.transaction_id, r.global_position),
        streamId: r.stream_id,
        streamVersion: r.stream_version,
        type: r.type,
        summary: summarise(r.type, (shown?.forSummary ?? r.details) as JsonObject),
        actor,
        commandId,
        occurredAt: typeof r.details.at === 'string' ? r.details.at : null,
        recordedAt: r.recorded_at.toISOString(),
        details: shown?.details ?? r.details,
        hash: r.hash,
      };
    }),
    next:
      rows.length > limit && last ? positionOf(last.transaction_id, last.global_position) : null,
  };
}

/** Who acted, in which role, by which command: from the metadata (version 4 on) or the columns. */
function whoAndHow(r: Selectable<TimelineTable>) {
  const meta = r.metadata;
  return meta
    ? {
        actor: { id: stringOrNull(meta.actorId), role: stringOrNull(meta.actorRole) },
        commandId: stringOrNull(meta.commandId),
      }
    : { actor: { id: r.actor_id, role: r.actor_role }, commandId: r.command_id };
}

export function timelineQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, communityTimeline, async (c) => {
    const { communityId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['timeline']);
    if (ctx instanceof Response) return ctx;
    return c.json(
      await timelinePage(
        c,
        deps,
        ctx,
        { communityId, streamId: query.stream, limit: query.limit, after: query.after },
        communityTimeline.path,
      ),
    );
  });
  return app;
}
