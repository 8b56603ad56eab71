import { describe, expect, it } from 'vitest';
import { builtInProcedures } from '../procedure/templates.ts';
import type { Actor } from '../shared/decider.ts';
import { pget } from '../shared/pmap.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import {
  authorisationsHeld,
  type CommunityCommand,
  type CommunityRegistry,
  ConfigureWebhookData,
  communityDecider,
  communityEventSchemas,
  isOwnersCommitteeMember,
  MAX_ACTIVE_WEBHOOKS,
  proxyFor,
} from './community.ts';

const admin: Actor = { personId: 'admin', role: 'admin' };
const clerk: Actor = { personId: 'clerk', role: 'clerk' };
const c = commandsOf<CommunityCommand>();
const spec = specFor(communityDecider, communityEventSchemas);
const meta = (actor: Actor = clerk, at = day(1)) => ({ at, by: actor });

const registered = history(communityDecider, [
  c('RegisterCommunity', { communityId: 'hp', name: '和平社区', kind: 'urban' }, admin, day(0)),
  c('RegisterPerson', { personId: 'clerk', name: '李文书', adult: true }, admin, day(0)),
  c('AppointClerk', { personId: 'clerk' }, admin, day(0)),
]);

/** A small registry: two owners, a resident group with a household, an owners' committee. */
const populated = history(
  communityDecider,
  [
    c('RegisterPerson', { personId: 'wang', name: '王', birthDate: '1970-05-01' }, clerk, day(0)),
    c('RegisterPerson', { personId: 'zhao', name: '赵', birthDate: '1980-02-29' }, clerk, day(0)),
    c('RegisterPerson', { personId: 'kid', name: '小王', birthDate: '2015-01-01' }, clerk, day(0)),
    c('RegisterPerson', { personId: 'sun', name: '孙', adult: true }, clerk, day(0)),
    c('RegisterPerson', { personId: 'zhou', name: '周', adult: true }, clerk, day(0)),
    c('RegisterPerson', { personId: 'wu', name: '吴', adult: true }, clerk, day(0)),
    c(
      'RegisterUnit',
      {
        unitId: 'b1-101',
        building: '1号楼',
        kind: 'home',
        areas: { registryCentiM2: 8950 },
        developerUnsold: false,
        ownerIds: ['wang'],
      },
      clerk,
      day(0),
    ),
    c(
      'RegisterUnit',
      {
        unitId: 'b1-102',
        building: '1号楼',
        kind: 'home',
        areas: { contractCentiM2: 10000 },
        developerUnsold: false,
        ownerIds: ['zhao', 'sun'],
      },
      clerk,
      day(0),
    ),
    c(
      'RegisterUnit',
      {
        unitId: 'b1-201',
        building: '1号楼',
        kind: 'home',
        areas: { surveyedCentiM2: 9000 },
        developerUnsold: true,
        ownerIds: [],
      },
      clerk,
      day(0),
    ),
    c('CreateResidentGroup', { groupId: 'g1', name: '第一居民小组' }, clerk, day(0)),
    c(
      'CreateHousehold',
      { householdId: 'h1', residentGroupId: 'g1', unitId: 'b1-101' },
      clerk,
      day(0),
    ),
    c('AddResident', { personId: 'wang', householdId: 'h1' }, clerk, day(0)),
    c('AddResident', { personId: 'kid', householdId: 'h1' }, clerk, day(0)),
    c(
      'RegisterParty',
      { partyId: 'yzw', kind: 'owners-committee', name: '业主委员会' },
      clerk,
      day(0),
    ),
    c('AddPartyMember', { partyId: 'yzw', personId: 'zhao' }, clerk, day(0)),
  ],
  registered,
);

const registryOf = (events: typeof populated) => {
  let state = communityDecider.initialState();
  for (const e of events) state = communityDecider.evolve(state, e);
  if (state.status !== 'registered') throw new Error('not registered');
  return state as CommunityRegistry;
};

