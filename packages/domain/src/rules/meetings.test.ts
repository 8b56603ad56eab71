import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type MeetingInput,
  partyMembersMeeting,
  residentsMeeting,
  residentsMeetingConvocation,
  type Villager,
  villagerGroupMeeting,
  villagersMeeting,
  villagersMeetingConvocation,
  villagersRepresentativesMeeting,
  villagersRepresentativesMeetingConvocation,
} from './meetings.ts';
import type { Ballot, Choice } from './types.ts';

const ids = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/** A meeting of n members; the first `present` attend and cast the given choices in order. */
function meeting(n: number, present: number, choices: Choice[]): MeetingInput {
  const members = ids(n);
  return {
    electorate: members,
    present: members.slice(0, present),
    ballots: choices.map((choice, i) => ({ voterId: members[i]!, choice })),
  };
}

const times = (k: number, c: Choice): Choice[] => Array.from({ length: k }, () => c);

describe('residentsMeeting (城市居民委员会组织法 Art. 9)', () => {
  const form = { form: 'all-adults' } as const;

  it('given exactly half of the electorate present, the quorum fails (过半数)', () => {
    const result = residentsMeeting(meeting(10, 5, times(5, 'yes')), form);
    expect(result.failedTest).toBe('quorum');
    expect(result.tests[0]).toMatchObject({ value: 5, base: 10, passed: false });
  });

  it('given one more than half present and more than half of them for, it is adopted', () => {
    const result = residentsMeeting(meeting(10, 6, [...times(4, 'yes'), 'no', 'no']), form);
    expect(result.outcome).toBe('adopted');
    expect(result.figures).toMatchObject({ electorate: 10, present: 6, absent: 4, yes: 4 });
  });

  it('given exactly half of those present for, it is rejected', () => {
    const result = residentsMeeting(meeting(10, 6, [...times(3, 'yes'), ...times(3, 'no')]), form);
    expect(result.failedTest).toBe('approval');
  });

  it('abstentions and present non-voters count for the quorum and against approval', () => {
    const result = residentsMeeting(meeting(10, 6, [...times(3, 'yes'), 'abstain']), form);
    expect(result.tests[0]?.passed).toBe(true);
    expect(result.figures).toMatchObject({ yes: 3, abstain: 1, notVoting: 2, present: 6 });
    expect(result.failedTest).toBe('approval');
  });

  it('in the household form, households are the electorate', () => {
    const result = residentsMeeting(
      {
        electorate: ['h1', 'h2', 'h3'],
        present: ['h1', 'h2'],
        ballots: [
          { voterId: 'h1', choice: 'yes' },
          { voterId: 'h2', choice: 'yes' },
        ],
      },
      { form: 'household-representatives' },
    );
    expect(result.outcome).toBe('adopted');
    expect(result.figures.form).toBe('household-representatives');
  });

  it('refuses ballots from absent members and attendees from outside', () => {
    expect(() =>
      residentsMeeting(
        { electorate: ['a', 'b'], present: ['a'], ballots: [{ voterId: 'b', choice: 'yes' }] },
        form,
      ),
    ).toThrow(/absent/);
    expect(() =>
      residentsMeeting({ electorate: ['a'], present: ['x'], ballots: [] }, form),
    ).toThrow(/not a member/);
  });
});

