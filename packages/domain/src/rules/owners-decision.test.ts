import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ElectorVoter,
  isSpecialMatter,
  type OwnersMatter,
  ownersDecision278,
} from './owners-decision.ts';
import type { Ballot, Choice } from './types.ts';

/** Voters v1..vn with the given areas (0.01 m²), one head each. */
function electorate(...areas: number[]): ElectorVoter[] {
  return areas.map((areaCentiM2, i) => ({ voterId: `v${i + 1}`, areaCentiM2, heads: 1 }));
}

/** Ballots for v1..vn in order; null means the voter did not vote. */
function ballots(...choices: (Choice | null)[]): Ballot[] {
  return choices.flatMap((choice, i) => (choice ? [{ voterId: `v${i + 1}`, choice }] : []));
}

const ordinary = { matter: 'management-statute' } as const;
const special = { matter: 'rebuild' } as const;

describe('ownersDecision278: participation quorum (三分之二以上, inclusive)', () => {
  it('given exactly 2/3 of area and owners taking part, the quorum is met', () => {
    const result = ownersDecision278(
      electorate(10_000, 10_000, 10_000),
      ballots('yes', 'yes', null),
      ordinary,
    );
    expect(result.outcome).toBe('adopted');
    expect(result.tests.slice(0, 2)).toEqual([
      expect.objectContaining({ name: 'participation-area', value: 20_000, base: 30_000 }),
      expect.objectContaining({ name: 'participation-owners', value: 2, base: 3, passed: true }),
    ]);
  });

  it('given one 0.01 m² less than 2/3 of the area, the quorum fails', () => {
    const result = ownersDecision278(
      electorate(10_000, 9_999, 10_001),
      ballots('yes', 'yes', null),
      ordinary,
    );
    expect(result.outcome).toBe('rejected');
    expect(result.failedTest).toBe('participation-area');
    expect(result.figures.participating).toEqual({ owners: 2, areaCentiM2: 19_999 });
    expect(result.figures.total).toEqual({ owners: 3, areaCentiM2: 30_000 });
  });

  it('given enough area but one owner short of 2/3 of the heads, the quorum fails', () => {
    // 6 owners; 3 large ones vote: area 90% but 3/6 heads < 2/3.
    const result = ownersDecision278(
      electorate(30_000, 30_000, 30_000, 3_000, 3_000, 4_000),
      ballots('yes', 'yes', 'yes', null, null, null),
      ordinary,
    );
    expect(result.failedTest).toBe('participation-owners');
    const four = ownersDecision278(
      electorate(30_000, 30_000, 30_000, 3_000, 3_000, 4_000),
      ballots('yes', 'yes', 'yes', 'yes', null, null),
      ordinary,
    );
    expect(four.outcome).toBe('adopted');
  });
});

describe('ownersDecision278: special matters (四分之三以上 of participants)', () => {
  it.each<OwnersMatter>(['maintenance-fund-raise', 'rebuild', 'common-parts-use'])(
    '%s is special',
    (matter) => {
      expect(isSpecialMatter(matter)).toBe(true);
    },
  );

  it.each<OwnersMatter>([
    'assembly-rules',
    'management-statute',
    'committee-election',
    'property-company',
    'maintenance-fund-use',
    'other-major',
  ])('%s is ordinary', (matter) => {
    expect(isSpecialMatter(matter)).toBe(false);
  });

  it('given exactly 3/4 of participating area and owners voting yes, it is adopted', () => {
    const result = ownersDecision278(
      electorate(10_000, 10_000, 10_000, 10_000),
      ballots('yes', 'yes', 'yes', 'no'),
      special,
    );
    expect(result.outcome).toBe('adopted');
    expect(result.figures.thresholds.approval).toEqual({
      numerator: 3,
      denominator: 4,
      inclusive: true,
    });
  });

  it('given one unit less than 3/4, it is rejected', () => {
    const result = ownersDecision278(
      electorate(10_000, 10_000, 10_000, 10_000),
      ballots('yes', 'yes', 'no', 'no'),
      special,
    );
    expect(result.outcome).toBe('rejected');
    expect(result.failedTest).toBe('approval-area');
  });

  it('given 3/4 of the heads but 0.01 m² under 3/4 of the area, it is rejected', () => {
    const result = ownersDecision278(
      electorate(2_500, 2_500, 2_499, 2_501),
      ballots('yes', 'yes', 'yes', 'no'),
      special,
    );
    expect(result.figures.yes).toEqual({ owners: 3, areaCentiM2: 7_499 });
    expect(result.failedTest).toBe('approval-area');
  });

  it('the same figures adopt an ordinary matter', () => {
    const result = ownersDecision278(
      electorate(10_000, 10_000, 10_000),
      ballots('yes', 'yes', 'no'),
      ordinary,
    );
    expect(result.outcome).toBe('adopted');
    expect(
      ownersDecision278(electorate(10_000, 10_000, 10_000), ballots('yes', 'yes', 'no'), special)
        .outcome,
    ).toBe('rejected');
  });
});

