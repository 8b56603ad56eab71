import { createRoute, z } from '@hono/zod-openapi';
import { VoteRule, VoteScope } from '@yishi/domain';
import { addRoute, CommunityParams, createRouter, ProposalParams, problem } from '@yishi/platform';
import { hundredths, ratioDecimal } from '@yishi/presentation';
import { sql } from 'kysely';
import {
  AsOfInfo,
  errorResponses,
  ItemOutcome,
  jsonResponses,
  type QueryDeps,
  READERS,
  type ReadContext,
  ReadQuery,
  readContext,
  TimeBound,
  withAsOf,
} from './common.ts';
import { csvDocument } from './csv.ts';
import { type DecisionRow, decisionsAsOf } from './states.ts';

// 决议台账: every decision of a community with the rule applied and every figure, the
// publication dates, objections, implementation status (overdue ones flagged) and satisfaction.

/**
 * Satisfaction ratings (满意度, 1 to 5): how many and their sum, which a reader divides exactly
 * (`ratioDecimal(sum, count, n)`); `average` is the same ratio as a float, for convenience.
 */
export const Satisfaction = z.object({
  count: z.number().int(),
  sum: z.number().int(),
  average: z.number().nullable(),
});

export const Decision = z
  .object({
    proposalId: z.string(),
    title: z.string(),
    procedure: z.string(),
    stageId: z.string(),
    outcome: z.string(),
    decidedAt: z.string(),
    decidedBy: z.string(),
    voteId: z.string().nullable(),
    sessionId: z.string().nullable(),
    scope: VoteScope.clone().openapi({
      description: 'Who decided: the community, or the owners of one building or entrance',
    }),
    rule: VoteRule.nullable().openapi({
      description: 'The frozen rule with its parameters (none for a joint session)',
    }),
    totals: z.record(z.string(), z.number()).nullable(),
    items: z
      .array(ItemOutcome)
      .openapi({ description: 'Per item: outcome and every figure of the rule' }),
    history: z
      .array(
        z.object({
          stageId: z.string(),
          outcome: z.string(),
          decidedAt: z.string(),
          voteId: z.string().nullable(),
          sessionId: z.string().nullable(),
          items: z.array(ItemOutcome),
        }),
      )
      .openapi({ description: 'Every decision of the proposal, oldest first' }),
    publication: z.object({
      publishedAt: z.string().nullable(),
      endsAt: z.string().nullable(),
      deadline: z.string().nullable(),
      onTime: z.boolean().nullable(),
      implementationPublishedAt: z.string().nullable(),
    }),
    objections: z.object({ raised: z.number().int(), answered: z.number().int() }),
    implementation: z.object({
      dueAt: z.string().nullable(),
      progressPercent: z.number().int().nullable(),
      reports: z.number().int(),
      lastReportAt: z.string().nullable(),
      status: z.enum(['not-started', 'in-progress', 'complete']),
      overdue: z
        .boolean()
        .openapi({ description: 'Due date passed (as of the answer) and not complete' }),
    }),
    feedbackAt: z.string().nullable(),
    satisfaction: Satisfaction,
    withdrawn: z.boolean(),
  })
  .openapi('Decision');

const RegisterQuery = ReadQuery.extend({
  from: TimeBound.optional().openapi({ description: 'Decided at or after', example: '2026-01-01' }),
  to: TimeBound.optional().openapi({ description: 'Decided before', example: '2027-01-01' }),
  outcome: z.enum(['adopted', 'partly-adopted', 'rejected']).optional(),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'Only decisions past their implementation due date and not complete' }),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const DecisionList = z.object({ items: z.array(Decision), asOf: AsOfInfo.optional() });

const register = createRoute({
  method: 'get',
  operationId: 'listDecisions',
  path: '/v1/communities/{communityId}/decisions',
  summary: 'The decision register (决议台账): every decision with the rule and every figure',
  tags: ['decisions'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: CommunityParams, query: RegisterQuery },
  responses: jsonResponses('Decisions, oldest first', DecisionList),
});

const getDecision = createRoute({
  method: 'get',
  operationId: 'getDecision',
  path: '/v1/communities/{communityId}/proposals/{proposalId}/decision',
  summary: "A proposal's decision as the register holds it (the rule and every figure)",
  tags: ['decisions'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: ProposalParams, query: ReadQuery },
  responses: jsonResponses('The decision', Decision, { notFound: ['decision-not-found'] }),
});

const registerCsv = createRoute({
  method: 'get',
  operationId: 'exportDecisionsCsv',
  path: '/v1/communities/{communityId}/decisions.csv',
  summary: 'The decision register as CSV (UTF-8 with BOM, for spreadsheets)',
  tags: ['decisions'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: CommunityParams, query: RegisterQuery },
  responses: {
    200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
    ...errorResponses({}),
  },
});

type Row = DecisionRow & { overdue: boolean };

/** Which decisions: the register's filters, or one proposal's. */
type Selection = Omit<z.infer<typeof RegisterQuery>, keyof ReadQuery> & { proposalId?: string };

