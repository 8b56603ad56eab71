import { type Child, formatDate, type Html, h, percent, yuan } from '@yishi/presentation';
import type { CampaignDetail, FundAccountsView } from '../contract.ts';
import type { DocumentWords } from './messages.ts';

// 晒账: a fund's income and spending, line by line, each spending line with the decision that
// authorised it (a link to the proposal online), and the totals; and a crowdfunding campaign's
// target, pledges (by kind of pledger), receipts and refunds. Amounts in 元, two decimals.

export interface FundAccountsModel {
  document: 'fund-accounts';
  communityId: string;
  communityName: string;
  accounts: Omit<FundAccountsView, 'asOf'>;
}

export interface CampaignAccountsModel {
  document: 'campaign-accounts';
  communityId: string;
  communityName: string;
  campaign: Omit<CampaignDetail, 'asOf'>;
}

/** The totals: one row each, in 元 (a row marked `strong` is the one the notice is about). */
function totals(
  w: DocumentWords,
  rows: readonly (readonly [label: string, fen: number, strong?: boolean] | undefined)[],
): Html {
  const money = (fen: number) => w.t('doc.fund.yuan', { amount: yuan(fen) });
  return h`<table class="figures"><tbody>${rows.map((row) => {
    if (!row) return undefined;
    const [label, fen, strong] = row;
    return h`<tr><th>${label}</th><td class="num">${strong ? h`<strong>${money(fen)}</strong>` : money(fen)}</td></tr>`;
  })}</tbody></table>`;
}

/** A table cell with a class (`num nowrap` for an amount). */
interface Cell {
  className: string;
  content: Child;
}
const cell = (className: string, content: Child): Cell => ({ className, content });
const isCell = (c: Child | Cell): c is Cell =>
  typeof c === 'object' && c !== null && 'className' in c;

/** The lines of the accounts: a table with its header, or the sentence saying there are none. */
function lines<T>(
  header: readonly string[],
  items: readonly T[],
  row: (item: T) => readonly (Child | Cell)[],
  none: string,
): Html {
  if (items.length === 0) return h`<p>${none}</p>`;
  const td = (c: Child | Cell) =>
    isCell(c) ? h`<td class="${c.className}">${c.content}</td>` : h`<td>${c}</td>`;
  return h`<table><thead><tr>${header.map((label) => h`<th>${label}</th>`)}</tr></thead>
<tbody>${items.map((item) => h`<tr>${row(item).map(td)}</tr>`)}</tbody></table>`;
}

export function fundAccountsBody(
  w: DocumentWords,
  m: FundAccountsModel,
  proposalUrl: (proposalId: string) => string,
): Html {
  const a = m.accounts;
  return h`<p>${w.t(`doc.fund.kind.${a.kind}`)}${a.description ? h`${w.comma}${a.description}` : undefined}</p>
${totals(w, [
  [w.t('doc.fund.income'), a.incomeFen],
  [w.t('doc.fund.spending'), a.spendingFen],
  [w.t('doc.fund.balance'), a.balanceFen, true],
  a.receivableFen === 0 ? undefined : [w.t('doc.fund.receivable'), a.receivableFen],
])}
${lines(
  (['date', 'entry', 'line', 'amount', 'memo', 'decision'] as const).map((k) =>
    w.t(`doc.fund.${k}`),
  ),
  a.lines,
  (l) => [
    cell('nowrap', formatDate(l.postedAt)),
    cell(
      'mono',
      h`${l.entryId}${l.reverses ? h`<br><span class="muted">${w.t('doc.fund.reverses', { entry: l.reverses })}</span>` : undefined}`,
    ),
    h`${w.t(`doc.fund.${l.kind}.line`)}<br><span class="muted">${l.account}</span>`,
    cell('num nowrap', yuan(l.amountFen)),
    h`${l.memo}<br><span class="muted">${l.documentRef}</span>`,
    l.decision
      ? h`<a href="${proposalUrl(l.decision.proposalId)}">${l.decision.title}</a><br><span class="muted">${l.decision.proposalId} / ${l.decision.itemId}${l.decision.decidedAt ? ` · ${formatDate(l.decision.decidedAt)}` : ''}</span>`
      : w.t('doc.fund.noDecision'),
  ],
  w.t('doc.fund.none'),
)}`;
}

export function campaignAccountsBody(
  w: DocumentWords,
  m: CampaignAccountsModel,
  proposalUrl: string,
): Html {
  const c = m.campaign;
  const pledgers = new Map(c.pledgeList.map((p) => [p.pledgeId, p.pledger]));
  const byKind = (['person', 'party'] as const).map((kind) => {
    const of = c.pledgeList.filter((p) => p.pledger.kind === kind);
    return { kind, count: of.length, fen: of.reduce((s, p) => s + p.amountFen, 0) };
  });
  const status =
    c.status === 'open'
      ? w.t('doc.campaign.status.open', { deadline: formatDate(c.deadline) })
      : c.status === 'funded'
        ? w.t('doc.campaign.status.funded')
        : w.t('doc.campaign.status.refunding', {
            reason: c.reason ? w.t(`doc.campaign.reason.${c.reason}`) : '',
          });
  const forItem = c.optionId ? `${c.itemId} / ${c.optionId}` : c.itemId;
  return h`${c.description ? h`<p>${c.description}</p>` : undefined}
<p><a href="${proposalUrl}">${w.t('doc.campaign.for', { proposal: c.proposalId, item: forItem })}</a></p>
<p><strong>${status}</strong></p>
${totals(w, [
  [w.t('doc.campaign.target'), c.targetFen],
  [w.t('doc.campaign.pledged'), c.pledgedFen, true],
  [w.t('doc.campaign.received'), c.receivedFen],
  c.owedFen === 0 ? undefined : [w.t('doc.campaign.owed'), c.owedFen],
  c.owedFen === 0 ? undefined : [w.t('doc.campaign.refunded'), c.refundedFen],
])}
<p>${w.t('doc.campaign.progress')}${w.colon}${percent(c.pledgedFen, c.targetFen)}</p>
<h2>${w.t('doc.campaign.byKind')}</h2>
${lines(
  [w.t('doc.campaign.kind'), w.t('doc.campaign.count'), w.t('doc.fund.amount')],
  byKind,
  (k) => [
    w.t(`doc.campaign.kind.${k.kind}`),
    cell('num', k.count),
    cell('num nowrap', yuan(k.fen)),
  ],
  w.t('doc.campaign.none'),
)}
${lines(
  [
    w.t('doc.fund.date'),
    w.t('doc.campaign.pledge'),
    w.t('doc.campaign.pledger'),
    w.t('doc.campaign.movement'),
    w.t('doc.fund.amount'),
    w.t('doc.campaign.document'),
  ],
  c.movements,
  (mv) => {
    const pledger = pledgers.get(mv.pledgeId);
    return [
      cell('nowrap', formatDate(mv.at)),
      cell('mono', mv.pledgeId),
      pledger
        ? h`${w.t(`doc.campaign.kind.${pledger.kind}`)}<br><span class="muted">${pledger.id}</span>`
        : undefined,
      w.t(`doc.campaign.movement.${mv.kind}`),
      cell('num nowrap', yuan(mv.amountFen)),
      mv.documentRef ?? '—',
    ];
  },
  w.t('doc.campaign.none'),
)}`;
}