describe('ownersDecision278: ordinary matters (过半数, strictly more than half)', () => {
  it('given exactly half of the participating area and owners, it is rejected', () => {
    const result = ownersDecision278(
      electorate(10_000, 10_000, 10_000, 10_000),
      ballots('yes', 'yes', 'no', 'no'),
      ordinary,
    );
    expect(result.outcome).toBe('rejected');
    expect(result.failedTest).toBe('approval-area');
    expect(result.tests[2]).toEqual({
      name: 'approval-area',
      value: 20_000,
      base: 40_000,
      threshold: { numerator: 1, denominator: 2, inclusive: false },
      passed: false,
    });
  });

  it('given more than half of the area but exactly half of the owners, it is rejected', () => {
    const result = ownersDecision278(
      electorate(10_001, 10_000, 10_000, 9_999),
      ballots('yes', 'yes', 'no', 'no'),
      ordinary,
    );
    expect(result.tests[2]?.passed).toBe(true);
    expect(result.failedTest).toBe('approval-owners');
  });

  it('given the smallest possible majority of area and of heads, it is adopted', () => {
    const result = ownersDecision278(
      electorate(5_000, 1, 5_000),
      ballots('yes', 'yes', 'no'),
      ordinary,
    );
    expect(result.figures.yes).toEqual({ owners: 2, areaCentiM2: 5_001 });
    expect(result.figures.participating).toEqual({ owners: 3, areaCentiM2: 10_001 });
    expect(result.outcome).toBe('adopted');
  });
});

describe('ownersDecision278: abstentions (弃权)', () => {
  it('count for the quorum and against approval', () => {
    const result = ownersDecision278(
      electorate(10_000, 10_000, 10_000, 10_000),
      ballots('yes', 'yes', 'abstain', 'abstain'),
      ordinary,
    );
    expect(result.figures.participating).toEqual({ owners: 4, areaCentiM2: 40_000 });
    expect(result.figures.abstain).toEqual({ owners: 2, areaCentiM2: 20_000 });
    expect(result.tests[0]?.passed).toBe(true);
    expect(result.outcome).toBe('rejected'); // 2 yes of 4 participants is only half
    const withoutAbstainers = ownersDecision278(
      electorate(10_000, 10_000, 10_000),
      ballots('yes', 'yes', null),
      ordinary,
    );
    expect(withoutAbstainers.outcome).toBe('adopted');
  });

  it('an abstention can make the quorum that non-voting would miss', () => {
    const abstained = ownersDecision278(
      electorate(10_000, 10_000, 10_000),
      ballots('yes', 'abstain', null),
      ordinary,
    );
    expect(abstained.tests[0]?.passed).toBe(true);
    const away = ownersDecision278(
      electorate(10_000, 10_000, 10_000),
      ballots('yes', null, null),
      ordinary,
    );
    expect(away.failedTest).toBe('participation-area');
  });
});

