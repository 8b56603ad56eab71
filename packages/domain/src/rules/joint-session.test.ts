import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  defaultRequiredParties,
  jointSessionResolution,
  type PartyPosition,
  type PartyStatement,
} from './joint-session.ts';

const say = (positions: Record<string, PartyPosition>): PartyStatement[] =>
  Object.entries(positions).map(([partyId, position]) => ({ partyId, position }));

const required = ['party-branch', 'residents-committee', 'owners-committee'];

describe('jointSessionResolution (联席会议), consensus by default', () => {
  it('adopts when every required party attends and none opposes', () => {
    const result = jointSessionResolution(
      say({
        'party-branch': 'support',
        'residents-committee': 'support',
        'owners-committee': 'support',
        'property-company': 'support',
      }),
      { requiredParties: required },
    );
    expect(result.outcome).toBe('adopted');
    expect(result.figures.rule).toEqual({ kind: 'consensus', among: 'required' });
    expect(result.figures.dissenting).toEqual([]);
  });

  it('fails its quorum when a required party is absent', () => {
    const result = jointSessionResolution(
      say({ 'party-branch': 'support', 'residents-committee': 'support' }),
      { requiredParties: required },
    );
    expect(result.outcome).toBe('rejected');
    expect(result.failedTest).toBe('attendance-required');
    expect(result.figures.absentRequired).toEqual(['owners-committee']);
  });

  it('one opposing required party blocks consensus and is recorded as dissent', () => {
    const result = jointSessionResolution(
      say({
        'party-branch': 'support',
        'residents-committee': 'support',
        'owners-committee': 'oppose',
      }),
      { requiredParties: required },
    );
    expect(result.failedTest).toBe('consensus');
    expect(result.figures.dissenting).toEqual(['owners-committee']);
  });

  it('an abstention does not block consensus, nor count as support', () => {
    const abstaining = jointSessionResolution(
      say({
        'party-branch': 'support',
        'residents-committee': 'abstain',
        'owners-committee': 'support',
      }),
      { requiredParties: required },
    );
    expect(abstaining.outcome).toBe('adopted');
    expect(abstaining.figures.abstain).toEqual(['residents-committee']);
    const allAbstain = jointSessionResolution(
      say({
        'party-branch': 'abstain',
        'residents-committee': 'abstain',
        'owners-committee': 'abstain',
      }),
      { requiredParties: required },
    );
    expect(allAbstain.outcome).toBe('rejected');
    expect(allAbstain.failedTest).toBe('consensus');
  });

  it('a non-required party’s opposition is dissent in the minutes but decides only among attending', () => {
    const positions = say({
      'party-branch': 'support',
      'residents-committee': 'support',
      'owners-committee': 'support',
      'property-company': 'oppose',
    });
    const amongRequired = jointSessionResolution(positions, { requiredParties: required });
    expect(amongRequired.outcome).toBe('adopted');
    expect(amongRequired.figures.dissenting).toEqual(['property-company']);
    const amongAttending = jointSessionResolution(positions, {
      requiredParties: required,
      rule: { kind: 'consensus', among: 'attending' },
    });
    expect(amongAttending.outcome).toBe('rejected');
  });
});

describe('jointSessionResolution, qualified majority', () => {
  const rule = {
    kind: 'qualified-majority',
    threshold: { numerator: 2, denominator: 3, inclusive: true },
  } as const;

  it('adopts with exactly 2/3 of attending parties supporting; abstention counts against', () => {
    const positions = say({
      'party-branch': 'support',
      'residents-committee': 'support',
      'owners-committee': 'oppose',
    });
    const result = jointSessionResolution(positions, { requiredParties: required, rule });
    expect(result.outcome).toBe('adopted');
    expect(result.figures.dissenting).toEqual(['owners-committee']);
    const withAbstention = jointSessionResolution(
      say({
        'party-branch': 'support',
        'residents-committee': 'support',
        'owners-committee': 'oppose',
        'property-company': 'abstain',
      }),
      { requiredParties: required, rule },
    );
    expect(withAbstention.tests[1]).toMatchObject({ value: 2, base: 4, passed: false });
  });

  it('defaults to 2/3 inclusive', () => {
    const result = jointSessionResolution(say({ a: 'support', b: 'support', c: 'oppose' }), {
      requiredParties: [],
      rule: { kind: 'qualified-majority' },
    });
    expect(result.outcome).toBe('adopted');
  });
});

describe('defaultRequiredParties', () => {
  it('is the party organisation, the residents’ committee and the parties concerned', () => {
    expect(
      defaultRequiredParties(
        [
          { partyId: 'pb', kind: 'party-organisation' },
          { partyId: 'rc', kind: 'residents-committee' },
          { partyId: 'oc', kind: 'owners-committee' },
          { partyId: 'pc', kind: 'property-company' },
        ],
        ['pc'],
      ),
    ).toEqual(['pb', 'pc', 'rc']);
  });
});

describe('jointSessionResolution: properties', () => {
  it('does not depend on the order of statements; support never hurts', () => {
    const parties = ['a', 'b', 'c', 'd', 'e'];
    const arb = fc.tuple(
      fc.array(fc.constantFrom<PartyPosition | null>('support', 'oppose', 'abstain', null), {
        minLength: 5,
        maxLength: 5,
      }),
      fc.subarray(parties),
      fc.boolean(),
      fc.nat(4),
    );
    fc.assert(
      fc.property(arb, ([positions, req, qualified, flip]) => {
        const statements = parties.flatMap((partyId, i) => {
          const position = positions[i];
          return position ? [{ partyId, position }] : [];
        });
        const params = {
          requiredParties: req,
          rule: qualified
            ? ({ kind: 'qualified-majority' } as const)
            : ({ kind: 'consensus' } as const),
        };
        const result = jointSessionResolution(statements, params);
        expect(jointSessionResolution([...statements].reverse(), params)).toEqual(result);
        const f = result.figures;
        expect(f.support.length + f.oppose.length + f.abstain.length).toBe(f.attending.length);
        const flipped = statements.map((s, i) =>
          i === flip ? { ...s, position: 'support' as const } : s,
        );
        if (result.outcome === 'adopted') {
          expect(jointSessionResolution(flipped, params).outcome).toBe('adopted');
        }
      }),
    );
  });
});
