import { createRoute, z } from '@hono/zod-openapi';
import { Id, JointSessionRule, RuleResultSchema } from '@yishi/domain';
import { addRoute, CommunityParams, createRouter, problem, SessionParams } from '@yishi/platform';
import { type Selectable, sql } from 'kysely';
import { recordedBy, visibleAt } from '../projections/temporal.ts';
import type { Database } from '../tables.ts';
import {
  AsOfInfo,
  jsonResponses,
  type QueryDeps,
  READERS,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';

// Joint sessions (多方联席会议) and residents' council meetings: agenda, attendance, statements,
// each party's position per item, resolutions, and the minutes with every version, signature
// and correction.

/** A session's tables that keep a version of each row per change. */
type SessionTable = 'session_attendance' | 'session_positions' | 'session_resolutions' | 'minutes';

const Signature = z.object({
  partyId: z
    .string()
    .nullable()
    .openapi({ description: 'The party signed for; null: a council member signed' }),
  personId: z.string(),
  at: z.string(),
});
export const Session = z
  .object({
    sessionId: z.string(),
    kind: z.string(),
    title: z.string(),
    scheduledAt: z.string(),
    convenedAt: z.string(),
    convenedBy: z.string(),
    noticeAt: z.string().nullable(),
    parties: z.array(z.object({ partyId: z.string(), kind: z.string(), name: z.string() })),
    requiredPartyIds: z.array(z.string()),
    resolutionRule: JointSessionRule,
    memberIds: z.array(z.string()),
    attendance: z.array(
      z.object({
        personId: z.string(),
        partyId: z.string().nullable(),
        as: z.string(),
        at: z.string(),
      }),
    ),
    agenda: z.array(
      z.object({
        itemId: z.string(),
        title: z.string(),
        proposalId: z.string().nullable(),
        concernedPartyIds: z.array(z.string()),
        statements: z.array(
          z.object({
            speakerPersonId: z.string(),
            partyId: z.string().nullable(),
            text: z.string(),
            at: z.string(),
          }),
        ),
        positions: z.array(
          z.object({
            partyId: z.string().nullable(),
            personId: z.string(),
            position: z.string(),
            reason: z.string().nullable(),
            at: z.string(),
          }),
        ),
        resolution: z
          .object({
            outcome: z.string(),
            dissentingPartyIds: z.array(z.string()),
            result: RuleResultSchema,
            at: z.string(),
          })
          .nullable(),
      }),
    ),
    minutes: z.object({
      currentVersion: z.number().int().nullable(),
      finalVersion: z.number().int().nullable(),
      publishedAt: z.string().nullable(),
      versions: z.array(
        z.object({
          version: z.number().int(),
          text: z.string(),
          reason: z.string().nullable(),
          documentRef: z.string().nullable(),
          writtenBy: z.string(),
          writtenAt: z.string(),
          signatures: z.array(Signature),
          final: z.boolean(),
          finalisedAt: z.string().nullable(),
        }),
      ),
      corrections: z.array(
        z.object({
          correctionId: z.string(),
          text: z.string(),
          reason: z.string().nullable(),
          writtenBy: z.string(),
          writtenAt: z.string(),
          signatures: z.array(Signature),
          final: z.boolean(),
          finalisedAt: z.string().nullable(),
        }),
      ),
    }),
    asOf: AsOfInfo.optional(),
  })
  .openapi('Session');

const getSession = createRoute({
  method: 'get',
  operationId: 'getSession',
  path: '/v1/communities/{communityId}/sessions/{sessionId}',
  summary:
    'A session with agenda, attendance, statements, party positions, resolutions and minutes',
  tags: ['sessions'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: SessionParams, query: ReadQuery },
  responses: jsonResponses('The session', Session, { notFound: ['session-not-found'] }),
});

export const SessionSummary = z.object({
  sessionId: z.string(),
  kind: z.string(),
  title: z.string(),
  scheduledAt: z.string(),
  minutesFinalVersion: z.number().int().nullable(),
  minutesPublishedAt: z.string().nullable(),
});
export const SessionList = z.object({
  items: z.array(SessionSummary),
  asOf: AsOfInfo.optional(),
});

const listSessions = createRoute({
  method: 'get',
  operationId: 'listSessions',
  path: '/v1/communities/{communityId}/sessions',
  summary: 'Sessions of a community, latest first',
  tags: ['sessions'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: CommunityParams,
    query: ReadQuery.extend({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
      proposalId: Id.optional().openapi({
        description: 'Only sessions with this proposal on their agenda',
      }),
    }),
  },
  responses: jsonResponses('Sessions', SessionList),
});

export function sessionQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, getSession, async (c) => {
    const { communityId, sessionId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['sessions']);
    if (ctx instanceof Response) return ctx;
    const rm = ctx.db.withSchema(ctx.schema('sessions'));
    const session = await rm
      .selectFrom('sessions')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('session_id', '=', sessionId)
      .where(visibleAt(ctx.asOf))
      .executeTakeFirst();
    if (!session)
      return problem(c, 404, 'session-not-found', `No session ${sessionId} in ${communityId}`);
    // The session's rows in one of its tables as they stood at `asOf`, in the order written
    // (kysely cannot type a query over a table the caller names: the cast says what it reads).
    const rowsOf = <T extends SessionTable>(table: T) =>
      rm
        .selectFrom(table as SessionTable)
        .selectAll()
        .where('community_id', '=', communityId)
        .where('session_id', '=', sessionId)
        .where(visibleAt(ctx.asOf))
        .orderBy('valid_from_tx')
        .orderBy('valid_from_pos')
        .execute() as Promise<Selectable<Database[T]>[]>;
    const [attendance, statements, positions, resolutions, minutes] = await Promise.all([
      rowsOf('session_attendance'),
      rm
        .selectFrom('session_statements')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('session_id', '=', sessionId)
        .where(recordedBy(ctx.asOf))
        .orderBy('stream_version')
        .execute(),
      rowsOf('session_positions'),
      rowsOf('session_resolutions'),
      rowsOf('minutes'),
    ]);
    return c.json(
      withAsOf(ctx, {
        sessionId: session.session_id,
        kind: session.kind,
        title: session.title,
        scheduledAt: session.scheduled_at,
        convenedAt: session.convened_at,
        convenedBy: session.convened_by,
        noticeAt: session.notice_at,
        parties: session.parties,
        requiredPartyIds: session.required_party_ids,
        resolutionRule: session.resolution_rule,
        memberIds: session.member_ids,
        attendance: attendance.map((a) => ({
          personId: a.person_id,
          partyId: a.party_id,
          as: a.attended_as,
          at: a.at,
        })),
        agenda: session.agenda.map((item) => {
          const resolution = resolutions.find((r) => r.item_id === item.itemId);
          return {
            itemId: item.itemId,
            title: item.title,
            proposalId: item.proposalId ?? null,
            concernedPartyIds: item.concernedPartyIds,
            statements: statements
              .filter((s) => s.item_id === item.itemId)
              .map((s) => ({
                speakerPersonId: s.speaker_person_id,
                partyId: s.party_id,
                text: s.text,
                at: s.at,
              })),
            positions: positions
              .filter((p) => p.item_id === item.itemId)
              .map((p) => ({
                partyId: p.party_id,
                personId: p.person_id,
                position: p.position,
                reason: p.reason,
                at: p.at,
              })),
            resolution: resolution
              ? {
                  outcome: resolution.outcome,
                  dissentingPartyIds: resolution.dissenting_party_ids,
                  result: resolution.result,
                  at: resolution.at,
                }
              : null,
          };
        }),
        minutes: {
          currentVersion: session.minutes_version,
          finalVersion: session.minutes_final_version,
          publishedAt: session.minutes_published_at,
          versions: minutes
            .filter((m) => m.kind === 'version')
            .map((m) => ({
              version: m.version ?? 0,
              text: m.text,
              reason: m.reason,
              documentRef: m.document_ref,
              writtenBy: m.written_by,
              writtenAt: m.written_at,
              signatures: m.signatures,
              final: m.final,
              finalisedAt: m.finalised_at,
            })),
          corrections: minutes
            .filter((m) => m.kind === 'correction')
            .map((m) => ({
              correctionId: m.correction_id ?? '',
              text: m.text,
              reason: m.reason,
              writtenBy: m.written_by,
              writtenAt: m.written_at,
              signatures: m.signatures,
              final: m.final,
              finalisedAt: m.finalised_at,
            })),
        },
      }),
    );
  });
  addRoute(app, listSessions, async (c) => {
    const { communityId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['sessions']);
    if (ctx instanceof Response) return ctx;
    const { proposalId } = query;
    let sessions = ctx.db.withSchema(ctx.schema('sessions')).selectFrom('sessions');
    if (proposalId !== undefined) {
      sessions = sessions.where(
        sql<boolean>`EXISTS (SELECT 1 FROM json_array_elements(agenda) AS item WHERE item ->> 'proposalId' = ${proposalId})`,
      );
    }
    const rows = await sessions
      .select([
        'session_id',
        'kind',
        'title',
        'scheduled_at',
        'minutes_final_version',
        'minutes_published_at',
      ])
      .where('community_id', '=', communityId)
      .where(visibleAt(ctx.asOf))
      .orderBy('scheduled_at', 'desc')
      .orderBy('session_id')
      .limit(query.limit)
      .offset(query.offset)
      .execute();
    return c.json(
      withAsOf(ctx, {
        items: rows.map((s) => ({
          sessionId: s.session_id,
          kind: s.kind,
          title: s.title,
          scheduledAt: s.scheduled_at,
          minutesFinalVersion: s.minutes_final_version,
          minutesPublishedAt: s.minutes_published_at,
        })),
      }),
    );
  });
  return app;
}