describe('ownersDecision278: deemed consent (未表决视为同意多数)', () => {
  const voters = electorate(...Array.from({ length: 10 }, () => 10_000));

  it('is off by default: no deemed tally', () => {
    const result = ownersDecision278(voters, ballots('yes', 'yes', 'yes', 'yes', 'no'), ordinary);
    expect(result.deemed).toBeNull();
    expect(result.outcome).toBe('rejected');
  });

  it('when on, reports the actual and the deemed result side by side', () => {
    const result = ownersDecision278(voters, ballots('yes', 'yes', 'yes', 'yes', 'no', 'no'), {
      ...ordinary,
      deemedConsent: true,
    });
    expect(result.outcome).toBe('rejected');
    expect(result.failedTest).toBe('participation-area');
    expect(result.deemed?.deemedChoice).toBe('yes');
    expect(result.deemed?.deemedVoters).toEqual({ owners: 4, areaCentiM2: 40_000 });
    expect(result.deemed?.figures.yes).toEqual({ owners: 8, areaCentiM2: 80_000 });
    expect(result.deemed?.figures.participating).toEqual({ owners: 10, areaCentiM2: 100_000 });
    expect(result.deemed?.outcome).toBe('adopted');
    // The actual figures are untouched by the deemed tally.
    expect(result.figures.yes).toEqual({ owners: 4, areaCentiM2: 40_000 });
  });

  it('non-voters follow a "no" majority too', () => {
    const result = ownersDecision278(voters, ballots('no', 'no', 'no', 'yes'), {
      ...ordinary,
      deemedConsent: true,
    });
    expect(result.deemed?.deemedChoice).toBe('no');
    expect(result.deemed?.figures.no.owners).toBe(9);
    expect(result.deemed?.outcome).toBe('rejected');
  });

  it('without a majority of both area and heads, nothing is deemed', () => {
    const split = ownersDecision278(voters, ballots('yes', 'yes', 'no', 'no'), {
      ...ordinary,
      deemedConsent: true,
    });
    expect(split.deemed?.deemedChoice).toBeNull();
    expect(split.deemed?.deemedVoters).toEqual({ owners: 0, areaCentiM2: 0 });
    expect(split.deemed?.figures).toEqual(split.figures);
    // Area majority for yes, head majority for no: no single majority either.
    const crossed = ownersDecision278(
      electorate(50_000, 10_000, 10_000, 10_000),
      ballots('yes', 'no', 'no', null),
      { ...ordinary, deemedConsent: true },
    );
    expect(crossed.deemed?.deemedChoice).toBeNull();
  });
});

describe('ownersDecision278: inputs', () => {
  it('refuses a ballot from outside the frozen electorate', () => {
    expect(() =>
      ownersDecision278(electorate(1), [{ voterId: 'stranger', choice: 'yes' }], ordinary),
    ).toThrow(RangeError);
  });

  it('refuses a second ballot of one voter', () => {
    expect(() =>
      ownersDecision278(
        electorate(1),
        ballots('yes', 'no').map((b) => ({ ...b, voterId: 'v1' })),
        ordinary,
      ),
    ).toThrow(/second ballot/);
  });

  it('refuses a fractional area', () => {
    expect(() =>
      ownersDecision278([{ voterId: 'v1', areaCentiM2: 0.5, heads: 1 }], [], ordinary),
    ).toThrow(RangeError);
  });

  it('with nobody in the electorate nothing is adopted', () => {
    expect(ownersDecision278([], [], ordinary).outcome).toBe('rejected');
  });
});

// ---------------------------------------------------------------------------------------
// Properties