describe('residentsMeetingConvocation (Art. 10)', () => {
  const none = { total: 10, requesting: 0 };

  it('must convene on 1/5 of adults (inclusive), not one fewer', () => {
    const yes = residentsMeetingConvocation({
      adults: { total: 1_000, requesting: 200 },
      households: none,
      groups: none,
    });
    expect(yes.outcome).toBe('must-convene');
    const no = residentsMeetingConvocation({
      adults: { total: 1_000, requesting: 199 },
      households: none,
      groups: none,
    });
    expect(no.outcome).toBe('not-required');
    expect(no.failedTest).toBe('request');
  });

  it('must convene on 1/5 of households or 1/3 of resident groups', () => {
    const adults = { total: 1_000, requesting: 0 };
    expect(
      residentsMeetingConvocation({
        adults,
        households: { total: 400, requesting: 80 },
        groups: none,
      }).outcome,
    ).toBe('must-convene');
    expect(
      residentsMeetingConvocation({ adults, households: none, groups: { total: 9, requesting: 3 } })
        .outcome,
    ).toBe('must-convene');
    expect(
      residentsMeetingConvocation({
        adults,
        households: none,
        groups: { total: 10, requesting: 3 },
      }).outcome,
    ).toBe('not-required');
  });

  it('boundaries of 以上 on every test, where the total is not a multiple too', () => {
    const zero = { total: 10, requesting: 0 };
    const outcome = (key: 'adults' | 'households' | 'groups', total: number, requesting: number) =>
      residentsMeetingConvocation({
        adults: zero,
        households: zero,
        groups: zero,
        [key]: { total, requesting },
      }).outcome;
    // households: exactly 1/5 passes, one fewer fails.
    expect(outcome('households', 400, 80)).toBe('must-convene');
    expect(outcome('households', 400, 79)).toBe('not-required');
    // groups: exactly 1/3 passes, one fewer fails.
    expect(outcome('groups', 9, 3)).toBe('must-convene');
    expect(outcome('groups', 9, 2)).toBe('not-required');
    // 1001 adults: 1/5 is 200.2, so 201 is needed and 200 is short (200 * 5 = 1000 < 1001).
    expect(outcome('adults', 1_001, 201)).toBe('must-convene');
    expect(outcome('adults', 1_001, 200)).toBe('not-required');
    // 7 groups: 1/3 is 2.33..., so 3 are needed (2 * 3 = 6 < 7).
    expect(outcome('groups', 7, 3)).toBe('must-convene');
    expect(outcome('groups', 7, 2)).toBe('not-required');
    // Exact where a float is not: 1/5 of 2^53 - 3 (not a multiple of 5) needs the ceiling.
    const big = Number.MAX_SAFE_INTEGER - 2; // 9007199254740989 = 5 * 1801439850948197 + 4
    expect(outcome('adults', big, 1_801_439_850_948_198)).toBe('must-convene');
    expect(outcome('adults', big, 1_801_439_850_948_197)).toBe('not-required');
  });

  it('reports every test with its figures, and a body of nobody never requests', () => {
    const result = residentsMeetingConvocation({
      adults: { total: 0, requesting: 0 },
      households: { total: 5, requesting: 1 },
      groups: { total: 0, requesting: 0 },
    });
    expect(result.outcome).toBe('must-convene');
    expect(result.tests.map((t) => [t.name, t.value, t.base, t.passed])).toEqual([
      ['request-adults', 0, 0, false],
      ['request-households', 1, 5, true],
      ['request-groups', 0, 0, false],
    ]);
    expect(result.figures.thresholds.groups).toEqual({
      numerator: 1,
      denominator: 3,
      inclusive: true,
    });
  });
});

/** n villagers in households of `perHousehold`. */
function village(n: number, perHousehold: number): Villager[] {
  return ids(n, 'p').map((villagerId, i) => ({
    villagerId,
    householdId: `h${Math.floor(i / perHousehold) + 1}`,
  }));
}

const allYes = (present: string[]): Ballot[] =>
  present.map((voterId) => ({ voterId, choice: 'yes' }));

describe('villagersMeeting (村民委员会组织法 Art. 22)', () => {
  it('quorum by more than half of the villagers: exactly half fails', () => {
    const villagers = village(10, 1);
    const half = ids(5, 'p');
    const result = villagersMeeting({ villagers, present: half, ballots: allYes(half) });
    expect(result.failedTest).toBe('quorum'); // 5/10 villagers and 5/10 households
    const six = ids(6, 'p');
    expect(villagersMeeting({ villagers, present: six, ballots: allYes(six) }).outcome).toBe(
      'adopted',
    );
  });

  it('or quorum by 2/3 of the households represented (inclusive)', () => {
    // 9 households of 4 adults: one representative each from 6 households = 2/3.
    const villagers = village(36, 4);
    const reps = [0, 4, 8, 12, 16, 20].map((i) => `p${i + 1}`);
    const result = villagersMeeting({ villagers, present: reps, ballots: allYes(reps) });
    expect(result.tests.map((t) => [t.name, t.passed])).toEqual([
      ['quorum-villagers', false],
      ['quorum-households', true],
      ['approval', true],
    ]);
    expect(result.figures).toMatchObject({ households: 9, householdsRepresented: 6 });
    expect(result.outcome).toBe('adopted');
    const five = reps.slice(0, 5);
    expect(villagersMeeting({ villagers, present: five, ballots: allYes(five) }).failedTest).toBe(
      'quorum',
    );
  });

  it('decision by more than half of those present: exactly half fails', () => {
    const villagers = village(10, 1);
    const present = ids(8, 'p');
    const ballots: Ballot[] = present.map((voterId, i) => ({
      voterId,
      choice: i < 4 ? 'yes' : 'no',
    }));
    expect(villagersMeeting({ villagers, present, ballots }).failedTest).toBe('approval');
  });
});

describe('villagerGroupMeeting (Art. 28)', () => {
  it('needs 2/3 of the villagers present (inclusive), or 2/3 of households', () => {
    const villagers = village(9, 1);
    const six = ids(6, 'p');
    expect(villagerGroupMeeting({ villagers, present: six, ballots: allYes(six) }).outcome).toBe(
      'adopted',
    );
    const five = ids(5, 'p');
    expect(
      villagerGroupMeeting({ villagers, present: five, ballots: allYes(five) }).failedTest,
    ).toBe('quorum');
  });
});

