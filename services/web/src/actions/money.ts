import { Account, FundKind } from '@yishi/domain';
import { hundredths, yuan } from '@yishi/presentation';
import type {
  CampaignDetail,
  DecisionList,
  FundAccountsView,
  ProposalView,
} from '@yishi/projection/contract';
import { documentField } from '../attachments.ts';
import { h } from '../html.ts';
import type { Translator } from '../i18n.ts';
import type { Page } from '../pages/page.ts';
import { type FormScope, selectField, textField } from '../views/forms.ts';
import { type Action, hidden, type OnPage } from './action.ts';
import { defined, type FormFields, newId } from './form-fields.ts';

// 资金的表单: opening a fund and posting or reversing its entries (晒账 page), opening a
// crowdfunding campaign (proposal page), and pledging, receipts, refunds and closing (the
// campaign's page). Amounts are typed in 元 and sent as integer fen read from the digits.

/** An amount field in 元. */
export function yuanField(
  s: FormScope,
  tr: Translator,
  spec: { name: string; label: string; value?: string },
) {
  return textField(s, {
    ...spec,
    hint: tr.t('form.yuan.hint'),
    required: true,
    inputmode: 'decimal',
    pattern: '[0-9,.¥￥ ]+',
  });
}

/** The receipt or voucher: a typed reference, or a photo or PDF uploaded from the form. */
const receiptField = (page: Page, s: FormScope) =>
  documentField(page, s, {
    name: 'documentRef',
    label: page.tr.t('form.documentRef'),
    required: true,
  });

/**
 * Whether the viewer is an appointed treasurer: only they may record money, so only they are
 * offered the forms (the command service checks the appointment again).
 */
export function isTreasurer(page: Page, treasurerIds: readonly string[]): boolean {
  return treasurerIds.includes(page.viewer.personId);
}

// ---- funds (晒账 page) -------------------------------------------------------------------

export type FundListContext = OnPage;

export const fundListActions = {
  'open-fund': {
    command: 'OpenFund',
    when: () => true,
    folded: true,
    fields: (c, s) => {
      const { tr } = c.page;
      return h`<div class="row">${selectField(
        s,
        { name: 'kind', label: tr.t('fund.kind'), required: true },
        FundKind.options.map((k) => [k, tr.t(`funds.type.${k}`)] as const),
      )}
      ${textField(s, { name: 'name', label: tr.t('fund.name'), required: true })}</div>
      ${textField(s, { name: 'description', label: tr.t('fund.description'), multiline: true })}`;
    },
    build: (f) =>
      defined({
        fundId: newId('f'),
        kind: f.text('kind'),
        name: f.text('name'),
        description: f.opt('description'),
      }),
  },
} satisfies Record<string, Action<FundListContext>>;

export interface FundContext extends OnPage {
  fund: FundAccountsView;
  /** Whether the viewer is an appointed treasurer. */
  treasurer: boolean;
  /** The adopted decisions' items a spending entry may name. */
  decisions: DecisionList['items'];
}

const accountOptions = (tr: Translator) =>
  Account.options.map((a) => [a, tr.lookup(`account.${a}`) ?? a] as const);

/** Entries that may still be reversed: not reversals themselves, not reversed yet. */
function reversible(fund: FundAccountsView): string[] {
  const reversed = new Set(fund.lines.flatMap((l) => (l.reverses ? [l.reverses] : [])));
  const reversals = new Set(fund.lines.filter((l) => l.reverses).map((l) => l.entryId));
  return [...new Set(fund.lines.map((l) => l.entryId))].filter(
    (id) => !reversed.has(id) && !reversals.has(id),
  );
}