async function decisions(ctx: ReadContext, communityId: string, query: Selection): Promise<Row[]> {
  const at = ctx.asOfTime.toISOString();
  const overdue = sql<boolean>`(implementation_due_at IS NOT NULL AND implementation_due_at::timestamptz < ${at}::timestamptz AND coalesce(progress_percent, 0) < 100 AND NOT withdrawn)`;
  let q = ctx.db
    .selectFrom(decisionsAsOf(ctx.schema('proposals'), ctx.asOf))
    .selectAll()
    .select(overdue.as('overdue'))
    .where('d.community_id', '=', communityId)
    .orderBy('d.decided_at')
    .orderBy('d.proposal_id')
    .limit(query.limit)
    .offset(query.offset);
  if (query.from) q = q.where(sql<boolean>`decided_at::timestamptz >= ${query.from}::timestamptz`);
  if (query.to) q = q.where(sql<boolean>`decided_at::timestamptz < ${query.to}::timestamptz`);
  if (query.outcome) q = q.where('d.outcome', '=', query.outcome);
  if (query.overdue) q = q.where(query.overdue === 'true' ? overdue : sql<boolean>`NOT ${overdue}`);
  if (query.proposalId) q = q.where('d.proposal_id', '=', query.proposalId);
  const rows = await q.execute();
  return rows as Row[];
}

function toDecision(d: Row) {
  const progress = d.progress_percent;
  return {
    proposalId: d.proposal_id,
    title: d.title,
    procedure: d.procedure_template,
    stageId: d.stage_id,
    outcome: d.outcome,
    decidedAt: d.decided_at,
    decidedBy: d.decided_by,
    voteId: d.vote_id,
    sessionId: d.session_id,
    scope: d.scope ?? { kind: 'community' as const },
    rule: d.rule,
    totals: d.totals,
    items: d.items,
    history: d.history,
    publication: {
      publishedAt: d.published_at,
      endsAt: d.publication_ends_at,
      deadline: d.publication_deadline,
      onTime: d.published_on_time,
      implementationPublishedAt: d.implementation_published_at,
    },
    objections: { raised: d.objections_raised, answered: d.objections_answered },
    implementation: {
      dueAt: d.implementation_due_at,
      progressPercent: progress,
      reports: d.reports,
      lastReportAt: d.last_report_at,
      status:
        progress === null
          ? ('not-started' as const)
          : progress >= 100
            ? ('complete' as const)
            : ('in-progress' as const),
      overdue: d.overdue,
    },
    feedbackAt: d.feedback_at,
    satisfaction: {
      count: d.satisfaction_count,
      sum: d.satisfaction_sum,
      average: d.satisfaction_count ? d.satisfaction_sum / d.satisfaction_count : null,
    },
    withdrawn: d.withdrawn,
  };
}

const CSV_COLUMNS = [
  'proposal_id',
  'title',
  'procedure',
  'stage_id',
  'outcome',
  'decided_at',
  'scope',
  'rule',
  'rule_parameters',
  'total_voters',
  'total_heads',
  'total_area_m2',
  'items',
  'published_at',
  'publication_ends_at',
  'published_on_time',
  'implementation_due_at',
  'progress_percent',
  'reports',
  'last_report_at',
  'overdue',
  'objections_raised',
  'objections_answered',
  'satisfaction_count',
  'satisfaction_average',
  'withdrawn',
] as const;

/** One line per decision; the items column keeps every figure as JSON. */
export function decisionsCsv(rows: readonly Row[]): string {
  return csvDocument(CSV_COLUMNS, rows.map(csvRecord));
}

/** A decision's cells, in the order of the columns. */
function csvRecord(d: Row): unknown[] {
  const { kind, ...parameters } = (d.rule ?? {}) as { kind?: string };
  const totals = d.totals ?? {};
  const record: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    proposal_id: d.proposal_id,
    title: d.title,
    procedure: d.procedure_template,
    stage_id: d.stage_id,
    outcome: d.outcome,
    decided_at: d.decided_at,
    scope: d.scope ? [d.scope.building, d.scope.entrance].filter(Boolean).join(' ') : 'community',
    rule: kind ?? (d.session_id ? 'joint-session' : null),
    rule_parameters: Object.keys(parameters).length ? parameters : null,
    total_voters: totals.voters,
    total_heads: totals.heads,
    total_area_m2: totals.areaCentiM2 === undefined ? null : hundredths(totals.areaCentiM2),
    items: d.items,
    published_at: d.published_at,
    publication_ends_at: d.publication_ends_at,
    published_on_time: d.published_on_time,
    implementation_due_at: d.implementation_due_at,
    progress_percent: d.progress_percent,
    reports: d.reports,
    last_report_at: d.last_report_at,
    overdue: d.overdue,
    objections_raised: d.objections_raised,
    objections_answered: d.objections_answered,
    satisfaction_count: d.satisfaction_count,
    satisfaction_average: d.satisfaction_count
      ? ratioDecimal(d.satisfaction_sum, d.satisfaction_count, 2)
      : null,
    withdrawn: d.withdrawn,
  };
  return CSV_COLUMNS.map((c) => record[c]);
}

export function decisionQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, register, async (c) => {
    const { communityId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['proposals']);
    if (ctx instanceof Response) return ctx;
    const rows = await decisions(ctx, communityId, query);
    return c.json(withAsOf(ctx, { items: rows.map(toDecision) }));
  });
  addRoute(app, getDecision, async (c) => {
    const { communityId, proposalId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['proposals']);
    if (ctx instanceof Response) return ctx;
    const [row] = await decisions(ctx, communityId, { proposalId, limit: 1, offset: 0 });
    if (!row) {
      return problem(c, 404, 'decision-not-found', `No decision on proposal ${proposalId}`);
    }
    return c.json(withAsOf(ctx, toDecision(row)));
  });
  addRoute(app, registerCsv, async (c) => {
    const { communityId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['proposals']);
    if (ctx instanceof Response) return ctx;
    const rows = await decisions(ctx, communityId, query);
    return c.body(decisionsCsv(rows), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="decisions-${communityId}.csv"`,
      ...(ctx.asOfInfo ? { 'x-as-of-position': ctx.asOfInfo.position } : {}),
    });
  });
  return app;
}
