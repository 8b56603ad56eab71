import fc from 'fast-check';
import { describe, it } from 'vitest';
import { upcastEvent } from '../catalog/events.ts';
import type { Actor } from '../shared/decider.ts';
import { checkRebuild, commandsOf, day } from '../testing/spec.ts';
import { type CommunityCommand, communityDecider, communityEventSchemas } from './community.ts';

const admin: Actor = { personId: 'admin', role: 'admin' };
const clerk: Actor = { personId: 'p0', role: 'clerk' };
const c = commandsOf<CommunityCommand>();
const persons = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
const units = ['u1', 'u2', 'u3'];

const step = fc.record({
  kind: fc.integer({ min: 0, max: 27 }),
  a: fc.constantFrom(...persons),
  b: fc.constantFrom(...persons),
  unit: fc.constantFrom(...units),
  n: fc.integer({ min: 0, max: 2 }),
  flag: fc.boolean(),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function commandOf(s: Step, at: string): CommunityCommand {
  const group = `g${s.n}`;
  const household = `h${s.n}`;
  const party = ['dzb', 'yzw', 'wy'][s.n]!;
  const kind = (['party-organisation', 'owners-committee', 'property-company'] as const)[s.n]!;
  switch (s.kind) {
    case 0:
      return c(
        'RegisterPerson',
        s.flag
          ? { personId: s.a, name: s.a, birthDate: '2000-01-01' }
          : { personId: s.a, name: s.a, adult: true },
        admin,
        at,
      );
    case 1:
      return c(
        'CorrectPerson',
        { personId: s.a, birthDate: '2010-06-01', reason: '更正' },
        clerk,
        at,
      );
    case 2:
      return c(
        'RegisterUnit',
        {
          unitId: s.unit,
          building: 'B1',
          kind: s.flag ? 'home' : 'parking',
          areas: { registryCentiM2: 5_000 + s.n },
          developerUnsold: !s.flag,
          ownerIds: s.flag ? [s.a] : [],
        },
        clerk,
        at,
      );
    case 3:
      return c(
        'CorrectUnitArea',
        { unitId: s.unit, areas: { surveyedCentiM2: 7_000 }, documentRef: '测绘' },
        clerk,
        at,
      );
    case 4:
      return c(
        'TransferUnit',
        {
          unitId: s.unit,
          ownerIds: s.a === s.b ? [s.a] : [s.a, s.b],
          reason: 'sale',
          documentRef: '合同',
        },
        clerk,
        at,
      );
    case 5:
      return c('CreateResidentGroup', { groupId: group, name: group }, clerk, at);
    case 6:
      return c('DissolveResidentGroup', { groupId: group, reason: '合并' }, clerk, at);
    case 7:
      return c('CreateHousehold', { householdId: household, residentGroupId: group }, clerk, at);
    case 8:
      return c('DissolveHousehold', { householdId: household, reason: '迁出' }, clerk, at);
    case 9:
      return c('AddResident', { personId: s.a, householdId: household }, clerk, at);
    case 10:
      return c('MoveResident', { personId: s.a, householdId: household }, clerk, at);
    case 11:
      return c('RemoveResident', { personId: s.a, reason: 'moved-out' }, clerk, at);
    case 12:
      return c(
        'DesignateHouseholdRepresentative',
        { householdId: household, personId: s.a },
        clerk,
        at,
      );
    case 13:
      return c('ElectGroupRepresentative', { groupId: group, personId: s.a }, clerk, at);
    case 14:
      return c(
        'RemoveGroupRepresentative',
        { groupId: group, personId: s.a, reason: '辞去' },
        clerk,
        at,
      );
    case 15:
      return c('RegisterParty', { partyId: party, kind, name: party }, clerk, at);
    case 16:
      return c('DissolveParty', { partyId: party, reason: '换届' }, clerk, at);
    case 17:
      return c('AppointPartyRepresentative', { partyId: party, personId: s.a }, clerk, at);
    case 18:
      return c('RevokePartyRepresentative', { partyId: party, personId: s.a }, clerk, at);
    case 19:
      return c('AddPartyMember', { partyId: party, personId: s.a }, clerk, at);
    case 20:
      return c('RemovePartyMember', { partyId: party, personId: s.a }, clerk, at);
    case 21:
    case 22:
      return c(
        'GrantProxy',
        {
          authorisationId: `a${s.n}${s.a}`,
          ownerId: s.a,
          proxyId: s.b,
          proposalId: 'p1',
          itemId: 'i1',
          documentRef: '委托书',
        },
        clerk,
        at,
      );
    case 23:
      return c('RevokeProxy', { authorisationId: `a${s.n}${s.a}` }, clerk, at);
    case 24:
      return c('ChangeCommunitySettings', { proxyLimit: s.n + 1 }, admin, at);
    case 25:
      return c('AppointClerk', { personId: s.a }, admin, at);
    case 26:
      // The clerk who keeps the registry (p0) stays, so the sequence goes on.
      return c('RevokeClerk', { personId: s.a === 'p0' ? 'p1' : s.a }, admin, at);
    default:
      return c('RegisterCommunity', { communityId: 'hp', name: '和平', kind: 'urban' }, admin, at);
  }
}

describe('community registry: random command sequences', () => {
  it('never produce a state that evolve cannot rebuild', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), (steps) => {
        const commands = [
          c('RegisterCommunity', { communityId: 'hp', name: '和平', kind: 'urban' }, admin, day(0)),
          c('RegisterPerson', { personId: 'p0', name: 'p0', adult: true }, admin, day(0)),
          c('AppointClerk', { personId: 'p0' }, admin, day(0)),
          // A populated registry to work on; the random commands then change it.
          ...persons
            .slice(1)
            .map((id, i) =>
              c('RegisterPerson', { personId: id, name: id, adult: i % 2 === 0 }, clerk, day(0)),
            ),
          ...[0, 1].map((n) =>
            c('CreateResidentGroup', { groupId: `g${n}`, name: `g${n}` }, clerk, day(0)),
          ),
          ...[0, 1].map((n) =>
            c('CreateHousehold', { householdId: `h${n}`, residentGroupId: `g${n}` }, clerk, day(0)),
          ),
          ...units.map((unitId, i) =>
            c(
              'RegisterUnit',
              {
                unitId,
                building: 'B1',
                kind: 'home',
                areas: { contractCentiM2: 6_000 },
                developerUnsold: false,
                ownerIds: [persons[i + 1]!],
              },
              clerk,
              day(0),
            ),
          ),
          c(
            'RegisterParty',
            { partyId: 'yzw', kind: 'owners-committee', name: '业委会' },
            clerk,
            day(0),
          ),
          ...steps.map((s, i) => commandOf(s, day(1 + i))),
        ];
        checkRebuild(communityDecider, communityEventSchemas, commands, upcastEvent);
      }),
      { numRuns: 300 },
    );
  });
});
