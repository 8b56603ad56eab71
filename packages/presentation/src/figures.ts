import type { Words } from './lang.ts';
import type { FigureKey } from './messages.ts';
import { ratioDecimal, yuan } from './money.ts';

/** What wording figures needs of a language: the figures' strings (any superset will do). */
type Translator = Words<FigureKey>;

// The figures of a decision in words ("参与表决面积 68.2%（…），达到三分之二"), for the console
// and the printed documents. Every verdict is the one the rule recorded (`passed`); this file
// never decides anything. Percentages are for display only and come from the recorded
// integers with BigInt arithmetic, never a float.

export interface Threshold {
  numerator: number;
  denominator: number;
  inclusive: boolean;
}

export interface RuleTest {
  name: string;
  value: number;
  base: number;
  threshold: Threshold;
  passed: boolean;
  group?: string;
}

export interface Sentence {
  text: string;
  passed: boolean;
  /** Alternatives (法律的"或者") share a group: any one of them suffices. */
  group?: string;
}

export interface Explanation {
  rule: string;
  outcome: string;
  sentences: Sentence[];
  /** The first test (or group) that was not met, in words. */
  failed?: string;
  /** Owners' votes with deemed consent: the deemed result, in words. */
  deemed?: { outcome: string; sentences: Sentence[] };
  /** Plans: the chosen option id. */
  chosen?: string | null;
  /** Head-and-area figures (owners' votes) or counts (meetings). */
  table?: FigureRow[];
}

export interface FigureRow {
  label: FigureKey;
  count: number;
  /** 0.01 m², owners' votes only. */
  areaCentiM2?: number;
}

/** value / base as a percentage with one decimal, rounded half up, exact. */
export function percent(value: number, base: number): string {
  if (!Number.isSafeInteger(value) || !Number.isSafeInteger(base) || base <= 0) return '—';
  return `${ratioDecimal(BigInt(value) * 100n, base, 1)}%`;
}

/** 0.01 m² as "5,456.00". */
export function formatArea(centiM2: number): string {
  // Hundredths, grouped, as money's fen are: one formatter for both.
  return yuan(Math.trunc(centiM2));
}

/** Fen (分) as "¥5,456.00": money is integer fen everywhere, shown in 元 with two decimals. */
export function formatYuan(fen: number): string {
  return `¥${yuan(fen)}`;
}

export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const EN_FRACTIONS: Record<string, string> = {
  '1/2': 'half',
  '1/3': 'one third',
  '2/3': 'two thirds',
  '1/4': 'one quarter',
  '3/4': 'three quarters',
  '1/5': 'one fifth',
  '1/10': 'one tenth',
};

function zhNumber(n: number): string {
  return n >= 0 && n <= 10 ? ZH_DIGITS[n]! : String(n);
}

/** A threshold's fraction in words: 三分之二, 半数, two thirds. */
export function fractionWords(threshold: Threshold, tr: Translator): string {
  const { numerator: n, denominator: d } = threshold;
  if (n === d) return tr.t('words.all');
  if (n * 2 === d) return tr.t('words.half');
  if (tr.lang === 'zh') return tr.t('words.fraction', { n: zhNumber(n), d: zhNumber(d) });
  return EN_FRACTIONS[`${n}/${d}`] ?? tr.t('words.fraction', { n, d });
}

/** "达到三分之二" / "未超过半数": the recorded verdict against the threshold. */
export function verdictWords(test: Pick<RuleTest, 'threshold' | 'passed'>, tr: Translator): string {
  const threshold = fractionWords(test.threshold, tr);
  if (test.threshold.inclusive) {
    return tr.t(test.passed ? 'words.reaches' : 'words.notReaches', { threshold });
  }
  return tr.t(test.passed ? 'words.exceeds' : 'words.notExceeds', { threshold });
}

type Measure = 'area' | 'persons' | 'parties';

function measureOf(testName: string): Measure {
  if (testName.endsWith('-area')) return 'area';
  if (testName === 'attendance-required' || testName === 'consensus') return 'parties';
  if (testName === 'qualified-majority') return 'parties';
  return 'persons';
}

function amount(value: number, measure: Measure, tr: Translator): string {
  switch (measure) {
    case 'area':
      return tr.t('unit.m2', { value: formatArea(value) });
    case 'persons':
      return tr.t('unit.persons', { value: formatCount(value) });
    case 'parties':
      return tr.t('unit.parties', { value: formatCount(value) });
    default: {
      const _exhaustive: never = measure;
      return String(value);
    }
  }
}

function ratio(test: RuleTest, tr: Translator): string {
  const measure = measureOf(test.name);
  if (measure === 'area') {
    return tr.t('words.ofTotal', {
      value: formatArea(test.value),
      base: amount(test.base, 'area', tr),
    });
  }
  return tr.t('words.ofTotal', {
    value: formatCount(test.value),
    base: amount(test.base, measure, tr),
  });
}

export function testSubject(name: string, tr: Translator): string {
  return tr.lookup(`test.${name}`) ?? name;
}

