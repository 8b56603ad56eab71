import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PlanBallot, type PlanMethod, selectPlan } from './select-plan.ts';

/** Ballots from a tally: [ranking, how many]. */
function ballots(...groups: [string[], number][]): PlanBallot[] {
  let n = 0;
  return groups.flatMap(([ranking, count]) =>
    Array.from({ length: count }, () => ({ voterId: `v${++n}`, ranking })),
  );
}

const ABC = ['A', 'B', 'C'];
/** The frozen electorate: more voters than cast ballots in any case here. */
const ELECTORATE = Array.from({ length: 200 }, (_, i) => `v${i}`);

describe('selectPlan: plurality (相对多数)', () => {
  it('chooses the option with most valid votes; blank ballots are not valid', () => {
    const result = selectPlan(
      {
        options: ABC,
        electorate: ELECTORATE,
        ballots: ballots([['A'], 4], [['B'], 3], [['C'], 2], [[], 5]),
      },
      { method: 'plurality' },
    );
    expect(result.outcome).toBe('chosen');
    expect(result.chosen).toBe('A');
    expect(result.figures).toMatchObject({ electorate: 200, ballots: 14, blank: 5 });
    expect(result.figures.rounds[0]?.counts).toEqual([
      { optionId: 'A', votes: 4 },
      { optionId: 'B', votes: 3 },
      { optionId: 'C', votes: 2 },
    ]);
  });

  it('reports a tie for first place', () => {
    const result = selectPlan(
      {
        options: ABC,
        electorate: ELECTORATE,
        ballots: ballots([['A'], 3], [['B'], 3], [['C'], 2]),
      },
      { method: 'plurality' },
    );
    expect(result).toMatchObject({
      outcome: 'tie',
      chosen: null,
      tied: ['A', 'B'],
      tieFor: 'first',
    });
  });

  it('reports no valid votes', () => {
    expect(
      selectPlan(
        { options: ABC, electorate: ELECTORATE, ballots: ballots([[], 2]) },
        { method: 'plurality' },
      ).outcome,
    ).toBe('no-valid-votes');
  });

  it('refuses ranked ballots, unknown options and second ballots', () => {
    expect(() =>
      selectPlan(
        { options: ABC, electorate: ELECTORATE, ballots: ballots([['A', 'B'], 1]) },
        { method: 'plurality' },
      ),
    ).toThrow(RangeError);
    expect(() =>
      selectPlan(
        { options: ABC, electorate: ELECTORATE, ballots: ballots([['D'], 1]) },
        { method: 'plurality' },
      ),
    ).toThrow(/unknown option/);
    expect(() =>
      selectPlan(
        {
          options: ABC,
          electorate: ELECTORATE,
          ballots: [...ballots([['A'], 1]), ...ballots([['B'], 1])],
        },
        { method: 'plurality' },
      ),
    ).toThrow(/duplicate voter/);
    expect(() =>
      selectPlan(
        { options: ABC, electorate: ['v1'], ballots: ballots([['A'], 2]) },
        { method: 'plurality' },
      ),
    ).toThrow(/outside the electorate/);
  });
});

describe('selectPlan: majority with run-off (过半数, else run-off)', () => {
  it('chooses an option with more than half of the valid votes', () => {
    const result = selectPlan(
      {
        options: ABC,
        electorate: ELECTORATE,
        ballots: ballots([['A'], 6], [['B'], 3], [['C'], 2], [[], 10]),
      },
      { method: 'majority-runoff' },
    );
    expect(result.chosen).toBe('A');
    expect(result.tests[0]).toMatchObject({ name: 'majority', value: 6, base: 11, passed: true });
  });

  it('exactly half is not a majority: a run-off between the top two is needed', () => {
    const result = selectPlan(
      {
        options: ABC,
        electorate: ELECTORATE,
        ballots: ballots([['A'], 5], [['B'], 3], [['C'], 2]),
      },
      { method: 'majority-runoff' },
    );
    expect(result).toMatchObject({ outcome: 'runoff-needed', runoff: ['A', 'B'], chosen: null });
    expect(result.failedTest).toBe('majority');

    const runoff = selectPlan(
      { options: ['A', 'B'], electorate: ELECTORATE, ballots: ballots([['B'], 6], [['A'], 5]) },
      { method: 'majority-runoff' },
    );
    expect(runoff.chosen).toBe('B');
  });

  it('reports a tie in the run-off, and a tie for the second place', () => {
    const runoff = selectPlan(
      { options: ['A', 'B'], electorate: ELECTORATE, ballots: ballots([['A'], 5], [['B'], 5]) },
      { method: 'majority-runoff' },
    );
    expect(runoff).toMatchObject({ outcome: 'tie', tied: ['A', 'B'], tieFor: 'first' });
    const second = selectPlan(
      {
        options: [...ABC, 'D'],
        electorate: ELECTORATE,
        ballots: ballots([['A'], 4], [['B'], 3], [['C'], 3], [['D'], 1]),
      },
      { method: 'majority-runoff' },
    );
    expect(second).toMatchObject({ outcome: 'tie', tied: ['B', 'C'], tieFor: 'second' });
  });

  it('two options tied first among several go to the run-off', () => {
    const result = selectPlan(
      {
        options: ABC,
        electorate: ELECTORATE,
        ballots: ballots([['C'], 4], [['B'], 4], [['A'], 1]),
      },
      { method: 'majority-runoff' },
    );
    expect(result.runoff).toEqual(['B', 'C']);
  });
});

