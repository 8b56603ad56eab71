import { formatArea, formatCount, formatTime, type Html, h } from '@yishi/presentation';
import type { DocumentWords } from './messages.ts';
import type { ChainHead } from './page.ts';
import { itemResult, type RecordedItem } from './results.ts';

// 公示: a decision as it is posted on the notice board: the matter, the rule, the result of
// each item with every figure in words, the publication period and how to object.

export interface DecisionNoticeModel {
  document: 'decision-notice';
  communityId: string;
  communityName: string;
  proposal: {
    proposalId: string;
    title: string;
    description: string;
    procedureName: string;
    items: {
      itemId: string;
      title: string;
      matter?: string | undefined;
      options: { optionId: string; title: string }[];
    }[];
  };
  decision: {
    outcome: string;
    decidedAt: string;
    rule: Record<string, unknown> | null;
    totals: Record<string, number> | null;
    sessionId: string | null;
    items: RecordedItem[];
  };
  publication: {
    publishedAt: string | null;
    endsAt: string | null;
    /** The announcement as published (公告内容), in full. */
    text: string | null;
    /** The procedure's publication period of the decision, when it has one. */
    periodDays: number | null;
  };
  objections: { raised: number; answered: number };
  implementationDueAt: string | null;
  /** 落实责任人: the registered person responsible (their id in the registry), if named. */
  implementationResponsibleId: string | null;
  /** Party names by id, for the positions of a joint session. */
  parties: Record<string, string>;
  head: ChainHead;
}

function ruleWords(w: DocumentWords, rule: Record<string, unknown>): string {
  const parts = [w.label('rule', typeof rule.kind === 'string' ? rule.kind : '')];
  if (typeof rule.form === 'string') parts.push(w.label('meetingForm', rule.form));
  return parts.join(' · ');
}

function electorate(w: DocumentWords, totals: Record<string, number>): string | undefined {
  const voters = totals.voters;
  if (voters === undefined) return undefined;
  const area = totals.areaCentiM2;
  return area === undefined || area === 0
    ? w.t('doc.notice.electorateHeads', { voters: formatCount(voters) })
    : w.t('doc.notice.electorate', {
        voters: formatCount(voters),
        area: w.t('unit.m2', { value: formatArea(area) }),
      });
}

function period(w: DocumentWords, m: DecisionNoticeModel): string {
  const { publishedAt, endsAt, periodDays } = m.publication;
  if (publishedAt && endsAt) {
    return w.t('doc.notice.periodDates', { from: formatTime(publishedAt), to: formatTime(endsAt) });
  }
  return periodDays === null
    ? w.t('doc.notice.periodNone')
    : w.t('doc.notice.periodPending', { days: periodDays });
}

export function decisionNoticeBody(
  w: DocumentWords,
  m: DecisionNoticeModel,
  proposalUrl: string,
): Html {
  const { proposal, decision } = m;
  const parties = new Map(Object.entries(m.parties));
  return h`<section>
  <h2>${w.t('doc.notice.matter')}</h2>
  <dl>
    <dt>${w.t('doc.register.proposal')}</dt><dd>${proposal.title}${w.open}${proposal.proposalId}${w.close}</dd>
    <dt>${w.t('doc.notice.procedure')}</dt><dd>${proposal.procedureName}</dd>
  </dl>
  ${proposal.description ? h`<p class="text">${proposal.description}</p>` : undefined}
  <h3>${w.t('doc.notice.items')}</h3>
  <ol>${proposal.items.map(
    (item) =>
      h`<li>${item.title}${item.matter ? h` <span class="muted">${w.label('matter', item.matter)}</span>` : undefined}</li>`,
  )}</ol>
</section>
<section>
  <h2>${w.t('doc.notice.rule')}</h2>
  ${decision.rule ? h`<p>${ruleWords(w, decision.rule)}</p>` : undefined}
  ${decision.sessionId ? h`<p>${w.t('doc.notice.bySession', { session: decision.sessionId })}</p>` : undefined}
  ${decision.totals ? h`<p>${electorate(w, decision.totals)}</p>` : undefined}
</section>
<section>
  <h2>${w.t('doc.notice.result')}</h2>
  <p class="verdict">${w.t('doc.notice.decidedAt', { at: formatTime(decision.decidedAt), outcome: w.label('outcome', decision.outcome) })}</p>
  ${decision.items.map((recorded) => {
    const index = proposal.items.findIndex((i) => i.itemId === recorded.itemId);
    const item = proposal.items[index];
    const heading = w.t('doc.notice.item', {
      n: index >= 0 ? index + 1 : '?',
      title: item?.title ?? recorded.itemId,
    });
    return itemResult(w, heading, item, recorded, parties);
  })}
</section>
<section>
  <h2>${w.t('doc.notice.period')}</h2>
  <p>${period(w, m)}</p>
  <p>${w.t('doc.notice.howToObject', { url: proposalUrl })}</p>
  ${
    m.objections.raised > 0
      ? h`<p>${w.t('doc.notice.objections', { raised: m.objections.raised, answered: m.objections.answered })}</p>`
      : undefined
  }
  ${m.implementationDueAt ? h`<p>${w.t('doc.notice.implementationDue', { at: formatTime(m.implementationDueAt) })}</p>` : undefined}
  ${m.implementationResponsibleId ? h`<p>${w.t('doc.notice.implementationResponsible', { personId: m.implementationResponsibleId })}</p>` : undefined}
</section>
${
  m.publication.text
    ? h`<section><h2>${w.t('doc.notice.text')}</h2><p class="text">${m.publication.text}</p></section>`
    : undefined
}`;
}