describe('RegisterCommunity', () => {
  it('registers with the default settings', () => {
    spec
      .given([])
      .when(
        c(
          'RegisterCommunity',
          { communityId: 'hp', name: '和平社区', kind: 'urban' },
          admin,
          day(0),
        ),
      )
      .then([
        {
          type: 'CommunityRegistered',
          data: {
            communityId: 'hp',
            name: '和平社区',
            kind: 'urban',
            settings: {
              proxyLimit: 3,
              parkingSpacesVote: false,
              deemedConsent: false,
              developerId: 'developer',
              partyMembersMeeting: {
                quorum: { numerator: 2, denominator: 3, inclusive: true },
                approval: { numerator: 1, denominator: 2, inclusive: false },
              },
            },
            registeredAt: day(0),
            by: admin,
          },
        },
      ]);
  });
  it('refuses a second registration', () => {
    spec
      .given(registered)
      .when(c('RegisterCommunity', { communityId: 'hp', name: 'x', kind: 'urban' }, admin, day(1)))
      .thenRefused('already-exists');
  });
  it('refuses any other command before registration', () => {
    spec
      .given([])
      .when(c('RegisterPerson', { personId: 'a', name: 'A' }, admin, day(0)))
      .thenRefused('community-not-registered');
  });
});

describe('ChangeCommunitySettings', () => {
  it('changes the proxy limit', () => {
    spec
      .given(registered)
      .when(c('ChangeCommunitySettings', { proxyLimit: 2 }, admin, day(1)))
      .then((events) => expect(events[0]?.data).toMatchObject({ settings: { proxyLimit: 2 } }));
  });
  it('refuses deemed consent without the statute provision', () => {
    spec
      .given(registered)
      .when(c('ChangeCommunitySettings', { deemedConsent: true }, admin, day(1)))
      .thenRefused('invalid-command');
  });
  it('refuses anyone but the administrator', () => {
    spec
      .given(registered)
      .when(c('ChangeCommunitySettings', { proxyLimit: 5 }, clerk, day(1)))
      .thenRefused('not-authorised');
  });
});

describe('DefineProcedure', () => {
  const base = builtInProcedures['owners-joint-decision'];
  it('defines version 1, then version 2', () => {
    const stages = base.stages.map((s) => (s.kind === 'notice' ? { ...s, minDays: 20 } : s));
    const first = history(
      communityDecider,
      [c('DefineProcedure', { templateId: 'owners-20', name: '20 days', stages }, clerk, day(1))],
      registered,
    );
    spec
      .given(first)
      .when(
        c('DefineProcedure', { templateId: 'owners-20', name: '20 days', stages }, clerk, day(2)),
      )
      .then((events) =>
        expect(events[0]?.data).toMatchObject({
          procedure: { templateId: 'owners-20', version: 2 },
        }),
      );
  });
  it('refuses a procedure that does not start with a submission', () => {
    spec
      .given(registered)
      .when(
        c(
          'DefineProcedure',
          { templateId: 'bad', name: 'bad', stages: base.stages.slice(1) },
          clerk,
          day(1),
        ),
      )
      .thenRefused('invalid-command');
  });
  it('refuses a return to a later stage', () => {
    const stages = [
      base.stages[0]!,
      {
        id: 'vote',
        kind: 'decision' as const,
        name: 'v',
        rules: ['owners-278' as const],
        ifRejected: 'return' as const,
        returnTo: 'later',
      },
      { id: 'later', kind: 'deliberation' as const, name: 'l' },
    ];
    spec
      .given(registered)
      .when(c('DefineProcedure', { templateId: 'bad', name: 'bad', stages }, clerk, day(1)))
      .thenRefused('invalid-command');
  });
});

describe('persons', () => {
  it('registers a person', () => {
    spec
      .given(registered)
      .when(
        c('RegisterPerson', { personId: 'a', name: 'A', birthDate: '2000-01-01' }, clerk, day(1)),
      )
      .then([
        {
          type: 'PersonRegistered',
          data: { personId: 'a', name: 'A', birthDate: '2000-01-01', ...meta() },
        },
      ]);
  });
  it('refuses a duplicate person', () => {
    spec
      .given(populated)
      .when(c('RegisterPerson', { personId: 'wang', name: 'W' }, clerk, day(1)))
      .thenRefused('already-exists');
  });
  it('refuses a clerk who is not appointed', () => {
    const other: Actor = { personId: 'nobody', role: 'clerk' };
    spec
      .given(registered)
      .when(c('RegisterPerson', { personId: 'a', name: 'A' }, other, day(1)))
      .thenRefused('not-authorised');
  });
  it('corrects a birth date', () => {
    const state = spec
      .given(populated)
      .when(
        c(
          'CorrectPerson',
          { personId: 'kid', birthDate: '2005-01-01', reason: '户口簿' },
          clerk,
          day(1),
        ),
      )
      .thenState();
    expect(state.status === 'registered' && pget(state.persons, 'kid')?.birthDate).toBe(
      '2005-01-01',
    );
  });
  it('refuses to correct an unknown person', () => {
    spec
      .given(registered)
      .when(c('CorrectPerson', { personId: 'x', name: 'X', reason: 'r' }, clerk, day(1)))
      .thenRefused('not-found');
  });
});