describe('selectPlan: instant run-off (排序复选)', () => {
  it('eliminates the lowest each round and transfers to the next preference', () => {
    const result = selectPlan(
      {
        options: ABC,
        electorate: ELECTORATE,
        ballots: ballots([['A'], 4], [['B', 'A'], 3], [['C', 'B'], 2]),
      },
      { method: 'instant-runoff' },
    );
    // Round 1: A 4, B 3, C 2 of 9; no majority, C out and its 2 go to B: B 5 of 9 wins.
    expect(result.figures.rounds.map((r) => [r.counts, r.eliminated, r.elimination])).toEqual([
      [
        [
          { optionId: 'A', votes: 4 },
          { optionId: 'B', votes: 3 },
          { optionId: 'C', votes: 2 },
        ],
        ['C'],
        'lowest',
      ],
      [
        [
          { optionId: 'A', votes: 4 },
          { optionId: 'B', votes: 5 },
        ],
        [],
        null,
      ],
    ]);
    expect(result.chosen).toBe('B');
    expect(result.tests[0]).toMatchObject({ value: 5, base: 9, passed: true });
  });

  it('counts exhausted ballots out of the valid votes', () => {
    const result = selectPlan(
      {
        options: ABC,
        electorate: ELECTORATE,
        ballots: ballots([['A'], 4], [['B'], 3], [['C'], 2]),
      },
      { method: 'instant-runoff' },
    );
    // Round 2: A 4 of 7 valid (2 exhausted) is a majority.
    expect(result.figures.rounds[1]).toMatchObject({ valid: 7, exhausted: 2 });
    expect(result.chosen).toBe('A');
  });

  const lookBackCase = ballots(
    [['A'], 6],
    [['B'], 4],
    [['C', 'A'], 3],
    [['D', 'C', 'A'], 1],
    [['D'], 1],
  );

  it('breaks a tie for last place by the previous rounds when configured (default)', () => {
    const options = ['A', 'B', 'C', 'D'];
    const result = selectPlan(
      { options, electorate: ELECTORATE, ballots: lookBackCase },
      { method: 'instant-runoff' },
    );
    // Round 2: A 6, B 4, C 4: B and C tie for last; round 1 had B 4, C 3, so C is out.
    expect(result.figures.rounds.map((r) => [r.eliminated, r.elimination])).toEqual([
      [['D'], 'lowest'],
      [['C'], 'previous-rounds'],
      [[], null],
    ]);
    expect(result.chosen).toBe('A');
  });

  it('without the look-back the same tie is reported, never broken by chance', () => {
    const options = ['A', 'B', 'C', 'D'];
    const result = selectPlan(
      { options, electorate: ELECTORATE, ballots: lookBackCase },
      { method: 'instant-runoff', tieBreak: 'none' },
    );
    expect(result).toMatchObject({
      outcome: 'tie',
      tied: ['B', 'C'],
      tieFor: 'last',
      chosen: null,
    });
    expect(result.figures.rounds).toHaveLength(2);
  });

  it('a tie between the last options standing is a tie for first, whatever the tie-break', () => {
    // Round 1: A 4, B 3, C 2, C out; round 2: A 4, B 4 of 8 valid (one ballot exhausted).
    const tied = selectPlan(
      {
        options: ABC,
        electorate: ELECTORATE,
        ballots: ballots([['A'], 4], [['B'], 3], [['C', 'B'], 1], [['C'], 1]),
      },
      { method: 'instant-runoff' },
    );
    expect(tied).toMatchObject({ outcome: 'tie', tied: ['A', 'B'], tieFor: 'first' });
  });

  it('eliminates tied options together when their total cannot overtake anyone', () => {
    const result = selectPlan(
      {
        options: ['A', 'B', 'C', 'D'],
        electorate: ELECTORATE,
        ballots: ballots([['A'], 4], [['B'], 3], [['C', 'B'], 1], [['D', 'B'], 1]),
      },
      { method: 'instant-runoff', tieBreak: 'none' },
    );
    expect(result.figures.rounds[0]).toMatchObject({ eliminated: ['C', 'D'], elimination: 'bulk' });
    expect(result.chosen).toBe('B');
  });

  it('reports a tie for last place that no rule separates', () => {
    const result = selectPlan(
      {
        options: ['A', 'B', 'C'],
        electorate: ELECTORATE,
        ballots: ballots([['A'], 3], [['B', 'A'], 2], [['C', 'B'], 2]),
      },
      { method: 'instant-runoff' },
    );
    expect(result).toMatchObject({ outcome: 'tie', tied: ['B', 'C'], tieFor: 'last' });
  });
});

