import { createRoute, z } from '@hono/zod-openapi';
import { EvaluationQuestion, MIN_RESPONDENTS, QuestionResult } from '@yishi/domain';
import {
  addRoute,
  CommunityParams,
  createRouter,
  EvaluationParams,
  problem,
} from '@yishi/platform';
import type { Selectable } from 'kysely';
import { recordedBy, visibleAt } from '../projections/temporal.ts';
import type { EvaluationsTable } from '../tables.ts';
import {
  AsOfInfo,
  jsonResponses,
  type QueryDeps,
  READERS,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';

// 评议: evaluations, who answered, and the aggregate published at closing. No route here, or
// anywhere, answers what one person answered: the read models never hold it (see
// projections/evaluations.ts), and the timeline drops the sealed field.

export const Evaluation = z
  .object({
    evaluationId: z.string(),
    title: z.string(),
    subject: z.string().nullable(),
    description: z.string().nullable(),
    closesAt: z.string(),
    questions: z.array(EvaluationQuestion),
    openedBy: z.string(),
    openedAt: z.string(),
    status: z.enum(['open', 'closed']),
    /** How many answered so far (each person once). */
    respondents: z.number().int(),
    closedAt: z.string().nullable(),
    closeNote: z.string().nullable(),
    /** The aggregate, once closed with enough respondents; null before, or when withheld. */
    results: z.array(QuestionResult).nullable(),
    withheld: z
      .string()
      .nullable()
      .openapi({
        description: `\`too-few-respondents\`: fewer than ${MIN_RESPONDENTS} answered, no figures are published`,
      }),
  })
  .openapi('Evaluation');

export const EvaluationDetail = Evaluation.extend({
  respondentList: z.array(z.object({ personId: z.string(), answeredAt: z.string() })),
  asOf: AsOfInfo.optional(),
});
export const EvaluationList = z.object({ items: z.array(Evaluation), asOf: AsOfInfo.optional() });

const listEvaluations = createRoute({
  method: 'get',
  operationId: 'listEvaluations',
  path: '/v1/communities/{communityId}/evaluations',
  summary: 'Evaluations (评议, e.g. 物业服务评估), newest first, with their published results',
  tags: ['evaluations'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: CommunityParams, query: ReadQuery },
  responses: jsonResponses('The evaluations', EvaluationList),
});

const getEvaluation = createRoute({
  method: 'get',
  operationId: 'getEvaluation',
  path: '/v1/communities/{communityId}/evaluations/{evaluationId}',
  summary: 'An evaluation: its questionnaire, who answered and when, the published aggregate',
  tags: ['evaluations'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: EvaluationParams, query: ReadQuery },
  responses: jsonResponses('The evaluation (never anyone’s answers)', EvaluationDetail, {
    notFound: ['evaluation-not-found'],
  }),
});

function toEvaluation(r: Selectable<EvaluationsTable>): z.infer<typeof Evaluation> {
  return {
    evaluationId: r.evaluation_id,
    title: r.title,
    subject: r.subject,
    description: r.description,
    closesAt: r.closes_at,
    questions: r.questions as z.infer<typeof EvaluationQuestion>[],
    openedBy: r.opened_by,
    openedAt: r.opened_at,
    status: r.status,
    respondents: r.respondents,
    closedAt: r.closed_at,
    closeNote: r.close_note,
    results: r.results as z.infer<typeof QuestionResult>[] | null,
    withheld: r.withheld,
  };
}

export function evaluationQueries(deps: QueryDeps) {
  const app = createRouter();
  addRoute(app, listEvaluations, async (c) => {
    const { communityId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['evaluations']);
    if (ctx instanceof Response) return ctx;
    const rows = await ctx.db
      .withSchema(ctx.schema('evaluations'))
      .selectFrom('evaluations')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(visibleAt(ctx.asOf))
      .orderBy('opened_at', 'desc')
      .orderBy('evaluation_id')
      .limit(1000)
      .execute();
    return c.json(withAsOf(ctx, { items: rows.map(toEvaluation) }), 200);
  });
  addRoute(app, getEvaluation, async (c) => {
    const { communityId, evaluationId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['evaluations']);
    if (ctx instanceof Response) return ctx;
    const rm = ctx.db.withSchema(ctx.schema('evaluations'));
    const row = await rm
      .selectFrom('evaluations')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('evaluation_id', '=', evaluationId)
      .where(visibleAt(ctx.asOf))
      .executeTakeFirst();
    if (!row) {
      return problem(
        c,
        404,
        'evaluation-not-found',
        `No evaluation ${evaluationId} in ${communityId}`,
      );
    }
    const respondents = await rm
      .selectFrom('evaluation_respondents')
      .select(['person_id', 'answered_at'])
      .where('community_id', '=', communityId)
      .where('evaluation_id', '=', evaluationId)
      .where(recordedBy(ctx.asOf))
      .orderBy('transaction_id')
      .orderBy('global_position')
      .execute();
    return c.json(
      withAsOf(ctx, {
        ...toEvaluation(row),
        respondentList: respondents.map((r) => ({
          personId: r.person_id,
          answeredAt: r.answered_at,
        })),
      }),
      200,
    );
  });
  return app;
}