describe('units and owners', () => {
  const unit = {
    unitId: 'b2-101',
    building: '2号楼',
    kind: 'shop' as const,
    areas: { registryCentiM2: 12_345 },
    developerUnsold: false,
    ownerIds: ['wang'],
  };
  it('registers a unit with its owners', () => {
    spec
      .given(populated)
      .when(c('RegisterUnit', unit, clerk, day(1)))
      .then([{ type: 'UnitRegistered', data: { ...unit, ...meta() } }]);
  });
  it('refuses a duplicate unit', () => {
    spec
      .given(populated)
      .when(c('RegisterUnit', { ...unit, unitId: 'b1-101' }, clerk, day(1)))
      .thenRefused('already-exists');
  });
  it('refuses a sold unit without owner', () => {
    spec
      .given(populated)
      .when(c('RegisterUnit', { ...unit, ownerIds: [] }, clerk, day(1)))
      .thenRefused('invalid-command');
  });
  it('refuses an unregistered owner', () => {
    spec
      .given(populated)
      .when(c('RegisterUnit', { ...unit, ownerIds: ['ghost'] }, clerk, day(1)))
      .thenRefused('not-found');
  });
  it('refuses an owner listed twice', () => {
    spec
      .given(populated)
      .when(c('RegisterUnit', { ...unit, ownerIds: ['wang', 'wang'] }, clerk, day(1)))
      .thenRefused('invalid-command');
  });
  it('corrects an area, keeping the previous one in the event', () => {
    spec
      .given(populated)
      .when(
        c(
          'CorrectUnitArea',
          { unitId: 'b1-101', areas: { registryCentiM2: 9000 }, documentRef: '不动产登记' },
          clerk,
          day(1),
        ),
      )
      .then((events) =>
        expect(events[0]?.data).toMatchObject({ previous: { registryCentiM2: 8950 } }),
      );
  });
  it('refuses to correct an unknown unit', () => {
    spec
      .given(populated)
      .when(
        c(
          'CorrectUnitArea',
          { unitId: 'x', areas: { registryCentiM2: 1 }, documentRef: 'd' },
          clerk,
          day(1),
        ),
      )
      .thenRefused('not-found');
  });
  it('transfers a unit to co-owners and reindexes the owners', () => {
    const state = registryOf([
      ...populated,
      ...spec
        .given(populated)
        .when(
          c(
            'TransferUnit',
            { unitId: 'b1-101', ownerIds: ['zhou', 'wu'], reason: 'sale', documentRef: '合同' },
            clerk,
            day(1),
          ),
        )
        .then((events) =>
          expect(events[0]?.data).toMatchObject({
            previousOwnerIds: ['wang'],
            wasDeveloperUnsold: false,
          }),
        ),
    ]);
    expect(pget(state.unitsByOwner, 'wang')).toEqual([]);
    expect(pget(state.unitsByOwner, 'zhou')).toEqual(['b1-101']);
  });
  it('delivers a developer-unsold unit', () => {
    const events = history(
      communityDecider,
      [
        c(
          'TransferUnit',
          { unitId: 'b1-201', ownerIds: ['zhou'], reason: 'delivery', documentRef: '交付' },
          clerk,
          day(1),
        ),
      ],
      populated,
    );
    expect(pget(registryOf(events).units, 'b1-201')?.developerUnsold).toBe(false);
  });
  it('refuses a transfer to the same owners', () => {
    spec
      .given(populated)
      .when(
        c(
          'TransferUnit',
          { unitId: 'b1-101', ownerIds: ['wang'], reason: 'sale', documentRef: 'd' },
          clerk,
          day(1),
        ),
      )
      .thenRefused('invalid-command');
  });
  it('refuses a transfer of an unknown unit', () => {
    spec
      .given(populated)
      .when(
        c(
          'TransferUnit',
          { unitId: 'x', ownerIds: ['wang'], reason: 'sale', documentRef: 'd' },
          clerk,
          day(1),
        ),
      )
      .thenRefused('not-found');
  });
});

