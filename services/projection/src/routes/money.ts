import { createRoute, z } from '@hono/zod-openapi';
import { type Account, accountKind, signedAmount } from '@yishi/domain';
import {
  type AppEnv,
  addRoute,
  CampaignParams,
  CommunityParams,
  createRouter,
  FundParams,
  problem,
} from '@yishi/platform';
import { yuan } from '@yishi/presentation';
import type { Context } from 'hono';
import type { Selectable } from 'kysely';
import { recordedBy, visibleAt } from '../projections/temporal.ts';
import type { CrowdfundingCampaignsTable, FundLinesTable, FundsTable } from '../tables.ts';
import {
  AsOfInfo,
  errorResponses,
  jsonResponses,
  type QueryDeps,
  READERS,
  type ReadContext,
  ReadQuery,
  readContext,
  withAsOf,
} from './common.ts';
import { csvDocument } from './csv.ts';

// 晒账: each fund's published accounts (balance, income and spending line by line, each
// spending line linked to the decision that authorised it) and each campaign's progress.
// Amounts are integer fen; sums are taken here from the recorded lines, never stored.

const Fen = z.number().int();
/** Who records the money: the registry's treasurers (出纳) as of the answer. */
const TreasurerIds = z.array(z.string()).openapi({
  description:
    'The persons appointed treasurer (出纳): only they record receipts, refunds and fund entries',
});
export const DecisionLink = z
  .object({
    proposalId: z.string(),
    itemId: z.string(),
    title: z.string(),
    decidedAt: z.string().nullable(),
  })
  .openapi('DecisionLink');

export const FundSummary = z
  .object({
    fundId: z.string(),
    kind: z.enum(['maintenance-fund', 'micro-fund']),
    name: z.string(),
    description: z.string().nullable(),
    openedAt: z.string(),
    /** Held in the bank and in cash. */
    balanceFen: Fen,
    receivableFen: Fen,
    incomeFen: Fen,
    spendingFen: Fen,
  })
  .openapi('FundSummary');

export const AccountLine = z
  .object({
    entryId: z.string(),
    postedAt: z.string(),
    account: z.string(),
    kind: z.enum(['income', 'spending']),
    /** Positive adds to the account's income or spending; a reversal's line is negative. */
    amountFen: Fen,
    memo: z.string(),
    documentRef: z.string(),
    reverses: z.string().nullable(),
    decision: DecisionLink.nullable(),
  })
  .openapi('AccountLine');

export const FundAccounts = FundSummary.extend({
  byAccount: z.array(z.object({ account: z.string(), balanceFen: Fen })),
  lines: z.array(AccountLine),
  treasurerIds: TreasurerIds,
  asOf: AsOfInfo.optional(),
}).openapi('FundAccounts');

export const Campaign = z
  .object({
    campaignId: z.string(),
    title: z.string(),
    description: z.string().nullable(),
    proposalId: z.string(),
    itemId: z.string(),
    optionId: z.string().nullable(),
    targetFen: Fen,
    deadline: z.string(),
    status: z.enum(['open', 'funded', 'refunding']),
    reason: z.enum(['not-adopted', 'target-missed']).nullable(),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
    pledgedFen: Fen,
    receivedFen: Fen,
    owedFen: Fen,
    refundedFen: Fen,
    pledges: z.number().int(),
  })
  .openapi('Campaign');

export const FundList = z.object({
  items: z.array(FundSummary),
  treasurerIds: TreasurerIds,
  asOf: AsOfInfo.optional(),
});
export const CampaignList = z.object({
  items: z.array(Campaign),
  treasurerIds: TreasurerIds,
  asOf: AsOfInfo.optional(),
});

export const Pledge = z.object({
  pledgeId: z.string(),
  pledger: z.object({ kind: z.enum(['person', 'party']), id: z.string() }),
  pledgedAt: z.string(),
  amountFen: Fen,
  receivedFen: Fen,
  owedFen: Fen,
  refundedFen: Fen,
});

/** One fact of a campaign's money, as recorded: a pledge, a receipt, a refund owed or paid. */
export const CampaignMovement = z.object({
  pledgeId: z.string(),
  kind: z.enum(['pledge', 'receipt', 'owed', 'refund']),
  amountFen: Fen,
  /** The receipt's or refund's document (收据, 转账凭证); null on a pledge or a refund owed. */
  documentRef: z.string().nullable(),
  at: z.string(),
});

