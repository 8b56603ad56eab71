import type { ConvocationElectorate, SignerFacts } from '../convocation/schemas.ts';
import { areaForVoting } from '../rules/area.ts';
import { byCodeUnit, ownersElectorate, sameBuildingOwners } from '../rules/owners-electorate.ts';
import { pget, pvalues } from '../shared/pmap.ts';
import {
  type AdoptedRules,
  inScope,
  type VoteRule,
  type Voter,
  type VoteScope,
} from '../vote/schemas.ts';
import {
  type CommunityRegistry,
  defaultPartyMembersMeeting,
  isAdult,
  type Person,
} from './community.ts';

// The electorate of a vote, computed by the service from the registry when voting opens and
// passed in the OpenVoting command, so the proposal decider stays pure and the vote is frozen.

export interface Electorate {
  voters: Voter[];
  /** Registry entries left out, and why (parking spaces, persons of unknown age...). */
  excluded: { id: string; reason: string }[];
}

/**
 * Every eligible voter for `rule` with their area and head weight, as of `asOf` (the time the
 * vote opens: adulthood is computed on that date). An owners' vote of one building or entrance
 * (domain.md 3.1b) counts the units in `scope` only: an owner's other units do not add area.
 */
export function electorateFor(
  registry: CommunityRegistry,
  rule: VoteRule,
  asOf: string,
  scope?: VoteScope,
): Electorate {
  switch (rule.kind) {
    case 'owners-278': {
      const units = ownedUnits(registry).filter((u) => inScope(scope, u.buildingId, u.entrance));
      const result = ownersElectorate(units, {
        countParking: rule.countParking,
        developerId: registry.settings.developerId,
      });
      return {
        voters: result.voters.map((v) => ({
          voterId: v.voterId,
          personIds: v.ownerIds,
          unitIds: v.unitIds,
          areaCentiM2: v.areaCentiM2,
          heads: v.heads,
        })),
        excluded: result.excluded.map((e) => ({ id: e.unitId, reason: e.reason })),
      };
    }
    case 'residents-meeting':
      switch (rule.form) {
        case 'all-adults':
          return adults(registry, asOf, () => true);
        case 'household-representatives':
          return households(registry, asOf);
        case 'group-representatives':
          return groupRepresentatives(registry);
        default: {
          const _exhaustive: never = rule.form;
          return { voters: [], excluded: [] };
        }
      }
    case 'villagers-meeting':
      return adults(registry, asOf, () => true);
    case 'villager-group-meeting':
      return adults(
        registry,
        asOf,
        (p) => householdOf(registry, p)?.residentGroupId === rule.groupId,
      );
    case 'villagers-representatives-meeting':
      return groupRepresentatives(registry);
    case 'party-members-meeting': {
      const party = registry.parties[rule.partyId];
      const members = party?.active ? party.memberIds : [];
      return { voters: sorted(members.map((id) => person(id))), excluded: [] };
    }
    case 'art279-consent': {
      const interested = sameBuildingOwners(
        ownedUnits(registry),
        rule.unitId,
        registry.settings.developerId,
      );
      return { voters: sorted(interested.map((id) => person(id))), excluded: [] };
    }
    default: {
      const _exhaustive: never = rule;
      return { voters: [], excluded: [] };
    }
  }
}

/** The rule settings a community adopted, as a vote freezes them (OpenVoting's context). */
export function adoptedRules(registry: Pick<CommunityRegistry, 'kind' | 'settings'>): AdoptedRules {
  const { settings } = registry;
  return {
    communityKind: registry.kind,
    deemedConsent: settings.deemedConsent,
    ...(settings.deemedConsentStatuteRef === undefined
      ? {}
      : { deemedConsentStatuteRef: settings.deemedConsentStatuteRef }),
    countParking: settings.parkingSpacesVote,
    partyMembersMeeting: settings.partyMembersMeeting ?? defaultPartyMembersMeeting,
  };
}

/** The owners of a unit: the applicants of an Art. 279 change of use. */
export function unitOwners(registry: CommunityRegistry, unitId: string): string[] {
  const unit = pget(registry.units, unitId);
  if (!unit) return [];
  return unit.developerUnsold ? [registry.settings.developerId] : [...unit.ownerIds];
}

/**
 * The units that make `personId` an owner in owners' votes (SPC 2020 Art. 9): units on record
 * in their name, or every unsold unit for the developer; parking spaces only where the
 * community counts them (domain.md 3.1, open). Sorted; what an owner's submission carries.
 */