describe('resident groups, households and residents', () => {
  it('creates and dissolves a resident group', () => {
    const created = history(
      communityDecider,
      [c('CreateResidentGroup', { groupId: 'g2', name: '二组' }, clerk, day(1))],
      populated,
    );
    spec
      .given(created)
      .when(c('DissolveResidentGroup', { groupId: 'g2', reason: '合并' }, clerk, day(2)))
      .then((e) => expect(e[0]?.type).toBe('ResidentGroupDissolved'));
    spec
      .given(created)
      .when(c('CreateResidentGroup', { groupId: 'g2', name: 'x' }, clerk, day(2)))
      .thenRefused('already-exists');
  });
  it('refuses to dissolve an unknown group', () => {
    spec
      .given(populated)
      .when(c('DissolveResidentGroup', { groupId: 'x', reason: 'r' }, clerk, day(1)))
      .thenRefused('not-found');
  });
  it('creates a household in a group', () => {
    spec
      .given(populated)
      .when(c('CreateHousehold', { householdId: 'h2', residentGroupId: 'g1' }, clerk, day(1)))
      .then((e) => expect(e[0]?.type).toBe('HouseholdCreated'));
  });
  it('refuses a household in an unknown group or unit, or twice', () => {
    spec
      .given(populated)
      .when(c('CreateHousehold', { householdId: 'h2', residentGroupId: 'x' }, clerk, day(1)))
      .thenRefused('not-found');
    spec
      .given(populated)
      .when(c('CreateHousehold', { householdId: 'h2', unitId: 'x' }, clerk, day(1)))
      .thenRefused('not-found');
    spec
      .given(populated)
      .when(c('CreateHousehold', { householdId: 'h1' }, clerk, day(1)))
      .thenRefused('already-exists');
  });
  it('dissolves only an empty household', () => {
    spec
      .given(populated)
      .when(c('DissolveHousehold', { householdId: 'h1', reason: 'r' }, clerk, day(1)))
      .thenRefused('invalid-command');
    const empty = history(
      communityDecider,
      [c('CreateHousehold', { householdId: 'h2' }, clerk, day(1))],
      populated,
    );
    spec
      .given(empty)
      .when(c('DissolveHousehold', { householdId: 'h2', reason: 'r' }, clerk, day(1)))
      .then((e) => expect(e[0]?.type).toBe('HouseholdDissolved'));
  });
  it('adds, moves and removes a resident', () => {
    const withH2 = history(
      communityDecider,
      [c('CreateHousehold', { householdId: 'h2' }, clerk, day(1))],
      populated,
    );
    spec
      .given(withH2)
      .when(c('AddResident', { personId: 'zhou', householdId: 'h2' }, clerk, day(1)))
      .then((e) => expect(e[0]?.type).toBe('ResidentAdded'));
    spec
      .given(withH2)
      .when(c('AddResident', { personId: 'wang', householdId: 'h2' }, clerk, day(1)))
      .thenRefused('already-exists');
    spec
      .given(withH2)
      .when(c('AddResident', { personId: 'zhou', householdId: 'nope' }, clerk, day(1)))
      .thenRefused('not-found');
    spec
      .given(withH2)
      .when(c('MoveResident', { personId: 'wang', householdId: 'h2' }, clerk, day(1)))
      .then((e) => expect(e[0]?.data).toMatchObject({ fromHouseholdId: 'h1' }));
    spec
      .given(withH2)
      .when(c('MoveResident', { personId: 'wang', householdId: 'h1' }, clerk, day(1)))
      .thenRefused('invalid-command');
    spec
      .given(withH2)
      .when(c('MoveResident', { personId: 'zhou', householdId: 'h1' }, clerk, day(1)))
      .thenRefused('not-found');
    const state = registryOf([
      ...withH2,
      ...spec
        .given(withH2)
        .when(c('RemoveResident', { personId: 'wang', reason: 'moved-out' }, clerk, day(1)))
        .then(() => {}),
    ]);
    expect(pget(state.persons, 'wang')?.householdId).toBeUndefined();
    spec
      .given(withH2)
      .when(c('RemoveResident', { personId: 'zhou', reason: 'moved-out' }, clerk, day(1)))
      .thenRefused('not-found');
  });
  it('designates an adult of the household as its representative', () => {
    spec
      .given(populated)
      .when(
        c(
          'DesignateHouseholdRepresentative',
          { householdId: 'h1', personId: 'wang' },
          clerk,
          day(1),
        ),
      )
      .then((e) => expect(e[0]?.type).toBe('HouseholdRepresentativeDesignated'));
    spec
      .given(populated)
      .when(
        c(
          'DesignateHouseholdRepresentative',
          { householdId: 'h1', personId: 'kid' },
          clerk,
          day(1),
        ),
      )
      .thenRefused('not-eligible');
    spec
      .given(populated)
      .when(
        c(
          'DesignateHouseholdRepresentative',
          { householdId: 'h1', personId: 'zhou' },
          clerk,
          day(1),
        ),
      )
      .thenRefused('not-eligible');
  });
  it('elects up to three representatives of a resident group', () => {
    const many = history(
      communityDecider,
      [
        ...['zhou', 'wu', 'sun'].map((personId) =>
          c('AddResident', { personId, householdId: 'h1' }, clerk, day(1)),
        ),
        ...['wang', 'zhou', 'wu'].map((personId) =>
          c('ElectGroupRepresentative', { groupId: 'g1', personId }, clerk, day(1)),
        ),
      ],
      populated,
    );
    spec
      .given(many)
      .when(c('ElectGroupRepresentative', { groupId: 'g1', personId: 'sun' }, clerk, day(2)))
      .thenRefused('invalid-command');
    spec
      .given(many)
      .when(c('ElectGroupRepresentative', { groupId: 'g1', personId: 'wang' }, clerk, day(2)))
      .thenRefused('already-exists');
    spec
      .given(populated)
      .when(c('ElectGroupRepresentative', { groupId: 'g1', personId: 'kid' }, clerk, day(2)))
      .thenRefused('not-eligible');
    spec
      .given(populated)
      .when(c('ElectGroupRepresentative', { groupId: 'x', personId: 'wang' }, clerk, day(2)))
      .thenRefused('not-found');
    spec
      .given(many)
      .when(
        c(
          'RemoveGroupRepresentative',
          { groupId: 'g1', personId: 'wu', reason: '辞去' },
          clerk,
          day(2),
        ),
      )
      .then((e) => expect(e[0]?.type).toBe('GroupRepresentativeRemoved'));
    spec
      .given(many)
      .when(
        c(
          'RemoveGroupRepresentative',
          { groupId: 'g1', personId: 'sun', reason: 'r' },
          clerk,
          day(2),
        ),
      )
      .thenRefused('not-found');
  });
});