/** One test in words: "参与表决面积 68.2%（5,456.00 / 8,000.00 平方米），达到三分之二". */
export function explainTest(test: RuleTest, tr: Translator): Sentence {
  const subject = testSubject(test.name, tr);
  const verdict = verdictWords(test, tr);
  const text =
    test.base > 0
      ? tr.t('words.sentence', {
          subject,
          percent: percent(test.value, test.base),
          ratio: ratio(test, tr),
          verdict,
        })
      : tr.t('words.ratioOnly', { subject, ratio: ratio(test, tr), verdict });
  return { text, passed: test.passed, ...(test.group ? { group: test.group } : {}) };
}

// ---- reading a recorded result (JSON from the decision) ---------------------------------

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isThreshold(value: Json): value is Threshold {
  return (
    isObject(value) &&
    typeof value.numerator === 'number' &&
    typeof value.denominator === 'number' &&
    typeof value.inclusive === 'boolean'
  );
}

function testsOf(value: Json): RuleTest[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((t): RuleTest[] =>
    isObject(t) &&
    typeof t.name === 'string' &&
    typeof t.value === 'number' &&
    typeof t.base === 'number' &&
    typeof t.passed === 'boolean' &&
    isThreshold(t.threshold)
      ? [
          {
            name: t.name,
            value: t.value,
            base: t.base,
            threshold: t.threshold,
            passed: t.passed,
            ...(typeof t.group === 'string' ? { group: t.group } : {}),
          },
        ]
      : [],
  );
}

function headsAndArea(value: Json): { owners: number; areaCentiM2: number } | undefined {
  return isObject(value) &&
    typeof value.owners === 'number' &&
    typeof value.areaCentiM2 === 'number'
    ? { owners: value.owners, areaCentiM2: value.areaCentiM2 }
    : undefined;
}

function tableOf(figures: Json): FigureRow[] | undefined {
  if (!isObject(figures)) return undefined;
  const owners = (['yes', 'no', 'abstain', 'nonVoting'] as const).map((k) =>
    headsAndArea(figures[k]),
  );
  if (owners.every((x) => x !== undefined)) {
    const labels: FigureKey[] = ['tally.yes', 'tally.no', 'tally.abstain', 'tally.notVoting'];
    return owners.map((x, i) => ({
      label: labels[i]!,
      count: x!.owners,
      areaCentiM2: x!.areaCentiM2,
    }));
  }
  const counts = (['yes', 'no', 'abstain', 'notVoting'] as const).map((k) => figures[k]);
  if (counts.every((x) => typeof x === 'number')) {
    const labels: FigureKey[] = ['tally.yes', 'tally.no', 'tally.abstain', 'tally.notVoting'];
    return counts.map((x, i) => ({ label: labels[i]!, count: x as number }));
  }
  return undefined;
}

function failedWords(result: Record<string, Json>, tr: Translator): string | undefined {
  const failed = result.failedTest;
  if (typeof failed !== 'string') return undefined;
  return testSubject(failed, tr);
}

/** A recorded rule result (an item of a decision, or a live tally) in words. */
export function explainResult(result: Json, tr: Translator): Explanation | undefined {
  if (!isObject(result)) return undefined;
  const rule = typeof result.rule === 'string' ? result.rule : '';
  const outcome = typeof result.outcome === 'string' ? result.outcome : '';
  const explanation: Explanation = {
    rule,
    outcome,
    sentences: testsOf(result.tests).map((t) => explainTest(t, tr)),
  };
  const failed = failedWords(result, tr);
  if (failed) explanation.failed = failed;
  const table = tableOf(result.figures);
  if (table) explanation.table = table;
  if (isObject(result.deemed)) {
    explanation.deemed = {
      outcome: typeof result.deemed.outcome === 'string' ? result.deemed.outcome : '',
      sentences: testsOf(result.deemed.tests).map((t) => explainTest(t, tr)),
    };
  }
  if (rule === 'select-plan') {
    explanation.chosen = typeof result.chosen === 'string' ? result.chosen : null;
    const rounds = isObject(result.figures) ? result.figures.rounds : undefined;
    if (Array.isArray(rounds)) {
      for (const round of rounds) {
        if (isObject(round))
          explanation.sentences.push(...testsOf([round.majority]).map((t) => explainTest(t, tr)));
      }
    }
  }
  return explanation;
}

/** Party ids by position in a joint session result. */
export function positionsOf(
  result: Json,
): { support: string[]; oppose: string[]; abstain: string[] } | undefined {
  if (!isObject(result) || !isObject(result.figures)) return undefined;
  const f = result.figures;
  const ids = (v: Json) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  if (!Array.isArray(f.support)) return undefined;
  return { support: ids(f.support), oppose: ids(f.oppose), abstain: ids(f.abstain) };
}

/** The rule names recorded in results, as the rule kinds the labels know. */
export function ruleKindOf(recorded: string): string {
  switch (recorded) {
    case 'owners-decision-278':
      return 'owners-278';
    case 'joint-session-resolution':
      return 'joint-session';
    case 'civil-code-279':
      return 'art279-consent';
    default:
      return recorded;
  }
}