export const fundActions = {
  'post-fund-entry': {
    command: 'PostFundEntry',
    when: (c) => c.treasurer,
    id: (c) => `post-${c.fund.fundId}`,
    fields: (c, s) => {
      const { tr } = c.page;
      const adopted = c.decisions.flatMap((d) =>
        d.items
          .filter((i) => i.outcome === 'adopted')
          .map((i) => [`${d.proposalId}/${i.itemId}`, `${d.title} · ${i.itemId}`] as const),
      );
      return h`<div class="row">${selectField(s, { name: 'debit', label: tr.t('entry.debit'), required: true }, accountOptions(tr))}
        ${selectField(s, { name: 'credit', label: tr.t('entry.credit'), required: true, value: 'income:owner-deposits' }, accountOptions(tr))}</div>
        ${yuanField(s, tr, { name: 'amount', label: tr.t('entry.amount') })}
        ${textField(s, { name: 'memo', label: tr.t('entry.memo'), required: true })}
        ${receiptField(c.page, s)}
        ${selectField(s, { name: 'authorisedBy', label: tr.t('entry.decision') }, [['', tr.t('entry.noDecision')], ...adopted])}`;
    },
    build: (f) => {
      const amountFen = f.fen('amount');
      const [proposalId, itemId] = f.text('authorisedBy').split('/');
      return defined({
        entryId: newId('e'),
        lines: [
          { account: f.text('debit'), side: 'debit', amountFen },
          { account: f.text('credit'), side: 'credit', amountFen },
        ],
        memo: f.text('memo'),
        documentRef: f.text('documentRef'),
        authorisedBy: proposalId && itemId ? { proposalId, itemId } : undefined,
      });
    },
  },
  'reverse-fund-entry': {
    command: 'ReverseFundEntry',
    when: (c) => c.treasurer && reversible(c.fund).length > 0,
    id: (c) => `reverse-${c.fund.fundId}`,
    folded: true,
    secondary: true,
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${selectField(
        s,
        { name: 'reverses', label: tr.t('entry.reverses'), required: true },
        reversible(c.fund).map((id) => {
          const line = c.fund.lines.find((l) => l.entryId === id);
          return [id, `${id} · ${line?.memo ?? ''}`] as const;
        }),
      )}
        ${textField(s, { name: 'reason', label: tr.t('form.reason'), required: true })}
        ${receiptField(c.page, s)}`;
    },
    build: (f) => ({
      entryId: newId('e'),
      reverses: f.text('reverses'),
      reason: f.text('reason'),
      documentRef: f.text('documentRef'),
    }),
  },
} satisfies Record<string, Action<FundContext>>;

// ---- opening a campaign (proposal page) ----------------------------------------------------

export interface CampaignOpenContext extends OnPage {
  proposal: ProposalView;
}

/** The items and plans a campaign may fund: `item` or `item/option`. */
function fundable(p: ProposalView): (readonly [string, string])[] {
  return p.items.flatMap((i) =>
    i.kind === 'plans'
      ? i.options.map(
          (o) => [`${i.itemId}/${o.optionId}`, `${i.title} · ${o.optionId} ${o.title}`] as const,
        )
      : [[i.itemId, i.title] as const],
  );
}

export const campaignOpenActions = {
  'open-crowdfunding': {
    command: 'OpenCrowdfunding',
    when: (c) => c.proposal.status === 'active' && fundable(c.proposal).length > 0,
    folded: true,
    secondary: true,
    intro: (c) => hidden('proposalId', c.proposal.proposalId),
    fields: (c, s) => {
      const { tr } = c.page;
      return h`${textField(s, { name: 'campaignTitle', label: tr.t('campaign.name'), required: true, value: c.proposal.title })}
        ${selectField(s, { name: 'for', label: tr.t('campaign.for'), required: true }, fundable(c.proposal))}
        <div class="row">${yuanField(s, tr, { name: 'target', label: tr.t('campaign.target') })}
        ${textField(s, { name: 'deadline', label: tr.t('campaign.deadline'), type: 'datetime-local', required: true })}</div>
        ${textField(s, { name: 'description', label: tr.t('campaign.description'), multiline: true })}`;
    },
    build: (f) => {
      const [itemId, optionId] = f.text('for').split('/');
      return defined({
        campaignId: newId('cf'),
        title: f.text('campaignTitle'),
        description: f.opt('description'),
        proposalId: f.text('proposalId'),
        itemId,
        optionId,
        targetFen: f.fen('target'),
        deadline: f.time('deadline'),
      });
    },
  },
} satisfies Record<string, Action<CampaignOpenContext>>;

// ---- a campaign (its page) -------------------------------------------------------------

export interface CampaignContext extends OnPage {
  campaign: CampaignDetail;
  /** Whether the viewer is an appointed treasurer. */
  treasurer: boolean;
  /** How the page names each pledge's pledger. */
  pledgerOf(pledge: CampaignDetail['pledgeList'][number]): string;
}

type PledgeView = CampaignDetail['pledgeList'][number];

function pledgeSelect(
  c: CampaignContext,
  s: FormScope,
  pledges: readonly PledgeView[],
  amount: (p: PledgeView) => number,
) {
  const { tr } = c.page;
  return selectField(
    s,
    { name: 'pledgeId', label: tr.t('campaign.pledge'), required: true },
    pledges.map(
      (p) => [p.pledgeId, `${p.pledgeId} · ${c.pledgerOf(p)} · ¥${yuan(amount(p))}`] as const,
    ),
  );
}

/** Pledges with money still to receive, and with money still owed back. */
const unpaid = (c: CampaignContext) =>
  c.campaign.pledgeList.filter((p) => p.receivedFen < p.amountFen);
const owed = (c: CampaignContext) => c.campaign.pledgeList.filter((p) => p.owedFen > p.refundedFen);
const moneyOf = (f: FormFields) => ({
  pledgeId: f.text('pledgeId'),
  amountFen: f.fen('amount'),
  documentRef: f.text('documentRef'),
});

export const campaignActions = {
  'pledge-to-crowdfunding': {
    command: 'PledgeToCrowdfunding',
    when: (c) => c.campaign.status === 'open',
    id: () => 'pledge',
    fields: (c, s) =>
      yuanField(s, c.page.tr, { name: 'amount', label: c.page.tr.t('campaign.amount') }),
    build: (f) => ({ pledgeId: newId('pl'), amountFen: f.fen('amount') }),
  },
  'record-pledge-receipt': {
    command: 'RecordPledgeReceipt',
    when: (c) => c.treasurer && c.campaign.status !== 'refunding' && unpaid(c).length > 0,
    id: () => 'receipt',
    fields: (c, s) => {
      const { tr } = c.page;
      const first = unpaid(c)[0];
      return h`${pledgeSelect(c, s, unpaid(c), (p) => p.amountFen - p.receivedFen)}
        ${yuanField(s, tr, { name: 'amount', label: tr.t('campaign.amount'), value: first ? hundredths(first.amountFen - first.receivedFen) : '' })}
        ${receiptField(c.page, s)}`;
    },
    build: moneyOf,
  },
  'record-refund': {
    command: 'RecordRefund',
    when: (c) => c.treasurer && c.campaign.status === 'refunding' && owed(c).length > 0,
    id: () => 'refund',
    fields: (c, s) => {
      const { tr } = c.page;
      const first = owed(c)[0];
      return h`${pledgeSelect(c, s, owed(c), (p) => p.owedFen - p.refundedFen)}
        ${yuanField(s, tr, { name: 'amount', label: tr.t('campaign.amount'), value: first ? hundredths(first.owedFen - first.refundedFen) : '' })}
        ${receiptField(c.page, s)}`;
    },
    build: moneyOf,
  },
  'close-crowdfunding': {
    command: 'CloseCrowdfunding',
    when: (c) => c.campaign.status === 'open',
    folded: true,
    secondary: true,
    fields: (c, s) =>
      textField(s, { name: 'note', label: c.page.tr.t('campaign.note'), multiline: true }),
    build: (f) => defined({ note: f.opt('note') }),
  },
} satisfies Record<string, Action<CampaignContext>>;