describe('villagersRepresentativesMeeting (Art. 26)', () => {
  it('needs 2/3 of its members present: exactly 2/3 passes, one fewer fails', () => {
    expect(villagersRepresentativesMeeting(meeting(30, 20, times(11, 'yes'))).outcome).toBe(
      'adopted',
    );
    expect(villagersRepresentativesMeeting(meeting(30, 19, times(19, 'yes'))).failedTest).toBe(
      'quorum',
    );
  });

  it('decides by more than half of those present', () => {
    expect(villagersRepresentativesMeeting(meeting(30, 20, times(10, 'yes'))).failedTest).toBe(
      'approval',
    );
  });
});

describe('convocation of villagers’ meetings (Art. 21, Art. 26)', () => {
  it('1/10 of villagers or 1/3 of representatives; 1/5 of representatives', () => {
    expect(
      villagersMeetingConvocation({
        villagers: { total: 500, requesting: 50 },
        representatives: { total: 30, requesting: 0 },
      }).outcome,
    ).toBe('must-convene');
    expect(
      villagersMeetingConvocation({
        villagers: { total: 500, requesting: 49 },
        representatives: { total: 30, requesting: 9 },
      }).outcome,
    ).toBe('not-required');
    expect(
      villagersRepresentativesMeetingConvocation({ representatives: { total: 30, requesting: 6 } })
        .outcome,
    ).toBe('must-convene');
  });
});

describe('partyMembersMeeting (党员大会, local practice)', () => {
  it('defaults: 2/3 present (inclusive), more than half of those present approve', () => {
    const result = partyMembersMeeting(meeting(30, 20, times(11, 'yes')));
    expect(result.outcome).toBe('adopted');
    expect(result.figures.thresholds).toEqual({
      quorum: { numerator: 2, denominator: 3, inclusive: true },
      approval: { numerator: 1, denominator: 2, inclusive: false },
    });
    expect(partyMembersMeeting(meeting(30, 19, times(19, 'yes'))).failedTest).toBe('quorum');
    expect(partyMembersMeeting(meeting(30, 20, times(10, 'yes'))).failedTest).toBe('approval');
  });

  it('takes other thresholds as parameters', () => {
    const result = partyMembersMeeting(meeting(30, 16, times(9, 'yes')), {
      quorum: { numerator: 1, denominator: 2, inclusive: false },
    });
    expect(result.outcome).toBe('adopted');
  });
});

describe('head-count meetings: properties', () => {
  const scenario = fc
    .array(
      fc.constantFrom<Choice | 'present' | 'absent'>('yes', 'no', 'abstain', 'present', 'absent'),
      {
        minLength: 1,
        maxLength: 40,
      },
    )
    .map((rows) => {
      const electorate = rows.map((_, i) => `m${i}`);
      const present = electorate.filter((_, i) => rows[i] !== 'absent');
      const ballots = rows.flatMap((r, i): Ballot[] =>
        r === 'yes' || r === 'no' || r === 'abstain' ? [{ voterId: `m${i}`, choice: r }] : [],
      );
      return { rows, input: { electorate, present, ballots } };
    });
  const rules = [
    (input: MeetingInput) => residentsMeeting(input, { form: 'all-adults' }),
    villagersRepresentativesMeeting,
    (input: MeetingInput) => partyMembersMeeting(input),
  ];

  it('do not depend on the order of ballots or attendance', () => {
    fc.assert(
      fc.property(
        scenario.chain(({ input }) =>
          fc.tuple(
            fc.constant(input),
            fc.shuffledSubarray(input.ballots, {
              minLength: input.ballots.length,
              maxLength: input.ballots.length,
            }),
            fc.shuffledSubarray(input.present, {
              minLength: input.present.length,
              maxLength: input.present.length,
            }),
          ),
        ),
        ([input, ballots, present]) => {
          for (const rule of rules)
            expect(rule({ ...input, ballots, present })).toEqual(rule(input));
        },
      ),
    );
  });

  it('adding a yes never rejects an adopted decision; figures add up', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ rows }, pick) => {
        const i = pick % rows.length;
        const build = (rs: typeof rows) => {
          const electorate = rs.map((_, j) => `m${j}`);
          return {
            electorate,
            present: electorate.filter((_, j) => rs[j] !== 'absent'),
            ballots: rs.flatMap((r, j): Ballot[] =>
              r === 'yes' || r === 'no' || r === 'abstain' ? [{ voterId: `m${j}`, choice: r }] : [],
            ),
          };
        };
        const before = build(rows);
        const after = build(rows.map((r, j) => (j === i ? 'yes' : r)));
        for (const rule of rules) {
          const a = rule(before);
          const f = a.figures;
          expect(f.yes + f.no + f.abstain + f.notVoting).toBe(f.present);
          expect(f.present + f.absent).toBe(f.electorate);
          if (a.outcome === 'adopted') expect(rule(after).outcome).toBe('adopted');
        }
      }),
    );
  });
});
