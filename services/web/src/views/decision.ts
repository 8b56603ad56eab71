import {
  type Explanation,
  explainResult,
  formatArea,
  formatCount,
  positionsOf,
  ruleKindOf,
  type Sentence,
} from '@yishi/presentation';
import type { ItemResult, ItemView, ProposalView, SessionView } from '@yishi/projection/contract';
import { type Html, h } from '../html.ts';
import type { Translator } from '../i18n.ts';

// A rule's result in words, item by item: the verdict, each test as a sentence with its
// figures, the first test not met, and the figures table. Used for the live (provisional)
// tally and for the recorded decision alike: the only difference is the heading.

function sentences(list: readonly Sentence[], tr: Translator): Html {
  const groups = new Set(list.flatMap((s) => (s.group ? [s.group] : [])));
  const plain = list.filter((s) => !s.group);
  const line = (s: Sentence) =>
    h`<li class="${s.passed ? 'ok' : 'bad'}">${s.text} <span class="visually-hidden">${tr.open}${
      s.passed ? tr.t('words.passed') : tr.t('words.failed')
    }${tr.close}</span></li>`;
  return h`<ul class="words">${plain.map(line)}${[...groups].map(
    (g) =>
      h`<li>${tr.t('words.alternatives')}<ul class="words">${list.filter((s) => s.group === g).map(line)}</ul></li>`,
  )}</ul>`;
}

function table(explanation: Explanation, tr: Translator): Html | undefined {
  const rows = explanation.table;
  if (!rows) return undefined;
  const withArea = rows.some((r) => r.areaCentiM2 !== undefined);
  return h`<div class="scroll"><table>
  <caption class="visually-hidden">${tr.t('tally.figures')}</caption>
  <thead><tr><th scope="col">${tr.t('tally.figures')}</th><th scope="col" class="num">${tr.t(withArea ? 'tally.owners' : 'tally.count')}</th>${
    withArea ? h`<th scope="col" class="num">${tr.t('tally.area')}</th>` : undefined
  }</tr></thead>
  <tbody>${rows.map(
    (r) =>
      h`<tr><th scope="row">${tr.t(r.label)}</th><td class="num">${formatCount(r.count)}</td>${
        withArea
          ? h`<td class="num">${tr.t('unit.m2', { value: formatArea(r.areaCentiM2 ?? 0) })}</td>`
          : undefined
      }</tr>`,
  )}</tbody></table></div>`;
}

export interface ResultContext {
  tr: Translator;
  items: readonly ItemView[];
  /** Party names by id (joint sessions). */
  partyNames: ReadonlyMap<string, string>;
}

function names(ids: readonly string[], rc: ResultContext): string {
  return ids.length
    ? ids.map((id) => rc.partyNames.get(id) ?? id).join(rc.tr.sep)
    : rc.tr.t('decision.none');
}

/** One item's result in words. */
export function itemResult(result: ItemResult, rc: ResultContext, headingLevel: 3 | 4 = 3): Html {
  const { tr } = rc;
  const item = rc.items.find((i) => i.itemId === result.itemId);
  const explanation = explainResult(result.result, tr);
  const title = tr.t('vote.item', { title: item?.title ?? result.itemId });
  const adopted = result.outcome === 'adopted';
  const chosen =
    explanation?.chosen !== undefined && explanation.chosen !== null
      ? (item?.options.find((o) => o.optionId === explanation.chosen)?.title ?? explanation.chosen)
      : undefined;
  const positions = positionsOf(result.result);
  const heading = headingLevel === 3 ? h`<h3>${title}</h3>` : h`<h4>${title}</h4>`;
  return h`<div class="panel result" data-item="${result.itemId}">
  ${heading}
  <p class="verdict ${adopted ? 'ok' : 'bad'}">${tr.label('outcome', result.outcome)}${
    chosen ? h` · ${tr.t('tally.chosen', { option: chosen })}` : undefined
  }</p>
  ${explanation?.rule ? h`<p class="muted">${tr.has('rule', ruleKindOf(explanation.rule)) ? tr.label('rule', ruleKindOf(explanation.rule)) : explanation.rule}</p>` : undefined}
  ${explanation ? sentences(explanation.sentences, tr) : undefined}
  ${explanation?.failed ? h`<p><strong>${tr.t('tally.failed', { test: explanation.failed })}</strong></p>` : undefined}
  ${
    positions
      ? h`<p>${tr.t('decision.positions', {
          support: names(positions.support, rc),
          oppose: names(positions.oppose, rc),
          abstain: names(positions.abstain, rc),
        })}</p>`
      : undefined
  }
  ${explanation ? table(explanation, tr) : undefined}
  ${
    explanation?.deemed
      ? h`<p>${tr.t('tally.deemed', { outcome: tr.label('outcome', explanation.deemed.outcome) })}</p>${sentences(explanation.deemed.sentences, tr)}`
      : undefined
  }
</div>`;
}

export function overallVerdict(
  tr: Translator,
  outcome: string | null | undefined,
): Html | undefined {
  return outcome
    ? h`<p class="verdict ${outcome === 'rejected' ? 'bad' : 'ok'}">${tr.label('outcome', outcome)}</p>`
    : undefined;
}

/** A joint session's resolution rule in words. */
export function resolutionRuleWords(tr: Translator, rule: SessionView['resolutionRule']): string {
  if (rule.kind === 'qualified-majority') {
    const t = rule.threshold as
      | { numerator?: number; denominator?: number; inclusive?: boolean }
      | undefined;
    return t?.numerator === 1 && t.denominator === 2 && !t.inclusive
      ? tr.t('convene.rule.majority')
      : tr.t('convene.rule.twoThirds');
  }
  return rule.among === 'attending'
    ? tr.t('convene.rule.consensusAll')
    : tr.t('convene.rule.consensus');
}

/** Who decides: the community, or the owners of a building or entrance. */
export function scopeWords(tr: Translator, scope: ProposalView['scope']): string {
  if (scope.kind === 'community') return tr.t('scope.community');
  return scope.entrance === undefined
    ? tr.t('scope.building', { building: scope.building })
    : tr.t('scope.entrance', { building: scope.building, entrance: scope.entrance });
}
