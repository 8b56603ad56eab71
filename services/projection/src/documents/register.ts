import { explainResult, formatDate, type Html, h } from '@yishi/presentation';
import type { DecisionView } from '../contract.ts';
import type { DocumentWords } from './messages.ts';
import { type ChainHead, shortHash } from './page.ts';

// 决议台账摘录: the decisions of a range, one row each, with the outcome of every item in
// words and the chain head of each proposal, to be checked one by one.

export interface RegisterExtractModel {
  document: 'register';
  communityId: string;
  communityName: string;
  filter: {
    from: string | null;
    to: string | null;
    outcome: string | null;
    overdue: boolean | null;
  };
  decisions: Omit<DecisionView, 'history'>[];
  /** Each proposal's chain head, by proposal id. */
  heads: Record<string, ChainHead>;
}

export function rangeWords(w: DocumentWords, filter: RegisterExtractModel['filter']): string {
  const parts = [
    filter.from ? w.t('doc.register.from', { date: filter.from }) : '',
    filter.to ? w.t('doc.register.to', { date: filter.to }) : '',
    filter.outcome ? w.label('outcome', filter.outcome) : '',
    filter.overdue === null
      ? ''
      : w.t(filter.overdue ? 'doc.register.overdue' : 'doc.register.notOverdue'),
  ].filter(Boolean);
  return parts.length ? parts.join(w.sep) : w.t('doc.register.all');
}

function implementation(w: DocumentWords, d: RegisterExtractModel['decisions'][number]): string {
  const impl = d.implementation;
  const parts = [
    impl.progressPercent === null
      ? w.t('doc.register.notStarted')
      : w.t('doc.register.progress', { percent: impl.progressPercent }),
  ];
  if (impl.dueAt) parts.push(w.t('doc.register.due', { at: formatDate(impl.dueAt) }));
  if (impl.responsibleId) {
    parts.push(w.t('doc.register.responsible', { personId: impl.responsibleId }));
  }
  if (impl.overdue) parts.push(w.t('doc.register.overdue'));
  return parts.join(w.comma);
}

export function registerBody(w: DocumentWords, m: RegisterExtractModel): Html {
  return h`<p>${w.t('doc.register.filter', { range: rangeWords(w, m.filter) })}</p>
${
  m.decisions.length === 0
    ? h`<p>${w.t('doc.register.none')}</p>`
    : h`<table><thead><tr><th>${w.t('doc.register.proposal')}</th><th>${w.t('doc.register.decided')}</th><th>${w.t('doc.register.outcome')}</th><th>${w.t('doc.register.publication')}</th><th>${w.t('doc.register.implementation')}</th><th>${w.t('doc.register.head')}</th></tr></thead>
<tbody>${m.decisions.map((d) => {
        const head = m.heads[d.proposalId];
        return h`<tr><td>${d.title}<br><span class="muted">${d.proposalId}</span>${d.withdrawn ? h`<br>${w.t('doc.register.withdrawn')}` : undefined}</td>
<td class="nowrap">${formatDate(d.decidedAt)}</td>
<td><strong>${w.label('outcome', d.outcome)}</strong>${d.items.map((item) => {
          const words = explainResult(item.result, w);
          return h`<br><span class="muted">${item.itemId}${w.colon}${w.label('outcome', item.outcome)}${
            words?.failed
              ? h`${w.comma}${w.t('doc.notice.failed', { test: words.failed })}`
              : undefined
          }</span>`;
        })}</td>
<td>${d.publication.publishedAt ? `${formatDate(d.publication.publishedAt)} – ${formatDate(d.publication.endsAt)}` : '—'}</td>
<td>${implementation(w, d)}</td>
<td class="mono nowrap">${head ? `#${head.version} ${shortHash(head.hash)}` : '—'}</td></tr>`;
      })}</tbody></table>`
}`;
}
