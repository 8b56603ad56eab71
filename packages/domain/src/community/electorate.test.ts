import { describe, expect, it } from 'vitest';
import type { Actor } from '../shared/decider.ts';
import { fold } from '../shared/decider.ts';
import { commandsOf, day, history } from '../testing/spec.ts';
import { type CommunityCommand, type CommunityRegistry, communityDecider } from './community.ts';
import { convocationFacts, electorateFor, unitOwners, unitsCountedFor } from './electorate.ts';

const admin: Actor = { personId: 'admin', role: 'admin' };
const c = commandsOf<CommunityCommand>();
const unit = (unitId: string, building: string, area: number, ownerIds: string[], extra = {}) =>
  c(
    'RegisterUnit',
    {
      unitId,
      building,
      kind: 'home',
      areas: { registryCentiM2: area },
      developerUnsold: false,
      ownerIds,
      ...extra,
    },
    admin,
    day(0),
  );
const person = (personId: string, birth?: string) =>
  c(
    'RegisterPerson',
    birth
      ? { personId, name: personId, birthDate: birth }
      : { personId, name: personId, adult: true },
    admin,
    day(0),
  );

const events = history(communityDecider, [
  c('RegisterCommunity', { communityId: 'hp', name: '和平社区', kind: 'urban' }, admin, day(0)),
  person('a'),
  person('b'),
  person('c'),
  person('d'),
  person('teen', '2008-03-01'),
  person('nobirth'),
  c('RegisterPerson', { personId: 'unknown-age', name: '?' }, admin, day(0)),
  // a owns two homes (one voter), b and c co-own one, one unit unsold, one parking space.
  unit('1-101', 'B1', 10_000, ['a']),
  unit('1-102', 'B1', 8_000, ['a']),
  unit('1-201', 'B1', 12_000, ['b', 'c']),
  unit('1-301', 'B1', 9_000, [], { developerUnsold: true }),
  unit('2-101', 'B2', 11_000, ['d']),
  c(
    'RegisterUnit',
    {
      unitId: 'P1',
      building: 'B1',
      kind: 'parking',
      areas: { contractCentiM2: 1_200 },
      developerUnsold: false,
      ownerIds: ['d'],
    },
    admin,
    day(0),
  ),
  c('CreateResidentGroup', { groupId: 'g1', name: '一组' }, admin, day(0)),
  c('CreateResidentGroup', { groupId: 'g2', name: '二组' }, admin, day(0)),
  c('CreateHousehold', { householdId: 'h1', residentGroupId: 'g1' }, admin, day(0)),
  c('CreateHousehold', { householdId: 'h2', residentGroupId: 'g2' }, admin, day(0)),
  ...['a', 'teen', 'unknown-age'].map((personId) =>
    c('AddResident', { personId, householdId: 'h1' }, admin, day(0)),
  ),
  ...['b', 'c'].map((personId) => c('AddResident', { personId, householdId: 'h2' }, admin, day(0))),
  c('DesignateHouseholdRepresentative', { householdId: 'h2', personId: 'c' }, admin, day(0)),
  c('ElectGroupRepresentative', { groupId: 'g1', personId: 'a' }, admin, day(0)),
  c('ElectGroupRepresentative', { groupId: 'g2', personId: 'b' }, admin, day(0)),
  c('RegisterParty', { partyId: 'dzb', kind: 'party-organisation', name: '党委' }, admin, day(0)),
  c('AddPartyMember', { partyId: 'dzb', personId: 'b' }, admin, day(0)),
  c('AddPartyMember', { partyId: 'dzb', personId: 'nobirth' }, admin, day(0)),
]);
const registry = fold(communityDecider, events) as CommunityRegistry;
const asOf = day(40); // 2026-02-10

