import {
  jointSessionResolution,
  MORE_THAN_HALF,
  ownersDecision278,
  residentsMeeting,
  THREE_QUARTERS,
  TWO_THIRDS,
  tallyVote,
} from '@yishi/domain';
import { describe, expect, it } from 'vitest';
import {
  explainResult,
  explainTest,
  formatArea,
  formatYuan,
  fractionWords,
  percent,
  positionsOf,
  verdictWords,
} from './figures.ts';
import { wordsOf } from './lang.ts';
import { figureMessages } from './messages.ts';

const zh = wordsOf(figureMessages, 'zh');
const en = wordsOf(figureMessages, 'en');
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('percentages and areas from the recorded integers', () => {
  it('rounds half up to one decimal, exactly', () => {
    expect(percent(682, 1000)).toBe('68.2%');
    expect(percent(2, 3)).toBe('66.7%');
    expect(percent(1, 3)).toBe('33.3%');
    expect(percent(1, 8)).toBe('12.5%');
    expect(percent(1, 16)).toBe('6.3%'); // 6.25 rounds up
    expect(percent(5, 5)).toBe('100.0%');
    expect(percent(0, 7)).toBe('0.0%');
    expect(percent(3, 0)).toBe('—');
  });

  it('stays exact where a float would not (9,007,199,254,740,991 of 9,007,199,254,740,993)', () => {
    expect(percent(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toBe('100.0%');
    expect(percent(1, Number.MAX_SAFE_INTEGER)).toBe('0.0%');
  });

  it('formats 0.01 m² as square metres with grouped thousands', () => {
    expect(formatArea(44_375)).toBe('443.75');
    expect(formatArea(123_456_789)).toBe('1,234,567.89');
    expect(formatYuan(30_000_000)).toBe('¥300,000.00');
    expect(formatYuan(5)).toBe('¥0.05');
    expect(formatYuan(-12_040_134)).toBe('¥-120,401.34');
    expect(formatArea(5)).toBe('0.05');
  });
});

describe('thresholds in words', () => {
  it('names the fractions of the law', () => {
    expect(fractionWords(TWO_THIRDS, zh)).toBe('三分之二');
    expect(fractionWords(THREE_QUARTERS, zh)).toBe('四分之三');
    expect(fractionWords(MORE_THAN_HALF, zh)).toBe('半数');
    expect(fractionWords(TWO_THIRDS, en)).toBe('two thirds');
    expect(fractionWords({ numerator: 3, denominator: 5, inclusive: true }, en)).toBe('3/5');
  });

  it('says 以上 (reaches) for inclusive and 超过 (more than) for strict thresholds, as recorded', () => {
    expect(verdictWords({ threshold: TWO_THIRDS, passed: true }, zh)).toBe('达到三分之二');
    expect(verdictWords({ threshold: TWO_THIRDS, passed: false }, zh)).toBe('未达到三分之二');
    expect(verdictWords({ threshold: MORE_THAN_HALF, passed: true }, zh)).toBe('超过半数');
    expect(verdictWords({ threshold: MORE_THAN_HALF, passed: false }, en)).toBe(
      'is not more than half',
    );
  });

  it('writes a test as a sentence with its figures', () => {
    const sentence = explainTest(
      { name: 'participation-area', value: 682, base: 1000, threshold: TWO_THIRDS, passed: true },
      zh,
    );
    expect(sentence.text).toBe('参与表决面积 68.2%（6.82 / 10.00 平方米），达到三分之二');
  });
});

describe('a recorded result in words', () => {
  it('explains an owners’ decision: every test, the first failure and the figures', () => {
    // Exactly half the participating owners said yes: 过半数 fails (民法典 Art. 1259).
    const electorate = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({
      voterId: id,
      areaCentiM2: 10_000,
      heads: 1,
    }));
    const ballots = [
      { voterId: 'a', choice: 'yes' as const },
      { voterId: 'b', choice: 'yes' as const },
      { voterId: 'c', choice: 'no' as const },
      { voterId: 'd', choice: 'abstain' as const },
    ];
    const result = json(ownersDecision278(electorate, ballots, { matter: 'maintenance-fund-use' }));
    const words = explainResult(result, zh)!;
    expect(words.outcome).toBe('rejected');
    expect(words.sentences.map((s) => s.text)).toEqual([
      '参与表决面积 66.7%（400.00 / 600.00 平方米），达到三分之二',
      '参与表决人数 66.7%（4 / 6 人），达到三分之二',
      '同意面积（占参与表决面积） 50.0%（200.00 / 400.00 平方米），未超过半数',
      '同意人数（占参与表决人数） 50.0%（2 / 4 人），未超过半数',
    ]);
    expect(words.failed).toBe('同意面积（占参与表决面积）');
    expect(words.table?.map((r) => [r.count, r.areaCentiM2])).toEqual([
      [2, 20_000],
      [1, 10_000],
      [1, 10_000],
      [2, 20_000],
    ]);
  });

  it('explains a residents’ meeting and a joint session, in English too', () => {
    const meeting = json(
      residentsMeeting(
        {
          electorate: ['r1', 'r2', 'r3'],
          present: ['r1', 'r2'],
          ballots: [{ voterId: 'r1', choice: 'yes' }],
        },
        { form: 'all-adults' },
      ),
    );
    expect(explainResult(meeting, en)!.sentences.map((s) => s.text)).toEqual([
      'Present 66.7% (2 of 3): is more than half',
      'In favour (of those present) 50.0% (1 of 2): is not more than half',
    ]);
    const joint = json(
      jointSessionResolution(
        [
          { partyId: 'dzb', position: 'support' },
          { partyId: 'wy', position: 'oppose' },
        ],
        { requiredParties: ['dzb'], rule: { kind: 'qualified-majority', threshold: TWO_THIRDS } },
      ),
    );
    expect(explainResult(joint, zh)!.sentences.map((s) => s.text)).toEqual([
      '应出席的协商主体出席 100.0%（1 / 1 方），达到全部',
      '支持的协商主体（占出席方） 50.0%（1 / 2 方），未达到三分之二',
    ]);
    expect(positionsOf(joint)).toEqual({ support: ['dzb'], oppose: ['wy'], abstain: [] });
  });

  it('names the chosen plan of a plans item', () => {
    const [decision] = tallyVote({
      rule: { kind: 'residents-meeting', form: 'all-adults' },
      items: [
        {
          itemId: 'i1',
          title: '绿化方案',
          kind: 'plans',
          options: [
            { optionId: 'A', title: '草坪' },
            { optionId: 'B', title: '花园' },
          ],
        },
      ],
      electorate: ['r1', 'r2', 'r3'].map((id) => ({
        voterId: id,
        personIds: [id],
        unitIds: [],
        areaCentiM2: 0,
        heads: 1,
      })),
      ballots: [
        ['r1', { i1: { ranking: ['B'] } }],
        ['r2', { i1: { ranking: ['B'] } }],
        ['r3', { i1: { ranking: ['A'] } }],
      ],
      present: [],
    });
    const words = explainResult(json(decision!.result), zh)!;
    expect(words.chosen).toBe('B');
    expect(words.sentences[0]!.text).toBe('领先方案得票（占有效票） 66.7%（2 / 3 人），超过半数');
  });

  it('reads nothing into what is not a result', () => {
    expect(explainResult(null, zh)).toBeUndefined();
    expect(explainResult({ tests: [{ name: 'x' }] }, zh)!.sentences).toEqual([]);
  });
});