describe('parties', () => {
  it('registers and dissolves a party', () => {
    spec
      .given(populated)
      .when(
        c(
          'RegisterParty',
          { partyId: 'wy', kind: 'property-company', name: '物业' },
          clerk,
          day(1),
        ),
      )
      .then((e) => expect(e[0]?.type).toBe('PartyRegistered'));
    spec
      .given(populated)
      .when(
        c('RegisterParty', { partyId: 'yzw', kind: 'owners-committee', name: 'x' }, clerk, day(1)),
      )
      .thenRefused('already-exists');
    spec
      .given(populated)
      .when(c('DissolveParty', { partyId: 'yzw', reason: '换届' }, clerk, day(1)))
      .then((e) => expect(e[0]?.type).toBe('PartyDissolved'));
    spec
      .given(populated)
      .when(c('DissolveParty', { partyId: 'x', reason: 'r' }, clerk, day(1)))
      .thenRefused('not-found');
  });
  it('appoints and revokes representatives, adds and removes members', () => {
    spec
      .given(populated)
      .when(c('AppointPartyRepresentative', { partyId: 'yzw', personId: 'zhao' }, clerk, day(1)))
      .then((e) => expect(e[0]?.type).toBe('PartyRepresentativeAppointed'));
    spec
      .given(populated)
      .when(c('AppointPartyRepresentative', { partyId: 'yzw', personId: 'ghost' }, clerk, day(1)))
      .thenRefused('not-found');
    spec
      .given(populated)
      .when(c('AppointPartyRepresentative', { partyId: 'x', personId: 'zhao' }, clerk, day(1)))
      .thenRefused('not-found');
    spec
      .given(populated)
      .when(c('AddPartyMember', { partyId: 'yzw', personId: 'zhao' }, clerk, day(1)))
      .thenRefused('already-exists');
    spec
      .given(populated)
      .when(c('RevokePartyRepresentative', { partyId: 'yzw', personId: 'zhao' }, clerk, day(1)))
      .thenRefused('not-found');
    const state = registryOf([
      ...populated,
      ...spec
        .given(populated)
        .when(c('RemovePartyMember', { partyId: 'yzw', personId: 'zhao' }, clerk, day(1)))
        .then(() => {}),
    ]);
    expect(isOwnersCommitteeMember(state, 'zhao')).toBe(false);
  });
});

