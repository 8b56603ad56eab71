import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { areaForVoting, centiM2FromText, centiM2ToText } from './area.ts';
import { ownersDecision278 } from './owners-decision.ts';
import { type OwnedUnit, ownersElectorate, sameBuildingOwners } from './owners-electorate.ts';

const home = (unitId: string, areaCentiM2: number, ...ownerIds: string[]): OwnedUnit => ({
  unitId,
  areaCentiM2,
  ownerIds,
  kind: 'home',
});

describe('ownersElectorate (SPC interpretation 2020, Art. 9)', () => {
  it('one unit is one head', () => {
    const { voters } = ownersElectorate([home('1-101', 8_950, 'wang'), home('1-102', 9_000, 'li')]);
    expect(voters).toEqual([
      { voterId: 'li', areaCentiM2: 9_000, heads: 1, ownerIds: ['li'], unitIds: ['1-102'] },
      { voterId: 'wang', areaCentiM2: 8_950, heads: 1, ownerIds: ['wang'], unitIds: ['1-101'] },
    ]);
  });

  it("the developer's unsold and undelivered units count as one head with their summed area", () => {
    const { voters } = ownersElectorate([
      home('1-101', 10_000, 'wang'),
      { ...home('1-102', 10_000), developerUnsold: true },
      { ...home('1-103', 12_000, 'buyer-not-yet-delivered'), developerUnsold: true },
      { unitId: 'S-1', areaCentiM2: 5_000, ownerIds: [], kind: 'shop', developerUnsold: true },
    ]);
    expect(voters).toEqual([
      {
        voterId: 'developer',
        areaCentiM2: 27_000,
        heads: 1,
        ownerIds: ['developer'],
        unitIds: ['1-102', '1-103', 'S-1'],
      },
      expect.objectContaining({ voterId: 'wang', heads: 1 }),
    ]);
  });

  it('the developer id is configurable', () => {
    const { voters } = ownersElectorate([{ ...home('1-101', 1), developerUnsold: true }], {
      developerId: 'dev-co',
    });
    expect(voters[0]?.voterId).toBe('dev-co');
  });

  it('several units of the same buyer count as one head with their summed area', () => {
    const { voters } = ownersElectorate([
      home('1-101', 10_000, 'wang'),
      home('2-201', 12_050, 'wang'),
      { unitId: 'S-3', areaCentiM2: 4_000, ownerIds: ['wang'], kind: 'shop' },
      home('1-102', 9_000, 'li'),
    ]);
    expect(voters.map((v) => [v.voterId, v.areaCentiM2, v.heads])).toEqual([
      ['li', 9_000, 1],
      ['wang', 26_050, 1],
    ]);
  });

  it('co-owners of a unit share its one head; owners linked through shared units are one voter', () => {
    const { voters } = ownersElectorate([
      home('1-101', 10_000, 'zhang', 'chen'),
      home('1-102', 8_000, 'zhang'),
      home('1-103', 9_000, 'zhou'),
    ]);
    expect(voters).toEqual([
      {
        voterId: 'chen',
        areaCentiM2: 18_000,
        heads: 1,
        ownerIds: ['chen', 'zhang'],
        unitIds: ['1-101', '1-102'],
      },
      expect.objectContaining({ voterId: 'zhou', heads: 1 }),
    ]);
  });

  it('parking spaces are excluded by default and counted when configured', () => {
    const units: OwnedUnit[] = [
      home('1-101', 10_000, 'wang'),
      { unitId: 'P-1', areaCentiM2: 1_250, ownerIds: ['wang'], kind: 'parking' },
      { unitId: 'P-2', areaCentiM2: 1_250, ownerIds: ['zhao'], kind: 'parking' },
    ];
    const byDefault = ownersElectorate(units);
    expect(byDefault.options.countParking).toBe(false);
    expect(byDefault.voters.map((v) => [v.voterId, v.areaCentiM2])).toEqual([['wang', 10_000]]);
    expect(byDefault.excluded).toEqual([
      { unitId: 'P-1', reason: 'parking' },
      { unitId: 'P-2', reason: 'parking' },
    ]);

    const counted = ownersElectorate(units, { countParking: true });
    expect(counted.voters.map((v) => [v.voterId, v.areaCentiM2, v.heads])).toEqual([
      ['wang', 11_250, 1],
      ['zhao', 1_250, 1],
    ]);
    expect(counted.excluded).toEqual([]);
  });

  it('refuses a unit without owners, and duplicate units', () => {
    expect(() => ownersElectorate([home('1-101', 1)])).toThrow(/no owner/);
    expect(() => ownersElectorate([home('1-101', 1, 'a'), home('1-101', 1, 'b')])).toThrow(
      /duplicate unit/,
    );
  });

  it('feeds the tally: a developer with many unsold units is one head of the quorum', () => {
    const units: OwnedUnit[] = [
      ...Array.from({ length: 8 }, (_, i) => ({
        ...home(`D-${i}`, 10_000),
        developerUnsold: true,
      })),
      home('1-101', 10_000, 'a'),
      home('1-102', 10_000, 'b'),
    ];
    const { voters } = ownersElectorate(units);
    expect(voters.reduce((s, v) => s + v.heads, 0)).toBe(3);
    // The developer alone holds 80% of the area but is one of three heads.
    const result = ownersDecision278(voters, [{ voterId: 'developer', choice: 'yes' }], {
      matter: 'other-major',
    });
    expect(result.tests[0]?.passed).toBe(true);
    expect(result.failedTest).toBe('participation-owners');
  });

  it('every counted unit is in exactly one voter; areas and units are conserved', () => {
    const unitArb = fc.record({
      area: fc.integer({ min: 1, max: 100_000 }),
      owners: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), {
        minLength: 1,
        maxLength: 3,
      }),
      kind: fc.constantFrom<OwnedUnit['kind']>('home', 'shop', 'parking'),
      developerUnsold: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(unitArb, { maxLength: 30 }), fc.boolean(), (rows, countParking) => {
        const units = rows.map((r, i) => ({
          unitId: `u${i}`,
          areaCentiM2: r.area,
          ownerIds: r.owners,
          kind: r.kind,
          developerUnsold: r.developerUnsold,
        }));
        const { voters, excluded } = ownersElectorate(units, { countParking });
        const counted = units.filter((u) => countParking || u.kind !== 'parking');
        expect(voters.flatMap((v) => v.unitIds).sort()).toEqual(
          counted.map((u) => u.unitId).sort(),
        );
        expect(voters.reduce((s, v) => s + v.areaCentiM2, 0)).toBe(
          counted.reduce((s, u) => s + u.areaCentiM2, 0),
        );
        expect(excluded.length + counted.length).toBe(units.length);
        // A person is in at most one voter.
        const persons = voters.flatMap((v) => v.ownerIds);
        expect(new Set(persons).size).toBe(persons.length);
        // The developer's unsold units are all in one voter.
        const dev = counted.filter((u) => u.developerUnsold).map((u) => u.unitId);
        const holders = new Set(voters.filter((v) => v.unitIds.some((id) => dev.includes(id))));
        expect(holders.size).toBe(dev.length > 0 ? 1 : 0);
        // Input order does not matter.
        expect(ownersElectorate([...units].reverse(), { countParking }).voters).toEqual(voters);
      }),
    );
  });
});

