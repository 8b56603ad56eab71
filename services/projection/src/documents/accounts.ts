import { formatDate, type Html, h, yuan } from '@yishi/presentation';
import type { FundAccountsView } from '../contract.ts';
import type { DocumentWords } from './messages.ts';

// 晒账: a fund's income and spending, line by line, each spending line with the decision that
// authorised it (a link to the proposal online), and the totals. Amounts in 元, two decimals.

export interface FundAccountsModel {
  document: 'fund-accounts';
  communityId: string;
  communityName: string;
  accounts: Omit<FundAccountsView, 'asOf'>;
}

export function fundAccountsBody(
  w: DocumentWords,
  m: FundAccountsModel,
  proposalUrl: (proposalId: string) => string,
): Html {
  const a = m.accounts;
  const money = (fen: number) => w.t('doc.fund.yuan', { amount: yuan(fen) });
  return h`<p>${w.t(`doc.fund.kind.${a.kind}`)}${a.description ? h`${w.comma}${a.description}` : undefined}</p>
<table class="figures"><tbody>
<tr><th>${w.t('doc.fund.income')}</th><td class="num">${money(a.incomeFen)}</td></tr>
<tr><th>${w.t('doc.fund.spending')}</th><td class="num">${money(a.spendingFen)}</td></tr>
<tr><th>${w.t('doc.fund.balance')}</th><td class="num"><strong>${money(a.balanceFen)}</strong></td></tr>
${a.receivableFen === 0 ? undefined : h`<tr><th>${w.t('doc.fund.receivable')}</th><td class="num">${money(a.receivableFen)}</td></tr>`}
</tbody></table>
${
  a.lines.length === 0
    ? h`<p>${w.t('doc.fund.none')}</p>`
    : h`<table><thead><tr><th>${w.t('doc.fund.date')}</th><th>${w.t('doc.fund.entry')}</th><th>${w.t('doc.fund.line')}</th><th>${w.t('doc.fund.amount')}</th><th>${w.t('doc.fund.memo')}</th><th>${w.t('doc.fund.decision')}</th></tr></thead>
<tbody>${a.lines.map(
        (l) => h`<tr><td class="nowrap">${formatDate(l.postedAt)}</td>
<td class="mono">${l.entryId}${l.reverses ? h`<br><span class="muted">${w.t('doc.fund.reverses', { entry: l.reverses })}</span>` : undefined}</td>
<td>${w.t(`doc.fund.${l.kind}.line`)}<br><span class="muted">${l.account}</span></td>
<td class="num nowrap">${yuan(l.amountFen)}</td>
<td>${l.memo}<br><span class="muted">${l.documentRef}</span></td>
<td>${
          l.decision
            ? h`<a href="${proposalUrl(l.decision.proposalId)}">${l.decision.title}</a><br><span class="muted">${l.decision.proposalId} / ${l.decision.itemId}${l.decision.decidedAt ? ` · ${formatDate(l.decision.decidedAt)}` : ''}</span>`
            : w.t('doc.fund.noDecision')
        }</td></tr>`,
      )}</tbody></table>`
}`;
}