export const CampaignDetail = Campaign.extend({
  pledgeList: z.array(Pledge),
  /** Every pledge, receipt and refund in the order recorded: the campaign's accounts. */
  movements: z.array(CampaignMovement),
  treasurerIds: TreasurerIds,
  asOf: AsOfInfo.optional(),
}).openapi('CampaignDetail');

function route<P extends typeof CommunityParams>(
  operationId: string,
  path: string,
  summary: string,
  params: P,
  responses: ReturnType<typeof jsonResponses>,
) {
  return createRoute({
    method: 'get',
    operationId,
    path,
    summary,
    tags: ['money'],
    security: [{ bearer: [] }],
    'x-roles': READERS,
    request: { params, query: ReadQuery },
    responses,
  });
}

const listFunds = route(
  'listFunds',
  '/v1/communities/{communityId}/funds',
  'The community’s funds (专项维修资金, 微基金) with their balances',
  CommunityParams,
  jsonResponses('Funds', FundList),
);
const getFund = route(
  'getFundAccounts',
  '/v1/communities/{communityId}/funds/{fundId}',
  'A fund’s published accounts (晒账): balance, income and spending line by line, each spending line with its decision',
  FundParams,
  jsonResponses('The accounts', FundAccounts, { notFound: ['fund-not-found'] }),
);
/** A CSV answer (UTF-8 with BOM, for spreadsheets), or the entity's `notFound` problem. */
const csvResponses = (notFound: string) =>
  ({
    ...errorResponses({ notFound: [notFound] }),
    200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
  }) as unknown as ReturnType<typeof jsonResponses>;

const fundCsv = route(
  'exportFundAccountsCsv',
  '/v1/communities/{communityId}/funds/{fundId}/accounts.csv',
  'A fund’s accounts as CSV (UTF-8 with BOM, for spreadsheets)',
  FundParams,
  csvResponses('fund-not-found'),
);
const campaignCsv = route(
  'exportCrowdfundingAccountsCsv',
  '/v1/communities/{communityId}/crowdfunding/{campaignId}/accounts.csv',
  'A campaign’s accounts as CSV: every pledge, receipt and refund (UTF-8 with BOM)',
  CampaignParams,
  csvResponses('campaign-not-found'),
);
const listCampaigns = route(
  'listCrowdfunding',
  '/v1/communities/{communityId}/crowdfunding',
  'Crowdfunding campaigns (众筹) with their progress, newest first',
  CommunityParams,
  jsonResponses('Campaigns', CampaignList),
);
const getCampaign = route(
  'getCrowdfunding',
  '/v1/communities/{communityId}/crowdfunding/{campaignId}',
  'A campaign with each pledge: received, owed back and refunded',
  CampaignParams,
  jsonResponses('The campaign', CampaignDetail, { notFound: ['campaign-not-found'] }),
);

type FundRow = Selectable<FundsTable>;
type LineRow = Selectable<FundLinesTable>;
type FundAccountsView = z.infer<typeof FundAccounts>;
type CampaignDetailView = z.infer<typeof CampaignDetail>;

/** Balances per account and the fund's figures, from its lines. */
function figures(lines: readonly Pick<LineRow, 'account' | 'side' | 'amount_fen'>[]) {
  const balances = new Map<string, number>();
  for (const l of lines) {
    const amount = signedAmount({
      account: l.account as Account,
      side: l.side,
      amountFen: Number(l.amount_fen),
    });
    balances.set(l.account, (balances.get(l.account) ?? 0) + amount);
  }
  let incomeFen = 0;
  let spendingFen = 0;
  for (const [account, balance] of balances) {
    const kind = accountKind(account as Account);
    if (kind === 'income') incomeFen += balance;
    if (kind === 'spending') spendingFen += balance;
  }
  return {
    balanceFen: (balances.get('bank') ?? 0) + (balances.get('cash') ?? 0),
    receivableFen: balances.get('receivable') ?? 0,
    incomeFen,
    spendingFen,
    byAccount: [...balances]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([account, balanceFen]) => ({ account, balanceFen })),
  };
}