describe('proxy authorisations', () => {
  const grant = (authorisationId: string, ownerId: string, proxyId: string, itemId = 'item-1') => ({
    authorisationId,
    ownerId,
    proxyId,
    proposalId: 'p1',
    itemId,
    documentRef: `委托书-${authorisationId}`,
  });
  it('records a written authorisation entered by a clerk', () => {
    spec
      .given(populated)
      .when(c('GrantProxy', grant('a1', 'wang', 'zhou'), clerk, day(1)))
      .then([
        {
          type: 'ProxyGranted',
          data: { ...grant('a1', 'wang', 'zhou'), form: 'written', ...meta() },
        },
      ]);
  });
  it('records an electronic authorisation by the owner themselves', () => {
    const owner: Actor = { personId: 'wang', role: 'owner' };
    const { documentRef: _, ...electronic } = grant('a1', 'wang', 'zhou');
    spec
      .given(populated)
      .when(c('GrantProxy', electronic, owner, day(1)))
      .then((e) => expect(e[0]?.data).toMatchObject({ form: 'electronic' }));
    spec
      .given(populated)
      .when(c('GrantProxy', grant('a1', 'sun', 'zhou'), owner, day(1)))
      .thenRefused('not-authorised');
  });
  it('refuses a written authorisation without its document', () => {
    const { documentRef: _, ...bare } = grant('a1', 'wang', 'zhou');
    spec
      .given(populated)
      .when(c('GrantProxy', bare, clerk, day(1)))
      .thenRefused('invalid-command');
  });
  it('refuses a non-owner, an unknown proxy, a self-proxy', () => {
    spec
      .given(populated)
      .when(c('GrantProxy', grant('a1', 'zhou', 'wu'), clerk, day(1)))
      .thenRefused('not-eligible');
    spec
      .given(populated)
      .when(c('GrantProxy', grant('a1', 'wang', 'ghost'), clerk, day(1)))
      .thenRefused('not-found');
    spec
      .given(populated)
      .when(c('GrantProxy', grant('a1', 'wang', 'wang'), clerk, day(1)))
      .thenRefused('invalid-command');
  });
  it('refuses delegation by an owners’ committee member (北京 Art. 45)', () => {
    spec
      .given(populated)
      .when(c('GrantProxy', grant('a1', 'zhao', 'zhou'), clerk, day(1)))
      .thenRefused('delegation-not-allowed');
  });
  it('refuses a second authorisation by the same owner for the same item, and a reused id', () => {
    const once = history(
      communityDecider,
      [c('GrantProxy', grant('a1', 'wang', 'zhou'), clerk, day(1))],
      populated,
    );
    spec
      .given(once)
      .when(c('GrantProxy', grant('a2', 'wang', 'wu'), clerk, day(1)))
      .thenRefused('already-exists');
    spec
      .given(once)
      .when(c('GrantProxy', grant('a1', 'sun', 'wu'), clerk, day(1)))
      .thenRefused('already-exists');
    spec
      .given(once)
      .when(c('GrantProxy', grant('a2', 'wang', 'wu', 'item-2'), clerk, day(1)))
      .then((e) => expect(e).toHaveLength(1));
  });
  it('limits a proxy to 3 authorisations per item by default (潍坊 Art. 32)', () => {
    const owners = ['o1', 'o2', 'o3', 'o4'];
    const setup = history(
      communityDecider,
      [
        ...owners.map((personId) =>
          c('RegisterPerson', { personId, name: personId, adult: true }, clerk, day(1)),
        ),
        ...owners.map((personId) =>
          c(
            'RegisterUnit',
            {
              unitId: `u-${personId}`,
              building: '3号楼',
              kind: 'home',
              areas: { registryCentiM2: 5000 },
              developerUnsold: false,
              ownerIds: [personId],
            },
            clerk,
            day(1),
          ),
        ),
        ...owners
          .slice(0, 3)
          .map((o) => c('GrantProxy', grant(`a-${o}`, o, 'zhou'), clerk, day(1))),
      ],
      populated,
    );
    spec
      .given(setup)
      .when(c('GrantProxy', grant('a-o4', 'o4', 'zhou'), clerk, day(2)))
      .thenRefused('proxy-limit-reached', { limit: 3, held: 3 });
    // Another item is counted apart; a revoked authorisation frees a place.
    spec
      .given(setup)
      .when(c('GrantProxy', grant('a-o4', 'o4', 'zhou', 'item-2'), clerk, day(2)))
      .then((e) => expect(e).toHaveLength(1));
    const revoked = history(
      communityDecider,
      [c('RevokeProxy', { authorisationId: 'a-o1' }, clerk, day(2))],
      setup,
    );
    spec
      .given(revoked)
      .when(c('GrantProxy', grant('a-o4', 'o4', 'zhou'), clerk, day(2)))
      .then((e) => expect(e).toHaveLength(1));
    // The limit is configurable per community.
    const lower = history(
      communityDecider,
      [c('ChangeCommunitySettings', { proxyLimit: 2 }, admin, day(2))],
      revoked,
    );
    spec
      .given(lower)
      .when(c('GrantProxy', grant('a-o4', 'o4', 'zhou'), clerk, day(2)))
      .thenRefused('proxy-limit-reached');
  });
  it('revokes an authorisation once, by its owner or a clerk', () => {
    const once = history(
      communityDecider,
      [c('GrantProxy', grant('a1', 'wang', 'zhou'), clerk, day(1))],
      populated,
    );
    const state = registryOf(once);
    expect(proxyFor(state, 'wang', 'p1', 'item-1')?.proxyId).toBe('zhou');
    expect(authorisationsHeld(state, 'p1', 'item-1', 'zhou').map((a) => a.ownerId)).toEqual([
      'wang',
    ]);
    const owner: Actor = { personId: 'wang', role: 'owner' };
    const revoked = spec
      .given(once)
      .when(c('RevokeProxy', { authorisationId: 'a1' }, owner, day(2)))
      .then(() => {});
    expect(proxyFor(registryOf([...once, ...revoked]), 'wang', 'p1', 'item-1')).toBeUndefined();
    spec
      .given([...once, ...revoked])
      .when(c('RevokeProxy', { authorisationId: 'a1' }, clerk, day(2)))
      .thenRefused('already-revoked');
    spec
      .given(once)
      .when(c('RevokeProxy', { authorisationId: 'zz' }, clerk, day(2)))
      .thenRefused('not-found');
    spec
      .given(once)
      .when(c('RevokeProxy', { authorisationId: 'a1' }, { personId: 'sun', role: 'owner' }, day(2)))
      .thenRefused('not-authorised');
  });
});