describe('sameBuildingOwners (SPC interpretation 2020, Art. 11)', () => {
  it('lists the other owners of the same building', () => {
    const units: OwnedUnit[] = [
      { ...home('1-101', 1, 'wang'), buildingId: 'B1' },
      { ...home('1-102', 1, 'li', 'wang'), buildingId: 'B1' },
      { ...home('1-103', 1, 'zhao'), buildingId: 'B1' },
      { ...home('1-104', 1), buildingId: 'B1', developerUnsold: true },
      { ...home('2-101', 1, 'sun'), buildingId: 'B2' },
    ];
    expect(sameBuildingOwners(units, '1-101')).toEqual(['developer', 'li', 'zhao']);
  });
});

describe('areas', () => {
  it('parses and prints m² with two decimals without floating point', () => {
    expect(centiM2FromText('89.5')).toBe(8_950);
    expect(centiM2FromText('0.01')).toBe(1);
    expect(centiM2FromText('120')).toBe(12_000);
    expect(centiM2FromText('100.07')).toBe(10_007);
    expect(centiM2ToText(10_007)).toBe('100.07');
    expect(() => centiM2FromText('1.005')).toThrow(RangeError);
    expect(() => centiM2FromText('-1')).toThrow(RangeError);
  });

  it('round-trips every area', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 11 }), (a) => {
        expect(centiM2FromText(centiM2ToText(a))).toBe(a);
      }),
    );
  });

  it('takes the registry area, else the surveyed area, else the contract area (Art. 8)', () => {
    expect(areaForVoting({ registryCentiM2: 1, surveyedCentiM2: 2, contractCentiM2: 3 })).toEqual({
      areaCentiM2: 1,
      source: 'registry',
    });
    expect(areaForVoting({ surveyedCentiM2: 2, contractCentiM2: 3 }).source).toBe('surveyed');
    expect(areaForVoting({ contractCentiM2: 3 }).source).toBe('contract');
    expect(() => areaForVoting({})).toThrow(RangeError);
  });
});