function summary(fund: FundRow, lines: readonly LineRow[]) {
  const { byAccount: _ignored, ...totals } = figures(lines);
  return {
    fundId: fund.fund_id,
    kind: fund.kind,
    name: fund.name,
    description: fund.description,
    openedAt: fund.opened_at,
    ...totals,
  };
}

/** The income and spending lines, each with its decision (a reversal: the reversed entry's). */
function accountLines(lines: readonly LineRow[]): z.infer<typeof AccountLine>[] {
  const decisions = new Map<string, z.infer<typeof DecisionLink>>();
  for (const l of lines) {
    if (l.proposal_id && l.item_id) {
      decisions.set(l.entry_id, {
        proposalId: l.proposal_id,
        itemId: l.item_id,
        title: l.decision_title ?? '',
        decidedAt: l.decided_at,
      });
    }
  }
  return lines.flatMap((l) => {
    const kind = accountKind(l.account as Account);
    if (kind === 'asset') return [];
    return [
      {
        entryId: l.entry_id,
        postedAt: l.posted_at,
        account: l.account,
        kind,
        amountFen: signedAmount({
          account: l.account as Account,
          side: l.side,
          amountFen: Number(l.amount_fen),
        }),
        memo: l.memo,
        documentRef: l.document_ref,
        reverses: l.reverses,
        decision: decisions.get(l.reverses ?? l.entry_id) ?? null,
      },
    ];
  });
}

/** The persons appointed treasurer as of the context, in id order. */
export async function treasurerIds(ctx: ReadContext, communityId: string): Promise<string[]> {
  const rows = await ctx.db
    .withSchema(ctx.schema('money'))
    .selectFrom('treasurers')
    .select('person_id')
    .where('community_id', '=', communityId)
    .where('appointed', '=', true)
    .where(visibleAt(ctx.asOf))
    .orderBy('person_id')
    .limit(1000)
    .execute();
  return rows.map((r) => r.person_id);
}

/** A fund's accounts as of the context, or undefined when it has no such fund. */
export async function fundAccounts(
  ctx: ReadContext,
  communityId: string,
  fundId: string,
): Promise<Omit<FundAccountsView, 'asOf'> | undefined> {
  const rm = ctx.db.withSchema(ctx.schema('money'));
  const fund = await rm
    .selectFrom('funds')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('fund_id', '=', fundId)
    .where(visibleAt(ctx.asOf))
    .executeTakeFirst();
  if (!fund) return undefined;
  const lines = await rm
    .selectFrom('fund_lines')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('fund_id', '=', fundId)
    .where(recordedBy(ctx.asOf))
    .orderBy('transaction_id')
    .orderBy('global_position')
    .orderBy('line_no')
    .limit(100_000)
    .execute();
  return {
    ...summary(fund, lines),
    byAccount: figures(lines).byAccount,
    lines: accountLines(lines),
    treasurerIds: await treasurerIds(ctx, communityId),
  };
}

const KIND_ZH = { income: '收入', spending: '支出' } as const;
const CSV_COLUMNS = [
  '记账日期 posted',
  '凭证 entry',
  '收支 kind',
  '科目 account',
  '金额（元） amount (yuan)',
  '金额（分） amount (fen)',
  '摘要 memo',
  '原始凭证 document',
  '冲销 reverses',
  '议题 proposal',
  '议项 item',
  '决定 decision',
  '决定日期 decided',
];

const MOVEMENT_ZH = { pledge: '认捐', receipt: '收款', owed: '应退', refund: '退款' } as const;
const PLEDGER_ZH = { person: '居民', party: '单位' } as const;
const CAMPAIGN_CSV_COLUMNS = [
  '日期 date',
  '认捐编号 pledge',
  '认捐人类型 pledger kind',
  '认捐人 pledger',
  '款项 kind',
  '金额（元） amount (yuan)',
  '金额（分） amount (fen)',
  '凭证 document',
];

/** A campaign's movements, one row each: the pledge rows sum to the pledged total, and so on. */
export function campaignCsvText(campaign: Omit<CampaignDetailView, 'asOf'>): string {
  const pledgers = new Map(campaign.pledgeList.map((p) => [p.pledgeId, p.pledger]));
  return csvDocument(
    CAMPAIGN_CSV_COLUMNS,
    campaign.movements.map((m) => {
      const pledger = pledgers.get(m.pledgeId);
      return [
        m.at.slice(0, 10),
        m.pledgeId,
        pledger ? PLEDGER_ZH[pledger.kind] : undefined,
        pledger?.id,
        MOVEMENT_ZH[m.kind],
        yuan(m.amountFen),
        m.amountFen,
        m.documentRef,
      ];
    }),
  );
}