describe('clerks', () => {
  it('appoints and revokes a clerk (administrator only)', () => {
    spec
      .given(populated)
      .when(c('AppointClerk', { personId: 'zhou' }, admin, day(1)))
      .then((e) => expect(e[0]?.type).toBe('ClerkAppointed'));
    spec
      .given(populated)
      .when(c('AppointClerk', { personId: 'zhou' }, clerk, day(1)))
      .thenRefused('not-authorised');
    spec
      .given(populated)
      .when(c('AppointClerk', { personId: 'clerk' }, admin, day(1)))
      .thenRefused('already-exists');
    spec
      .given(populated)
      .when(c('AppointClerk', { personId: 'ghost' }, admin, day(1)))
      .thenRefused('not-found');
    spec
      .given(populated)
      .when(c('RevokeClerk', { personId: 'clerk' }, admin, day(1)))
      .then((e) => expect(e[0]?.type).toBe('ClerkRevoked'));
    spec
      .given(populated)
      .when(c('RevokeClerk', { personId: 'zhou' }, admin, day(1)))
      .thenRefused('not-found');
    spec
      .given(populated)
      .when(c('RevokeClerk', { personId: 'clerk' }, clerk, day(1)))
      .thenRefused('not-authorised');
  });
});

describe('webhooks (通知网关)', () => {
  const sms = {
    webhookId: 'sms',
    url: 'https://sms-gateway.example.cn/yishi',
    events: ['session-notice', 'vote-opened'] as ('session-notice' | 'vote-opened')[],
    description: '短信网关',
  };
  const configured = history(
    communityDecider,
    [c('ConfigureWebhook', sms, admin, day(1))],
    populated,
  );

  it('configures a webhook; the signing key is not in the event', () => {
    spec
      .given(populated)
      .when(c('ConfigureWebhook', sms, admin, day(1)))
      .then([
        {
          type: 'WebhookConfigured',
          data: { ...sms, reconfigured: false, ...meta(admin) },
        },
      ]);
    const state = spec
      .given(populated)
      .when(c('ConfigureWebhook', sms, admin, day(1)))
      .thenState() as CommunityRegistry;
    expect(state.webhooks.sms).toEqual({ ...sms, active: true });
  });

  it('reconfigures the URL or the events of an existing webhook', () => {
    const moved = { ...sms, url: 'https://sms2.example.cn/hook', events: ['decision' as const] };
    spec
      .given(configured)
      .when(c('ConfigureWebhook', moved, admin, day(2)))
      .then([
        {
          type: 'WebhookConfigured',
          data: { ...moved, reconfigured: true, ...meta(admin, day(2)) },
        },
      ]);
    spec
      .given(configured)
      .when(
        c('ConfigureWebhook', { ...sms, events: ['vote-opened', 'session-notice'] }, admin, day(2)),
      )
      .thenRefused('invalid-command', { webhookId: 'sms' });
  });

  it('only the administrator configures or removes webhooks', () => {
    spec
      .given(populated)
      .when(c('ConfigureWebhook', sms, clerk, day(1)))
      .thenRefused('not-authorised');
    spec
      .given(configured)
      .when(c('RemoveWebhook', { webhookId: 'sms', reason: '停用' }, clerk, day(2)))
      .thenRefused('not-authorised');
  });

  it('removes a webhook once, and never gives its id (and so its key) out again', () => {
    const removed = spec
      .given(configured)
      .when(c('RemoveWebhook', { webhookId: 'sms', reason: '更换网关' }, admin, day(2)))
      .then([
        {
          type: 'WebhookRemoved',
          data: { webhookId: 'sms', reason: '更换网关', ...meta(admin, day(2)) },
        },
      ]);
    const after = [...configured, ...removed];
    expect((registryOf(after) as CommunityRegistry).webhooks.sms?.active).toBe(false);
    spec
      .given(after)
      .when(c('RemoveWebhook', { webhookId: 'sms', reason: '再次' }, admin, day(3)))
      .thenRefused('already-revoked');
    spec
      .given(after)
      .when(c('ConfigureWebhook', sms, admin, day(3)))
      .thenRefused('already-revoked', { webhookId: 'sms' });
    spec
      .given(populated)
      .when(c('RemoveWebhook', { webhookId: 'ghost', reason: '无' }, admin, day(1)))
      .thenRefused('not-found');
  });

  it(`allows at most ${MAX_ACTIVE_WEBHOOKS} active webhooks`, () => {
    const many = history(
      communityDecider,
      Array.from({ length: MAX_ACTIVE_WEBHOOKS }, (_, i) =>
        c('ConfigureWebhook', { ...sms, webhookId: `w${i}` }, admin, day(1)),
      ),
      populated,
    );
    spec
      .given(many)
      .when(c('ConfigureWebhook', { ...sms, webhookId: 'one-more' }, admin, day(2)))
      .thenRefused('invalid-command', { limit: MAX_ACTIVE_WEBHOOKS });
    const freed = history(
      communityDecider,
      [c('RemoveWebhook', { webhookId: 'w0', reason: '停用' }, admin, day(2))],
      many,
    );
    spec
      .given(freed)
      .when(c('ConfigureWebhook', { ...sms, webhookId: 'one-more' }, admin, day(3)))
      .then((e) => expect(e[0]?.type).toBe('WebhookConfigured'));
  });

  it('accepts https, or http only on this machine, without credentials in the URL', () => {
    const ok = (url: string) => ConfigureWebhookData.safeParse({ ...sms, url }).success;
    expect(ok('https://dingtalk-gw.example.cn/hook?site=3')).toBe(true);
    expect(ok('http://localhost:8080/hook')).toBe(true);
    expect(ok('http://127.0.0.1:9000/hook')).toBe(true);
    expect(ok('http://[::1]:9000/hook')).toBe(true);
    expect(ok('http://gateway.example.cn/hook')).toBe(false);
    expect(ok('ftp://gateway.example.cn/hook')).toBe(false);
    expect(ok('https://user:pass@gateway.example.cn/hook')).toBe(false);
    expect(ok('https://gateway.example.cn/hook#x')).toBe(false);
    expect(ok('not a url')).toBe(false);
    const events = (list: string[]) => ConfigureWebhookData.safeParse({ ...sms, events: list });
    expect(events([]).success).toBe(false);
    expect(events(['decision', 'decision']).success).toBe(false);
    expect(events(['ballot-cast']).success).toBe(false);
    expect(events(['session-notice', 'vote-opened', 'decision', 'publication']).success).toBe(true);
  });
});