describe('electorateFor', () => {
  it('owners (Art. 278): one head per buyer, the developer’s unsold units as one, parking left out', () => {
    const { voters, excluded } = electorateFor(
      registry,
      { kind: 'owners-278', deemedConsent: false, countParking: false },
      asOf,
    );
    expect(voters).toEqual([
      {
        voterId: 'a',
        personIds: ['a'],
        unitIds: ['1-101', '1-102'],
        areaCentiM2: 18_000,
        heads: 1,
      },
      { voterId: 'b', personIds: ['b', 'c'], unitIds: ['1-201'], areaCentiM2: 12_000, heads: 1 },
      { voterId: 'd', personIds: ['d'], unitIds: ['2-101'], areaCentiM2: 11_000, heads: 1 },
      {
        voterId: 'developer',
        personIds: ['developer'],
        unitIds: ['1-301'],
        areaCentiM2: 9_000,
        heads: 1,
      },
    ]);
    expect(excluded).toEqual([{ id: 'P1', reason: 'parking' }]);
  });
  it('owners with parking spaces counted (community setting)', () => {
    const { voters } = electorateFor(
      registry,
      { kind: 'owners-278', deemedConsent: false, countParking: true },
      asOf,
    );
    expect(voters.find((v) => v.voterId === 'd')).toMatchObject({
      unitIds: ['2-101', 'P1'],
      areaCentiM2: 12_200,
    });
  });
  it('owners of one building (3.1b): only its units, an owner elsewhere too counts with these only', () => {
    const rule = { kind: 'owners-278', deemedConsent: false, countParking: true } as const;
    const b1 = electorateFor(registry, rule, asOf, { kind: 'building', building: 'B1' });
    // d owns 2-101 in B2 and the parking space P1 in B1: in B1 they count with P1 alone.
    expect(b1.voters.map((v) => [v.voterId, v.unitIds, v.areaCentiM2])).toEqual([
      ['a', ['1-101', '1-102'], 18_000],
      ['b', ['1-201'], 12_000],
      ['d', ['P1'], 1_200],
      ['developer', ['1-301'], 9_000],
    ]);
    const b2 = electorateFor(registry, rule, asOf, { kind: 'building', building: 'B2' });
    expect(b2.voters.map((v) => [v.voterId, v.unitIds, v.areaCentiM2])).toEqual([
      ['d', ['2-101'], 11_000],
    ]);
    // Parking not counted: d is no owner of B1 at all, and the space is listed as left out.
    const noParking = electorateFor(registry, { ...rule, countParking: false }, asOf, {
      kind: 'building',
      building: 'B1',
    });
    expect(noParking.voters.map((v) => v.voterId)).toEqual(['a', 'b', 'developer']);
    expect(noParking.excluded).toEqual([{ id: 'P1', reason: 'parking' }]);
    // The whole community, said explicitly, is what no scope gives.
    expect(electorateFor(registry, rule, asOf, { kind: 'community' })).toEqual(
      electorateFor(registry, rule, asOf),
    );
  });
  it('owners of one entrance (单元): the building and the entrance both match', () => {
    const withEntrances = fold(
      communityDecider,
      history(
        communityDecider,
        [
          unit('3-1-101', 'B3', 9_000, ['a'], { entrance: '1' }),
          unit('3-2-101', 'B3', 9_500, ['b'], { entrance: '2' }),
          unit('3-2-201', 'B3', 7_000, ['a'], { entrance: '2' }),
          unit('4-1-101', 'B4', 8_000, ['c'], { entrance: '2' }),
        ],
        events,
      ),
    ) as CommunityRegistry;
    const rule = { kind: 'owners-278', deemedConsent: false, countParking: false } as const;
    const scope = { kind: 'building', building: 'B3', entrance: '2' } as const;
    expect(
      electorateFor(withEntrances, rule, asOf, scope).voters.map((v) => [
        v.voterId,
        v.unitIds,
        v.areaCentiM2,
      ]),
    ).toEqual([
      ['a', ['3-2-201'], 7_000],
      ['b', ['3-2-101'], 9_500],
    ]);
    // A building with no unit in scope gives nobody (the service answers empty-electorate).
    expect(
      electorateFor(withEntrances, rule, asOf, { kind: 'building', building: 'B9' }).voters,
    ).toEqual([]);
  });
  it('residents’ meeting of all adults: 18 on the vote’s date; unknown age left out and listed', () => {
    const rule = { kind: 'residents-meeting', form: 'all-adults' } as const;
    expect(electorateFor(registry, rule, day(40)).voters.map((v) => v.voterId)).toEqual([
      'a',
      'b',
      'c',
    ]);
    // teen (born 2008-03-01) is of age on 1 March 2026.
    expect(
      electorateFor(registry, rule, '2026-03-01T09:00:00+08:00').voters.map((v) => v.voterId),
    ).toEqual(['a', 'b', 'c', 'teen']);
    expect(electorateFor(registry, rule, asOf).excluded).toEqual([
      { id: 'unknown-age', reason: 'age-unknown' },
    ]);
  });
  it('households: the designated representative, else any adult of the household', () => {
    const { voters } = electorateFor(
      registry,
      { kind: 'residents-meeting', form: 'household-representatives' },
      asOf,
    );
    expect(voters).toEqual([
      { voterId: 'h1', personIds: ['a'], unitIds: [], areaCentiM2: 0, heads: 1, householdId: 'h1' },
      { voterId: 'h2', personIds: ['c'], unitIds: [], areaCentiM2: 0, heads: 1, householdId: 'h2' },
    ]);
  });
  it('group representatives, villagers, villager groups, party members', () => {
    const ids = (rule: Parameters<typeof electorateFor>[1]) =>
      electorateFor(registry, rule, asOf).voters.map((v) => v.voterId);
    expect(ids({ kind: 'residents-meeting', form: 'group-representatives' })).toEqual(['a', 'b']);
    expect(ids({ kind: 'villagers-representatives-meeting' })).toEqual(['a', 'b']);
    expect(ids({ kind: 'villagers-meeting' })).toEqual(['a', 'b', 'c']);
    expect(electorateFor(registry, { kind: 'villagers-meeting' }, asOf).voters[1]).toMatchObject({
      householdId: 'h2',
    });
    expect(ids({ kind: 'villager-group-meeting', groupId: 'g2' })).toEqual(['b', 'c']);
    const quorum = { numerator: 2, denominator: 3, inclusive: true };
    const approval = { numerator: 1, denominator: 2, inclusive: false };
    expect(ids({ kind: 'party-members-meeting', partyId: 'dzb', quorum, approval })).toEqual([
      'b',
      'nobirth',
    ]);
    expect(ids({ kind: 'party-members-meeting', partyId: 'none', quorum, approval })).toEqual([]);
  });
  it('Art. 279: the other owners of the same building are the interested owners', () => {
    const ids = electorateFor(
      registry,
      { kind: 'art279-consent', unitId: '1-101', applicantOwnerIds: ['a'] },
      asOf,
    ).voters.map((v) => v.voterId);
    expect(ids).toEqual(['b', 'c', 'd', 'developer']);
    expect(unitOwners(registry, '1-101')).toEqual(['a']);
    expect(unitOwners(registry, '1-301')).toEqual(['developer']);
    expect(unitOwners(registry, 'none')).toEqual([]);
  });
});