/** A CSV file as the answer, named, at the position it stands at. */
function csvAnswer(c: Context<AppEnv>, ctx: ReadContext, text: string, filename: string) {
  return c.body(text, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${filename}.csv"`,
    ...(ctx.asOfInfo ? { 'x-as-of-position': ctx.asOfInfo.position } : {}),
  });
}

export function fundCsvText(accounts: Omit<FundAccountsView, 'asOf'>): string {
  return csvDocument(
    CSV_COLUMNS,
    accounts.lines.map((l) => [
      l.postedAt.slice(0, 10),
      l.entryId,
      KIND_ZH[l.kind],
      l.account,
      yuan(l.amountFen),
      l.amountFen,
      l.memo,
      l.documentRef,
      l.reverses,
      l.decision?.proposalId,
      l.decision?.itemId,
      l.decision?.title,
      l.decision?.decidedAt?.slice(0, 10),
    ]),
  );
}

type CampaignRow = Selectable<CrowdfundingCampaignsTable>;

async function campaigns(ctx: ReadContext, communityId: string, campaignId?: string) {
  const rm = ctx.db.withSchema(ctx.schema('money'));
  let rows = rm
    .selectFrom('crowdfunding_campaigns')
    .selectAll()
    .where('community_id', '=', communityId)
    .where(visibleAt(ctx.asOf));
  if (campaignId !== undefined) rows = rows.where('campaign_id', '=', campaignId);
  const found = await rows
    .orderBy('opened_at', 'desc')
    .orderBy('campaign_id')
    .limit(1000)
    .execute();
  let moves = rm
    .selectFrom('crowdfunding_movements')
    .selectAll()
    .where('community_id', '=', communityId)
    .where(recordedBy(ctx.asOf));
  if (campaignId !== undefined) moves = moves.where('campaign_id', '=', campaignId);
  const movements = await moves
    .orderBy('transaction_id')
    .orderBy('global_position')
    .limit(100_000)
    .execute();
  return found.map((row) => {
    const pledges = new Map<string, z.infer<typeof Pledge>>();
    const recorded: z.infer<typeof CampaignMovement>[] = [];
    for (const m of movements) {
      if (m.campaign_id !== row.campaign_id) continue;
      const amount = Number(m.amount_fen);
      recorded.push({
        pledgeId: m.pledge_id,
        kind: m.kind,
        amountFen: amount,
        documentRef: m.document_ref,
        at: m.at,
      });
      if (m.kind === 'pledge') {
        pledges.set(m.pledge_id, {
          pledgeId: m.pledge_id,
          pledger: { kind: m.pledger_kind ?? 'person', id: m.pledger_id ?? '' },
          pledgedAt: m.at,
          amountFen: amount,
          receivedFen: 0,
          owedFen: 0,
          refundedFen: 0,
        });
        continue;
      }
      const p = pledges.get(m.pledge_id);
      if (!p) continue;
      if (m.kind === 'receipt') p.receivedFen += amount;
      else if (m.kind === 'owed') p.owedFen += amount;
      else p.refundedFen += amount;
    }
    return {
      ...toCampaign(row, [...pledges.values()]),
      pledgeList: [...pledges.values()],
      movements: recorded,
    };
  });
}

/** A campaign with its pledges, movements and treasurers, or undefined when there is none. */
async function campaignDetail(
  ctx: ReadContext,
  communityId: string,
  campaignId: string,
): Promise<Omit<CampaignDetailView, 'asOf'> | undefined> {
  const [campaign] = await campaigns(ctx, communityId, campaignId);
  return campaign && { ...campaign, treasurerIds: await treasurerIds(ctx, communityId) };
}

function toCampaign(row: CampaignRow, pledges: readonly z.infer<typeof Pledge>[]) {
  const sum = (pick: (p: z.infer<typeof Pledge>) => number) =>
    pledges.reduce((s, p) => s + pick(p), 0);
  return {
    campaignId: row.campaign_id,
    title: row.title,
    description: row.description,
    proposalId: row.proposal_id,
    itemId: row.item_id,
    optionId: row.option_id,
    targetFen: Number(row.target_fen),
    deadline: row.deadline,
    status: row.status,
    reason: row.reason,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    pledgedFen: sum((p) => p.amountFen),
    receivedFen: sum((p) => p.receivedFen),
    owedFen: sum((p) => p.owedFen),
    refundedFen: sum((p) => p.refundedFen),
    pledges: pledges.length,
  };
}