const choiceOrNone = fc.constantFrom<Choice | null>('yes', 'no', 'abstain', null);
const matterArb = fc.constantFrom<OwnersMatter>('management-statute', 'rebuild');
/** An electorate with a ballot plan: each voter's area, head weight and choice (or none). */
const scenario = fc.array(
  fc.record({
    area: fc.integer({ min: 0, max: 2_000_000 }),
    heads: fc.integer({ min: 0, max: 2 }),
    choice: choiceOrNone,
  }),
  { minLength: 1, maxLength: 40 },
);

function build(rows: { area: number; heads: number; choice: Choice | null }[]) {
  const voters = rows.map((r, i) => ({ voterId: `v${i}`, areaCentiM2: r.area, heads: r.heads }));
  const cast = rows.flatMap((r, i) => (r.choice ? [{ voterId: `v${i}`, choice: r.choice }] : []));
  return { voters, cast };
}

describe('ownersDecision278: properties', () => {
  it('does not depend on the order of the ballots', () => {
    fc.assert(
      fc.property(
        scenario.chain((rows) => {
          const { voters, cast } = build(rows);
          return fc.tuple(
            fc.constant(voters),
            fc.constant(cast),
            fc.shuffledSubarray(cast, { minLength: cast.length, maxLength: cast.length }),
          );
        }),
        matterArb,
        fc.boolean(),
        ([voters, cast, shuffled], matter, deemedConsent) => {
          const a = ownersDecision278(voters, cast, { matter, deemedConsent });
          const b = ownersDecision278(voters, shuffled, { matter, deemedConsent });
          expect(b).toEqual(a);
        },
      ),
    );
  });

  it('turning a non-voter, a no or an abstention into yes never rejects an adopted decision', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), matterArb, (rows, pick, matter) => {
        const i = pick % rows.length;
        const { voters, cast } = build(rows);
        const before = ownersDecision278(voters, cast, { matter, deemedConsent: true });
        const after = build(rows.map((r, j) => (j === i ? { ...r, choice: 'yes' } : r)));
        const result = ownersDecision278(after.voters, after.cast, { matter, deemedConsent: true });
        if (before.outcome === 'adopted') expect(result.outcome).toBe('adopted');
        if (before.deemed?.outcome === 'adopted') expect(result.deemed?.outcome).toBe('adopted');
      }),
    );
  });

  it('figures add up: yes + no + abstain = participating, participating + non-voting = total', () => {
    fc.assert(
      fc.property(scenario, matterArb, fc.boolean(), (rows, matter, deemedConsent) => {
        const { voters, cast } = build(rows);
        const result = ownersDecision278(voters, cast, { matter, deemedConsent });
        for (const f of [result.figures, result.deemed?.figures].filter((x) => x !== undefined)) {
          for (const k of ['owners', 'areaCentiM2'] as const) {
            expect(f.yes[k] + f.no[k] + f.abstain[k]).toBe(f.participating[k]);
            expect(f.participating[k] + f.nonVoting[k]).toBe(f.total[k]);
          }
        }
        expect(result.figures.total.owners).toBe(rows.reduce((s, r) => s + r.heads, 0));
        expect(result.figures.total.areaCentiM2).toBe(rows.reduce((s, r) => s + r.area, 0));
        expect(result.outcome === 'adopted').toBe(result.failedTest === undefined);
        expect(result.outcome === 'adopted').toBe(result.tests.every((t) => t.passed));
        // Frozen into events as JSON: nothing is lost on the way (no bigint, no undefined).
        expect(JSON.parse(JSON.stringify(result))).toStrictEqual(result);
      }),
    );
  });

  it('is the exact rational comparison of every test', () => {
    fc.assert(
      fc.property(scenario, matterArb, (rows, matter) => {
        const { voters, cast } = build(rows);
        for (const t of ownersDecision278(voters, cast, { matter }).tests) {
          const { numerator: n, denominator: d, inclusive } = t.threshold;
          // Small enough for exact Number arithmetic: an independent reference.
          const expected =
            t.base > 0 && (inclusive ? t.value * d >= n * t.base : t.value * d > n * t.base);
          expect(t.passed).toBe(expected);
        }
      }),
    );
  });
});
