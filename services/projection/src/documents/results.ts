import {
  type Explanation,
  explainResult,
  formatArea,
  formatCount,
  type Html,
  h,
  positionsOf,
  ruleKindOf,
  type Sentence,
} from '@yishi/presentation';
import type { DocumentWords } from './messages.ts';

// A rule's recorded result in words, for print: the verdict, each test as a sentence with
// its figures, the first test not met, the positions of the parties and the figures table.
// The words are the console's (`explainResult`); only the markup is the printed page's.

export interface ItemLike {
  itemId: string;
  title: string;
  options: readonly { optionId: string; title: string }[];
}

export interface RecordedItem {
  itemId: string;
  outcome: string;
  result: unknown;
}

function sentences(w: DocumentWords, list: readonly Sentence[]): Html {
  const groups = [...new Set(list.flatMap((s) => (s.group ? [s.group] : [])))];
  const line = (s: Sentence) =>
    h`<li>${s.text}${w.open}${s.passed ? w.t('words.passed') : w.t('words.failed')}${w.close}</li>`;
  return h`<ul>${list.filter((s) => !s.group).map(line)}${groups.map(
    (g) =>
      h`<li>${w.t('doc.notice.alternatives')}<ul>${list.filter((s) => s.group === g).map(line)}</ul></li>`,
  )}</ul>`;
}

function figures(w: DocumentWords, explanation: Explanation): Html | undefined {
  const rows = explanation.table;
  if (!rows) return undefined;
  const withArea = rows.some((r) => r.areaCentiM2 !== undefined);
  return h`<table><thead><tr><th>${w.t('doc.figures')}</th><th class="num">${w.t('doc.figures.count')}</th>${
    withArea ? h`<th class="num">${w.t('doc.figures.area')}</th>` : undefined
  }</tr></thead><tbody>${rows.map(
    (r) =>
      h`<tr><th>${w.t(r.label)}</th><td class="num">${w.t('unit.persons', { value: formatCount(r.count) })}</td>${
        withArea
          ? h`<td class="num">${w.t('unit.m2', { value: formatArea(r.areaCentiM2 ?? 0) })}</td>`
          : undefined
      }</tr>`,
  )}</tbody></table>`;
}

const partyList = (
  w: DocumentWords,
  ids: readonly string[],
  parties: ReadonlyMap<string, string>,
) => (ids.length ? ids.map((id) => parties.get(id) ?? id).join(w.sep) : w.t('doc.none'));

/** The rule a result was recorded under, as its label. */
export function ruleLabel(w: DocumentWords, recorded: string): string {
  return w.label('rule', ruleKindOf(recorded));
}

/** One item's recorded result in words. */
export function itemResult(
  w: DocumentWords,
  heading: string,
  item: ItemLike | undefined,
  recorded: RecordedItem,
  parties: ReadonlyMap<string, string>,
): Html {
  const explanation = explainResult(recorded.result, w);
  const chosen =
    explanation?.chosen !== undefined && explanation.chosen !== null
      ? (item?.options.find((o) => o.optionId === explanation.chosen)?.title ?? explanation.chosen)
      : undefined;
  const positions = positionsOf(recorded.result);
  return h`<div class="item">
  <h3>${heading}</h3>
  <p class="verdict">${w.label('outcome', recorded.outcome)}${chosen ? h`${w.comma}${w.t('doc.notice.chosen', { option: chosen })}` : undefined}</p>
  ${explanation ? sentences(w, explanation.sentences) : undefined}
  ${explanation?.failed ? h`<p>${w.t('doc.notice.failed', { test: explanation.failed })}</p>` : undefined}
  ${
    positions
      ? h`<p>${w.t('doc.notice.positions', {
          support: partyList(w, positions.support, parties),
          oppose: partyList(w, positions.oppose, parties),
          abstain: partyList(w, positions.abstain, parties),
        })}</p>`
      : undefined
  }
  ${explanation ? figures(w, explanation) : undefined}
  ${
    explanation?.deemed
      ? h`<p>${w.t('doc.notice.deemed', { outcome: w.label('outcome', explanation.deemed.outcome) })}</p>${sentences(w, explanation.deemed.sentences)}`
      : undefined
  }
</div>`;
}

export { partyList };