export function moneyQueries(deps: QueryDeps) {
  const app = createRouter();
  /** The fund the path names, as the query reads: its accounts, or the problem to answer. */
  const readFund = async (
    c: Context<AppEnv>,
    { communityId, fundId }: { communityId: string; fundId: string },
    query: ReadQuery,
  ) => {
    const ctx = await readContext(c, deps, query, ['money']);
    if (ctx instanceof Response) return ctx;
    const accounts = await fundAccounts(ctx, communityId, fundId);
    if (!accounts) return problem(c, 404, 'fund-not-found', `No fund ${fundId} in ${communityId}`);
    return { ctx, accounts };
  };
  /** The campaign the path names, as the query reads, or the problem to answer. */
  const readCampaign = async (
    c: Context<AppEnv>,
    { communityId, campaignId }: { communityId: string; campaignId: string },
    query: ReadQuery,
  ) => {
    const ctx = await readContext(c, deps, query, ['money']);
    if (ctx instanceof Response) return ctx;
    const campaign = await campaignDetail(ctx, communityId, campaignId);
    if (!campaign) {
      return problem(c, 404, 'campaign-not-found', `No campaign ${campaignId} in ${communityId}`);
    }
    return { ctx, campaign };
  };
  addRoute(app, listFunds, async (c) => {
    const { communityId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['money']);
    if (ctx instanceof Response) return ctx;
    const rm = ctx.db.withSchema(ctx.schema('money'));
    const funds = await rm
      .selectFrom('funds')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(visibleAt(ctx.asOf))
      .orderBy('opened_at')
      .orderBy('fund_id')
      .limit(1000)
      .execute();
    const lines = await rm
      .selectFrom('fund_lines')
      .selectAll()
      .where('community_id', '=', communityId)
      .where(recordedBy(ctx.asOf))
      .limit(1_000_000)
      .execute();
    const items = funds.map((f) =>
      summary(
        f,
        lines.filter((l) => l.fund_id === f.fund_id),
      ),
    );
    return c.json(
      withAsOf(ctx, { items, treasurerIds: await treasurerIds(ctx, communityId) }),
      200,
    );
  });
  addRoute(app, getFund, async (c) => {
    const read = await readFund(c, c.req.valid('param'), c.req.valid('query'));
    if (read instanceof Response) return read;
    return c.json(withAsOf(read.ctx, read.accounts), 200);
  });
  addRoute(app, fundCsv, async (c) => {
    const { communityId, fundId } = c.req.valid('param');
    const read = await readFund(c, { communityId, fundId }, c.req.valid('query'));
    if (read instanceof Response) return read;
    return csvAnswer(c, read.ctx, fundCsvText(read.accounts), `fund-${communityId}-${fundId}`);
  });
  addRoute(app, listCampaigns, async (c) => {
    const { communityId } = c.req.valid('param');
    const ctx = await readContext(c, deps, c.req.valid('query'), ['money']);
    if (ctx instanceof Response) return ctx;
    const items = (await campaigns(ctx, communityId)).map(
      ({ pledgeList: _list, movements: _movements, ...campaign }) => campaign,
    );
    return c.json(
      withAsOf(ctx, { items, treasurerIds: await treasurerIds(ctx, communityId) }),
      200,
    );
  });
  addRoute(app, getCampaign, async (c) => {
    const read = await readCampaign(c, c.req.valid('param'), c.req.valid('query'));
    if (read instanceof Response) return read;
    return c.json(withAsOf(read.ctx, read.campaign), 200);
  });
  addRoute(app, campaignCsv, async (c) => {
    const { communityId, campaignId } = c.req.valid('param');
    const read = await readCampaign(c, { communityId, campaignId }, c.req.valid('query'));
    if (read instanceof Response) return read;
    return csvAnswer(
      c,
      read.ctx,
      campaignCsvText(read.campaign),
      `crowdfunding-${communityId}-${campaignId}`,
    );
  });
  return app;
}