describe('selectPlan: properties', () => {
  const options = ['A', 'B', 'C', 'D'];
  const ranking = fc.shuffledSubarray(options).map((r) => r);
  const scenario = fc
    .array(ranking, { maxLength: 40 })
    .map((rankings) => rankings.map((r, i) => ({ voterId: `v${i}`, ranking: r })));
  const single = scenario.map((bs) => bs.map((b) => ({ ...b, ranking: b.ranking.slice(0, 1) })));

  it('does not depend on the order of the ballots', () => {
    const methods: PlanMethod[] = ['plurality', 'majority-runoff', 'instant-runoff'];
    fc.assert(
      fc.property(
        scenario.chain((bs) =>
          fc.tuple(
            fc.constant(bs),
            fc.shuffledSubarray(bs, { minLength: bs.length, maxLength: bs.length }),
          ),
        ),
        fc.constantFrom(...methods),
        ([bs, shuffled], method) => {
          const cut = (xs: PlanBallot[]) =>
            method === 'instant-runoff'
              ? xs
              : xs.map((b) => ({ ...b, ranking: b.ranking.slice(0, 1) }));
          expect(
            selectPlan({ options, electorate: ELECTORATE, ballots: cut(shuffled) }, { method }),
          ).toEqual(selectPlan({ options, electorate: ELECTORATE, ballots: cut(bs) }, { method }));
        },
      ),
    );
  });

  it('each round: counts add up to the valid votes, and the majority winner is chosen', () => {
    fc.assert(
      fc.property(scenario, (bs) => {
        const result = selectPlan(
          { options, electorate: ELECTORATE, ballots: bs },
          { method: 'instant-runoff' },
        );
        for (const r of result.figures.rounds) {
          expect(r.counts.reduce((s, c) => s + c.votes, 0)).toBe(r.valid);
          expect(r.valid + r.exhausted + result.figures.blank).toBe(bs.length);
        }
        const first = result.figures.rounds[0]!;
        const top = first.counts.find((c) => c.votes * 2 > first.valid);
        if (top) expect(result.chosen).toBe(top.optionId);
        if (result.outcome === 'chosen') {
          const last = result.figures.rounds.at(-1)!;
          expect(last.majority.passed).toBe(true);
        }
      }),
    );
  });

  it('plurality chooses an option with the most votes, else reports the tie', () => {
    fc.assert(
      fc.property(single, (bs) => {
        const result = selectPlan(
          { options, electorate: ELECTORATE, ballots: bs },
          { method: 'plurality' },
        );
        const counts = result.figures.rounds[0]!.counts;
        const max = Math.max(...counts.map((c) => c.votes));
        const leaders = counts.filter((c) => c.votes === max).map((c) => c.optionId);
        if (max === 0) expect(result.outcome).toBe('no-valid-votes');
        else if (leaders.length === 1) expect(result.chosen).toBe(leaders[0]);
        else expect(result.tied).toEqual(leaders);
      }),
    );
  });

  it('a voter moving to the chosen plan keeps it chosen (plurality and majority)', () => {
    fc.assert(
      fc.property(
        single,
        fc.nat(),
        fc.constantFrom<PlanMethod>('plurality', 'majority-runoff'),
        (bs, pick, method) => {
          const result = selectPlan({ options, electorate: ELECTORATE, ballots: bs }, { method });
          if (result.outcome !== 'chosen' || bs.length === 0) return;
          const i = pick % bs.length;
          const moved = bs.map((b, j) => (j === i ? { ...b, ranking: [result.chosen!] } : b));
          expect(
            selectPlan({ options, electorate: ELECTORATE, ballots: moved }, { method }).chosen,
          ).toBe(result.chosen);
        },
      ),
    );
  });
});