describe('unitsCountedFor: what makes a person an owner in owners’ votes', () => {
  it('units in their name, co-owned ones too; the developer’s unsold units; nothing else', () => {
    expect(unitsCountedFor(registry, 'a')).toEqual(['1-101', '1-102']);
    expect(unitsCountedFor(registry, 'c')).toEqual(['1-201']);
    expect(unitsCountedFor(registry, 'developer')).toEqual(['1-301']);
    expect(unitsCountedFor(registry, 'teen')).toEqual([]);
    expect(unitsCountedFor(registry, 'nobody')).toEqual([]);
  });
  it('parking spaces only where the community counts them (domain.md 3.1, open)', () => {
    expect(unitsCountedFor(registry, 'd')).toEqual(['2-101']);
    const counting = { ...registry, settings: { ...registry.settings, parkingSpacesVote: true } };
    expect(unitsCountedFor(counting, 'd')).toEqual(['2-101', 'P1']);
  });
});

describe('convocationFacts: who may sign a residents’ meeting request, and the bodies counted', () => {
  const electorate = { adults: 3, households: 2, groups: 2 };
  it('counts adults of active households, households with an adult, active groups', () => {
    expect(convocationFacts(registry, 'a', asOf).electorate).toEqual(electorate);
    // teen comes of age on 1 March 2026.
    expect(convocationFacts(registry, 'a', '2026-03-01T09:00:00+08:00').electorate).toEqual({
      ...electorate,
      adults: 4,
    });
  });
  it('an adult signs for their household when they represent it or it has no representative', () => {
    expect(convocationFacts(registry, 'a', asOf).signer).toEqual({
      adultResident: true,
      householdId: 'h1',
      groupId: 'g1',
    });
    // h2's representative is c; b represents group g2.
    expect(convocationFacts(registry, 'b', asOf).signer).toEqual({
      adultResident: true,
      groupId: 'g2',
    });
    expect(convocationFacts(registry, 'c', asOf).signer).toEqual({
      adultResident: true,
      householdId: 'h2',
    });
  });
  it('no minor, no person of unknown age, no owner who lives elsewhere', () => {
    for (const id of ['teen', 'unknown-age', 'd', 'nobody']) {
      expect(convocationFacts(registry, id, asOf).signer, id).toEqual({ adultResident: false });
    }
  });
});
