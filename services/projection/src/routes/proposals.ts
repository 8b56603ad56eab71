import { createRoute, z } from '@hono/zod-openapi';
import {
  Id,
  PlanMethod,
  ProposalItem,
  Stage,
  tallyVote,
  VoteRule,
  type Voter,
  VoteScope,
} from '@yishi/domain';
import {
  addRoute,
  CommunityParams,
  createRouter,
  ProposalParams,
  problem,
  problemContent,
} from '@yishi/platform';
import { type Kysely, type Selectable, sql } from 'kysely';
import {
  ballotFactColumns,
  ballotFacts,
  ballotsByVoter,
  foldBallots,
} from '../projections/ballots.ts';
import { recordedBy, visibleAt } from '../projections/temporal.ts';
import type { Database, TimelineTable } from '../tables.ts';
import {
  AsOfInfo,
  ItemOutcome,
  jsonResponses,
  PageQuery,
  type QueryDeps,
  READERS,
  type ReadContext,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';
import { Satisfaction } from './decisions.ts';
import { decisionsAsOf, proposalsAsOf } from './states.ts';
import { readableEntries, TimelinePage } from './timeline.ts';

export const Proposal = z
  .object({
    communityId: z.string(),
    proposalId: z.string(),
    title: z.string(),
    description: z.string(),
    procedure: z.object({
      template: z.string(),
      version: z.number().int(),
      name: z.string(),
      stages: z.array(Stage),
    }),
    items: z.array(ProposalItem).openapi({ description: 'Items (议项) with their options (方案)' }),
    scope: VoteScope.clone().openapi({
      description:
        'Who decides: the whole community, or the owners of one building or entrance (domain.md 3.1b)',
    }),
    status: z.enum(['active', 'withdrawn']),
    stage: z.object({ id: z.string(), kind: z.string() }),
    submittedBy: z.object({ personId: z.string(), role: z.string() }),
    submittedAt: z.string(),
    onBehalfOfPartyId: z.string().nullable(),
    concernedPartyIds: z.array(z.string()),
    agendaSessionId: z.string().nullable(),
    deadlines: z.object({
      nextStageFrom: z.string().nullable(),
      votingClosesAt: z.string().nullable(),
      publicationEndsAt: z.string().nullable(),
      implementationDueAt: z.string().nullable(),
    }),
    vote: z
      .object({
        voteId: z.string(),
        rule: VoteRule.clone().openapi({ description: 'The frozen rule with its parameters' }),
        totals: z.record(z.string(), z.number()),
        closesAt: z.string(),
        closedAt: z.string().nullable(),
        ballotsCast: z.number().int(),
        allowBallotChange: z
          .boolean()
          .openapi({ description: 'Whether voters may change their ballots until it closes' }),
        planMethod: PlanMethod.nullable().openapi({
          description: 'How plans are chosen (set when an item has plans)',
        }),
      })
      .nullable(),
    outcome: z.string().nullable(),
    decidedAt: z.string().nullable(),
    publishedAt: z.string().nullable(),
    progressPercent: z.number().int().nullable(),
    satisfaction: Satisfaction,
    objections: z.object({ raised: z.number().int(), answered: z.number().int() }),
    withdrawnReason: z.string().nullable(),
    updatedAt: z.string(),
    asOf: AsOfInfo.optional(),
  })
  .openapi('Proposal');

const getProposal = createRoute({
  method: 'get',
  operationId: 'getProposal',
  path: '/v1/communities/{communityId}/proposals/{proposalId}',
  summary: 'A proposal (议题): stage, items and options, deadlines, its vote and decision',
  tags: ['proposals'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: ProposalParams, query: ReadQuery },
  responses: jsonResponses('The proposal', Proposal, { notFound: ['proposal-not-found'] }),
});

/** The kinds of stage a procedure has, from the domain's definition of a stage. */
const StageKind = z.enum(Stage.options.map((s) => s.shape.kind.value));

export const ProposalSummary = z.object({
  proposalId: z.string(),
  title: z.string(),
  procedure: z.string(),
  status: z.string(),
  stage: z.object({ id: z.string(), kind: z.string() }),
  submittedAt: z.string(),
  outcome: z.string().nullable(),
  updatedAt: z.string(),
  comments: z.number().int().openapi({ description: 'Comments standing (not hidden)' }),
});
export const ProposalList = z.object({
  items: z.array(ProposalSummary),
  asOf: AsOfInfo.optional(),
});
const listProposals = createRoute({
  method: 'get',
  operationId: 'listProposals',
  path: '/v1/communities/{communityId}/proposals',
  summary: 'Proposals of a community, newest first',
  tags: ['proposals'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: CommunityParams,
    query: ReadQuery.extend({
      status: z.enum(['active', 'withdrawn']).optional(),
      stageKind: StageKind.optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    }),
  },
  responses: jsonResponses('Proposals', ProposalList),
});

export const Tally = z
  .object({
    voteId: z.string(),
    provisional: z
      .boolean()
      .openapi({ description: 'True until the decision is recorded: figures may still change' }),
    rule: VoteRule,
    totals: z.record(z.string(), z.number()),
    closesAt: z.string(),
    closedAt: z.string().nullable(),
    voters: z.number().int(),
    ballots: z.number().int().openapi({ description: 'Voters with a ballot on at least one item' }),
    present: z.number().int(),
    items: z.array(ItemOutcome),
    recorded: z
      .array(ItemOutcome)
      .nullable()
      .openapi({ description: 'The decision on record, once decided' }),
    asOf: AsOfInfo.optional(),
  })
  .openapi('Tally');

const getTally = createRoute({
  method: 'get',
  operationId: 'getTally',
  path: '/v1/communities/{communityId}/proposals/{proposalId}/tally',
  summary: 'The live tally of a vote under its frozen rule (provisional until decided)',
  tags: ['proposals'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: ProposalParams,
    query: ReadQuery.extend({
      voteId: Id.optional().openapi({ description: 'Default: the latest vote' }),
    }),
  },
  responses: {
    ...jsonResponses('The tally', Tally, { notFound: ['vote-not-found'] }),
    422: {
      description:
        '`tally-not-possible`: the frozen rule cannot count these ballots (the rule says why in `detail`)',
      content: problemContent,
    },
  },
});

export const Ballot = z.object({
  voterId: z.string(),
  itemId: z.string(),
  choice: z.string().nullable(),
  ranking: z.array(z.string()).nullable(),
  via: z.string(),
  castBy: z.string(),
  authorisationId: z.string().nullable(),
  documentRef: z.string().nullable(),
  castAt: z.string(),
  versions: z.number().int(),
});
export const BallotPage = z.object({
  voteId: z.string(),
  items: z.array(Ballot),
  next: z.string().nullable(),
  asOf: AsOfInfo.optional(),
});
const listBallots = createRoute({
  method: 'get',
  operationId: 'listBallots',
  path: '/v1/communities/{communityId}/proposals/{proposalId}/ballots',
  summary: 'Current named ballots (实名) of a vote; every earlier version is in the history',
  tags: ['proposals'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: {
    params: ProposalParams,
    query: ReadQuery.extend({
      voteId: Id.optional(),
      voterId: Id.optional().openapi({ description: "Only this voter's ballots" }),
      castBy: Id.optional().openapi({
        description:
          'Only ballots whose current version this person cast (in person, as proxy or on paper); a page may then hold fewer voters',
      }),
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(10_000)
        .default(1000)
        .openapi({ description: 'Voters per page (each with all their items)' }),
      after: Id.optional().openapi({
        description: 'Cursor: the last voterId of the previous page',
      }),
    }),
  },
  responses: jsonResponses('Ballots, by voter', BallotPage, { notFound: ['vote-not-found'] }),
});

const getHistory = createRoute({
  method: 'get',
  operationId: 'getHistory',
  path: '/v1/communities/{communityId}/proposals/{proposalId}/history',
  summary:
    'The full history of a proposal: who proposed, who spoke, positions, minutes, every ballot change, publications, reports, feedback',
  tags: ['history'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: ProposalParams, query: ReadQuery.extend(PageQuery.shape) },
  responses: jsonResponses('History, oldest first', TimelinePage, {
    notFound: ['proposal-not-found'],
  }),
});

const Objection = z.object({
  objectionId: z.string(),
  stageId: z.string(),
  text: z.string(),
  documentRef: z.string().nullable(),
  raisedBy: z.string(),
  raisedAt: z.string(),
  answer: z.string().nullable(),
  answeredBy: z.string().nullable(),
  answeredAt: z.string().nullable(),
});
const Report = z.object({
  kind: z.enum(['implementation', 'feedback']),
  stageId: z.string(),
  progressPercent: z.number().int().nullable(),
  itemId: z.string().nullable(),
  text: z.string(),
  documentRef: z.string().nullable(),
  at: z.string(),
  by: z.string(),
});
export const FollowUp = z.object({
  objections: z.array(Objection),
  reports: z.array(Report),
  satisfaction: z.object({
    count: z.number().int(),
    sum: z.number().int(),
    average: z.number().nullable(),
    distribution: z.record(z.string(), z.number().int()),
  }),
  asOf: AsOfInfo.optional(),
});
const getFollowUp = createRoute({
  method: 'get',
  operationId: 'getFollowUp',
  path: '/v1/communities/{communityId}/proposals/{proposalId}/follow-up',
  summary: 'Objections, implementation reports (落实), feedback (反馈) and satisfaction (满意度)',
  tags: ['proposals'],
  security: [{ bearer: [] }],
  'x-roles': READERS,
  request: { params: ProposalParams, query: ReadQuery },
  responses: jsonResponses('Follow-up', FollowUp),
});

async function latestVoteId(
  rm: Kysely<Database>,
  ctx: ReadContext,
  communityId: string,
  proposalId: string,
): Promise<string | undefined> {
  const row = await rm
    .selectFrom(proposalsAsOf(ctx.schema('proposals'), ctx.asOf))
    .select('p.vote_id')
    .where('p.community_id', '=', communityId)
    .where('p.proposal_id', '=', proposalId)
    .executeTakeFirst();
  return row?.vote_id ?? undefined;
}

/** A vote with the electorate it froze, as the tally and the cost shares count over it. */
export async function frozenVote(
  ctx: ReadContext,
  communityId: string,
  proposalId: string,
  requested: string | undefined,
) {
  const rm = ctx.db.withSchema(ctx.schema('proposals'));
  const voteId = requested ?? (await latestVoteId(rm, ctx, communityId, proposalId));
  const vote = voteId
    ? await rm
        .selectFrom('votes')
        .selectAll()
        // Where the vote opened: its first version is the one its opening event made.
        .select((eb) =>
          eb
            .selectFrom('votes as first')
            .select('first.valid_from_pos')
            .whereRef('first.community_id', '=', 'votes.community_id')
            .whereRef('first.proposal_id', '=', 'votes.proposal_id')
            .whereRef('first.vote_id', '=', 'votes.vote_id')
            .orderBy('first.valid_from_tx')
            .orderBy('first.valid_from_pos')
            .limit(1)
            .as('opened_at_position'),
        )
        .where('community_id', '=', communityId)
        .where('proposal_id', '=', proposalId)
        .where('vote_id', '=', voteId)
        .where(visibleAt(ctx.asOf))
        .executeTakeFirst()
    : undefined;
  if (!vote || !voteId) return { kind: 'missing' } as const;
  const frozen = await ctx.db
    .withSchema(ctx.schema('electorates'))
    .selectFrom('electorates')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('proposal_id', '=', proposalId)
    .where('global_position', '=', vote.opened_at_position ?? '0')
    .executeTakeFirst();
  // Projected apart from the vote (its own projection): a vote whose opening it has not
  // reached yet has no electorate to count against.
  if (!frozen) return { kind: 'not-projected', voteId } as const;
  // Version 2 keeps the opening event's data; a generation of version 1 the electorate alone.
  const electorate = (frozen.opened ? frozen.opened.electorate : frozen.electorate) as Voter[];
  return { kind: 'found', voteId, vote, frozen, electorate } as const;
}

/** The history of a proposal: its own events and those of the sessions that discussed it. */
export async function proposalHistory(
  ctx: ReadContext,
  communityId: string,
  proposalId: string,
  limit: number,
  after: string | undefined,
) {
  const schema = ctx.schema('timeline');
  const t = sql.table(`${schema}.timeline`);
  const agenda = sql.table(`${schema}.timeline_agenda`);
  const [tx, pos] = after ? after.split(':') : ['0', '0'];
  const upTo = ctx.asOf
    ? sql`AND (transaction_id, global_position) <= (${ctx.asOf.transactionId.toString()}::int8, ${ctx.asOf.globalPosition.toString()}::int8)`
    : sql``;
  const { rows } = await sql<Selectable<TimelineTable>>`
    SELECT * FROM (
      (SELECT * FROM ${t}
        WHERE community_id = ${communityId} AND proposal_id = ${proposalId}
          AND (transaction_id, global_position) > (${tx}::int8, ${pos}::int8) ${upTo}
        ORDER BY transaction_id, global_position LIMIT ${limit + 1})
      UNION ALL
      (SELECT * FROM ${t}
        WHERE community_id = ${communityId} AND proposal_id IS NULL AND item_id IS NULL
          AND session_id IN (SELECT session_id FROM ${agenda}
                              WHERE community_id = ${communityId} AND proposal_id = ${proposalId})
          AND (transaction_id, global_position) > (${tx}::int8, ${pos}::int8) ${upTo}
        ORDER BY transaction_id, global_position LIMIT ${limit + 1})
    ) h ORDER BY transaction_id, global_position LIMIT ${limit + 1}`.execute(ctx.db);
  return rows;
}

export function proposalQueries(deps: QueryDeps) {
  const app = createRouter();

  addRoute(app, getProposal, async (c) => {
    const { communityId, proposalId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['proposals', 'timeline']);
    if (ctx instanceof Response) return ctx;
    const rm = ctx.db.withSchema(ctx.schema('proposals'));
    const p = await rm
      .selectFrom(proposalsAsOf(ctx.schema('proposals'), ctx.asOf))
      .selectAll()
      .where('p.community_id', '=', communityId)
      .where('p.proposal_id', '=', proposalId)
      .executeTakeFirst();
    if (!p)
      return problem(c, 404, 'proposal-not-found', `No proposal ${proposalId} in ${communityId}`);
    const [vote, register, ballotsCast] = await Promise.all([
      p.vote_id
        ? rm
            .selectFrom('votes')
            .selectAll()
            .where('community_id', '=', communityId)
            .where('proposal_id', '=', proposalId)
            .where('vote_id', '=', p.vote_id)
            .where(visibleAt(ctx.asOf))
            .executeTakeFirst()
        : undefined,
      rm
        .selectFrom(decisionsAsOf(ctx.schema('proposals'), ctx.asOf))
        .select([
          'd.satisfaction_count',
          'd.satisfaction_sum',
          'd.objections_raised',
          'd.objections_answered',
        ])
        .where('d.community_id', '=', communityId)
        .where('d.proposal_id', '=', proposalId)
        .executeTakeFirst(),
      p.vote_id
        ? ctx.db
            .selectFrom(
              ballotFacts(ctx.schema('timeline'), communityId, proposalId, p.vote_id, ctx.asOf),
            )
            .select(sql<number>`count(DISTINCT voter_id)::int`.as('n'))
            .executeTakeFirstOrThrow()
        : undefined,
    ]);
    return c.json(
      withAsOf(ctx, {
        communityId: p.community_id,
        proposalId: p.proposal_id,
        title: p.title,
        description: p.description,
        procedure: {
          template: p.procedure_template,
          version: p.procedure_version,
          name: p.procedure_name,
          stages: p.stages,
        },
        items: p.items,
        scope: p.scope ?? { kind: 'community' },
        status: p.status,
        stage: { id: p.stage_id, kind: p.stage_kind },
        submittedBy: { personId: p.submitted_by, role: p.submitted_role },
        submittedAt: p.submitted_at,
        onBehalfOfPartyId: p.on_behalf_of_party_id,
        concernedPartyIds: p.concerned_party_ids,
        agendaSessionId: p.agenda_session_id,
        deadlines: {
          nextStageFrom: p.next_stage_from,
          votingClosesAt: vote && !vote.closed_at ? vote.closes_at : null,
          publicationEndsAt: p.publication_ends_at,
          implementationDueAt: p.implementation_due_at,
        },
        vote: vote
          ? {
              voteId: vote.vote_id,
              rule: vote.rule,
              totals: vote.totals,
              closesAt: vote.closes_at,
              closedAt: vote.closed_at,
              ballotsCast: ballotsCast?.n ?? 0,
              allowBallotChange: vote.allow_ballot_change,
              planMethod: vote.plan_method,
            }
          : null,
        outcome: p.outcome,
        decidedAt: p.decided_at,
        publishedAt: p.published_at,
        progressPercent: p.progress_percent,
        satisfaction: {
          count: register?.satisfaction_count ?? 0,
          sum: register?.satisfaction_sum ?? 0,
          average: register?.satisfaction_count
            ? register.satisfaction_sum / register.satisfaction_count
            : null,
        },
        objections: {
          raised: register?.objections_raised ?? 0,
          answered: register?.objections_answered ?? 0,
        },
        withdrawnReason: p.withdrawn_reason,
        updatedAt: p.updated_at,
      }),
    );
  });

  addRoute(app, listProposals, async (c) => {
    const { communityId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['proposals', 'discussions']);
    if (ctx instanceof Response) return ctx;
    let q = ctx.db
      .selectFrom(proposalsAsOf(ctx.schema('proposals'), ctx.asOf))
      .select([
        'p.proposal_id',
        'p.title',
        'p.procedure_template',
        'p.status',
        'p.stage_id',
        'p.stage_kind',
        'p.submitted_at',
        'p.outcome',
        'p.updated_at',
      ])
      .where('p.community_id', '=', communityId)
      .orderBy('p.submitted_at', 'desc')
      .orderBy('p.proposal_id')
      .limit(query.limit)
      .offset(query.offset);
    if (query.status) q = q.where('p.status', '=', query.status);
    if (query.stageKind) q = q.where('p.stage_kind', '=', query.stageKind);
    const rows = await q.execute();
    const counts = rows.length
      ? await ctx.db
          .withSchema(ctx.schema('discussions'))
          .selectFrom('comments')
          .select(['proposal_id', sql<number>`count(*)::int`.as('n')])
          .where('community_id', '=', communityId)
          .where(
            'proposal_id',
            'in',
            rows.map((p) => p.proposal_id),
          )
          .where('hidden_at', 'is', null)
          .where(visibleAt(ctx.asOf))
          .groupBy('proposal_id')
          .execute()
      : [];
    const commentsOf = new Map(counts.map((r) => [r.proposal_id, r.n]));
    return c.json(
      withAsOf(ctx, {
        items: rows.map((p) => ({
          proposalId: p.proposal_id,
          title: p.title,
          procedure: p.procedure_template,
          status: p.status,
          stage: { id: p.stage_id, kind: p.stage_kind },
          submittedAt: p.submitted_at,
          outcome: p.outcome,
          updatedAt: p.updated_at,
          comments: commentsOf.get(p.proposal_id) ?? 0,
        })),
      }),
    );
  });

  addRoute(app, getTally, async (c) => {
    const { communityId, proposalId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['proposals', 'electorates', 'timeline']);
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
    const { vote, voteId, electorate, frozen } = found;
    const rm = ctx.db.withSchema(ctx.schema('proposals'));
    const [ballots, present, decision] = await Promise.all([
      // Every fact in the order it was recorded: folded below by the decider's own rule.
      ctx.db
        .selectFrom(ballotFacts(ctx.schema('timeline'), communityId, proposalId, voteId, ctx.asOf))
        .select(ballotFactColumns)
        .orderBy('voter_id')
        .orderBy('item_id')
        .orderBy('transaction_id')
        .orderBy('global_position')
        .execute(),
      rm
        .selectFrom('presence')
        .select('voter_id')
        .distinct()
        .where('community_id', '=', communityId)
        .where('proposal_id', '=', proposalId)
        .where('vote_id', '=', voteId)
        .where(recordedBy(ctx.asOf))
        .execute(),
      rm
        .selectFrom('decisions')
        .select(['vote_id', 'items'])
        .where('community_id', '=', communityId)
        .where('proposal_id', '=', proposalId)
        .where(visibleAt(ctx.asOf))
        .executeTakeFirst(),
    ]);
    const byVoter = ballotsByVoter(foldBallots(ballots));
    let items: unknown[];
    try {
      items = tallyVote({
        rule: vote.rule as VoteRule,
        items: vote.items as ProposalItem[],
        electorate,
        ...(vote.plan_method ? { planMethod: vote.plan_method as PlanMethod } : {}),
        // The counting rules the vote froze (version 2 of electorates keeps its opening event).
        ...(frozen.opened?.rulesVersion ? { rulesVersion: frozen.opened.rulesVersion } : {}),
        ballots: byVoter.entries(),
        present: present.map((p) => p.voter_id),
      });
    } catch (error) {
      return problem(c, 422, 'tally-not-possible', (error as Error).message);
    }
    const recorded = decision?.vote_id === voteId ? decision.items : null;
    return c.json(
      withAsOf(ctx, {
        voteId,
        provisional: recorded === null,
        rule: vote.rule,
        totals: vote.totals,
        closesAt: vote.closes_at,
        closedAt: vote.closed_at,
        voters: electorate.length,
        ballots: byVoter.size,
        present: present.length,
        items,
        recorded,
      }),
    );
  });

  addRoute(app, listBallots, async (c) => {
    const { communityId, proposalId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['proposals', 'timeline']);
    if (ctx instanceof Response) return ctx;
    const rm = ctx.db.withSchema(ctx.schema('proposals'));
    const voteId = query.voteId ?? (await latestVoteId(rm, ctx, communityId, proposalId));
    if (!voteId) return problem(c, 404, 'vote-not-found', `No vote on proposal ${proposalId}`);
    const ofVote = ctx.db.selectFrom(
      ballotFacts(ctx.schema('timeline'), communityId, proposalId, voteId, ctx.asOf),
    );
    const { voterId, castBy } = query;
    // A page is whole voters: the next `limit` voters after the cursor, then all their facts.
    let voters = ofVote
      .select('voter_id')
      .distinct()
      .orderBy('voter_id')
      .limit(query.limit + 1);
    if (query.after) voters = voters.where('voter_id', '>', query.after);
    if (voterId) voters = voters.where('voter_id', '=', voterId);
    // Who cast a ballot last is known after the fold: here the voters it may be (a fact by
    // them, or their own with no caster stated), and the fold's answer decides below.
    if (castBy) {
      voters = voters.where((eb) =>
        eb.or([eb('cast_by', '=', castBy), eb('voter_id', '=', castBy)]),
      );
    }
    const ids = (await voters.execute()).map((v) => v.voter_id);
    const page = ids.slice(0, query.limit);
    const facts =
      page.length === 0
        ? []
        : await ofVote
            .select(ballotFactColumns)
            .where('voter_id', 'in', page)
            .orderBy('voter_id')
            .orderBy('item_id')
            .orderBy('transaction_id')
            .orderBy('global_position')
            .execute();
    const ballots = foldBallots(facts);
    return c.json(
      withAsOf(ctx, {
        voteId,
        items: castBy ? ballots.filter((b) => b.castBy === castBy) : ballots,
        next: ids.length > query.limit ? (page.at(-1) ?? null) : null,
      }),
    );
  });

  addRoute(app, getHistory, async (c) => {
    const { communityId, proposalId } = c.req.valid('param');
    const query = c.req.valid('query');
    const ctx = await readContext(c, deps, query, ['timeline']);
    if (ctx instanceof Response) return ctx;
    const rows = await proposalHistory(ctx, communityId, proposalId, query.limit, query.after);
    if (rows.length === 0 && !query.after) {
      return problem(c, 404, 'proposal-not-found', `No proposal ${proposalId} in ${communityId}`);
    }
    return c.json(
      withAsOf(
        ctx,
        await readableEntries(c, deps, communityId, getHistory.path, rows, query.limit),
      ),
    );
  });

  addRoute(app, getFollowUp, async (c) => {
    const { communityId, proposalId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['proposals']);
    if (ctx instanceof Response) return ctx;
    const rm = ctx.db.withSchema(ctx.schema('proposals'));
    const [objections, reports, ratings] = await Promise.all([
      rm
        .selectFrom('objections')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('proposal_id', '=', proposalId)
        .where(visibleAt(ctx.asOf))
        .orderBy('raised_at')
        .execute(),
      rm
        .selectFrom('reports')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('proposal_id', '=', proposalId)
        .where(recordedBy(ctx.asOf))
        .orderBy('stream_version')
        .execute(),
      rm
        .selectFrom('satisfaction')
        .select(['rating', sql<number>`count(*)::int`.as('n')])
        .where('community_id', '=', communityId)
        .where('proposal_id', '=', proposalId)
        .where(visibleAt(ctx.asOf))
        .groupBy('rating')
        .execute(),
    ]);
    const count = ratings.reduce((n, r) => n + r.n, 0);
    const sum = ratings.reduce((n, r) => n + r.n * r.rating, 0);
    return c.json(
      withAsOf(ctx, {
        objections: objections.map((o) => ({
          objectionId: o.objection_id,
          stageId: o.stage_id,
          text: o.text,
          documentRef: o.document_ref,
          raisedBy: o.raised_by,
          raisedAt: o.raised_at,
          answer: o.answer,
          answeredBy: o.answered_by,
          answeredAt: o.answered_at,
        })),
        reports: reports.map((r) => ({
          kind: r.kind,
          stageId: r.stage_id,
          progressPercent: r.progress_percent,
          itemId: r.item_id,
          text: r.text,
          documentRef: r.document_ref,
          at: r.at,
          by: r.by,
        })),
        satisfaction: {
          count,
          sum,
          average: count ? sum / count : null,
          distribution: Object.fromEntries(ratings.map((r) => [String(r.rating), r.n])),
        },
      }),
    );
  });
  return app;
}