export function unitsCountedFor(registry: CommunityRegistry, personId: string): string[] {
  const { developerId, parkingSpacesVote } = registry.settings;
  const units: string[] = [];
  for (const unit of pvalues(registry.units)) {
    if (unit.kind === 'parking' && !parkingSpacesVote) continue;
    const owners = unit.developerUnsold ? [developerId] : unit.ownerIds;
    if (owners.includes(personId)) units.push(unit.unitId);
  }
  return units.sort(byCodeUnit);
}

/**
 * What a residents' meeting request (Art. 10) needs from the registry at `asOf`: what the
 * signer may sign as, and the size of each body counted, as the meeting's electorates count
 * them (adults of an active household; households with an adult; active resident groups).
 */
export function convocationFacts(
  registry: CommunityRegistry,
  personId: string,
  asOf: string,
): { signer: SignerFacts; electorate: ConvocationElectorate } {
  const electorate = {
    adults: adults(registry, asOf, () => true).voters.length,
    households: households(registry, asOf).voters.length,
    groups: Object.values(registry.groups).filter((g) => g.active).length,
  };
  const p = pget(registry.persons, personId);
  const household = p && householdOf(registry, p);
  if (!p || !household || !isAdult(p, asOf))
    return { signer: { adultResident: false }, electorate };
  const representative = household.representativeId;
  const groupId = household.residentGroupId;
  const group = groupId === undefined ? undefined : registry.groups[groupId];
  const signer: SignerFacts = { adultResident: true };
  if (representative === undefined || representative === personId) {
    signer.householdId = household.householdId;
  }
  if (group?.active && group.representativeIds.includes(personId)) signer.groupId = group.groupId;
  return { signer, electorate };
}

function ownedUnits(registry: CommunityRegistry) {
  return [...pvalues(registry.units)].map((u) => ({
    unitId: u.unitId,
    areaCentiM2: areaForVoting(u.areas).areaCentiM2,
    ownerIds: [...u.ownerIds],
    kind: u.kind,
    developerUnsold: u.developerUnsold,
    buildingId: u.building,
    entrance: u.entrance,
  }));
}

function person(personId: string, householdId?: string): Voter {
  const voter: Voter = {
    voterId: personId,
    personIds: [personId],
    unitIds: [],
    areaCentiM2: 0,
    heads: 1,
  };
  return householdId === undefined ? voter : { ...voter, householdId };
}

function householdOf(registry: CommunityRegistry, p: Person) {
  if (p.householdId === undefined) return undefined;
  const household = pget(registry.households, p.householdId);
  return household?.active ? household : undefined;
}

/** Adult residents (18+ on `asOf`); persons of unknown age are left out and listed. */
function adults(
  registry: CommunityRegistry,
  asOf: string,
  include: (p: Person) => boolean,
): Electorate {
  const voters: Voter[] = [];
  const excluded: Electorate['excluded'] = [];
  for (const p of pvalues(registry.persons)) {
    const household = householdOf(registry, p);
    if (!household || !include(p)) continue;
    if (p.birthDate === undefined && p.adult === undefined) {
      excluded.push({ id: p.personId, reason: 'age-unknown' });
    } else if (isAdult(p, asOf)) {
      voters.push(person(p.personId, household.householdId));
    }
  }
  return { voters: sorted(voters), excluded: excluded.sort((a, b) => byCodeUnit(a.id, b.id)) };
}

/** One voter per household with an adult: its representative, or any adult of it. */
function households(registry: CommunityRegistry, asOf: string): Electorate {
  const members = new Map<string, string[]>();
  for (const p of pvalues(registry.persons)) {
    const household = householdOf(registry, p);
    if (!household || !isAdult(p, asOf)) continue;
    members.set(household.householdId, [...(members.get(household.householdId) ?? []), p.personId]);
  }
  const voters: Voter[] = [];
  for (const [householdId, adultIds] of members) {
    const representative = pget(registry.households, householdId)?.representativeId;
    voters.push({
      voterId: householdId,
      personIds: representative === undefined ? adultIds.sort(byCodeUnit) : [representative],
      unitIds: [],
      areaCentiM2: 0,
      heads: 1,
      householdId,
    });
  }
  return { voters: sorted(voters), excluded: [] };
}

function groupRepresentatives(registry: CommunityRegistry): Electorate {
  const voters = Object.values(registry.groups)
    .filter((g) => g.active)
    .flatMap((g) => g.representativeIds.map((id) => person(id)));
  return { voters: sorted(voters), excluded: [] };
}

function sorted(voters: Voter[]): Voter[] {
  return voters.sort((a, b) => byCodeUnit(a.voterId, b.voterId));
}
