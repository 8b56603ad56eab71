import type { z } from 'zod';
import { type ProcedureDefinition, procedureProblem } from '../procedure/templates.ts';
import {
  type Actor,
  actorOf,
  type CommandsOf,
  type Decider,
  type EventsOf,
} from '../shared/decider.ts';
import { type DomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import type { PartyKind } from '../shared/party.ts';
import { emptyPMap, type PMap, pget, pset, pvalues } from '../shared/pmap.ts';
import { isAdultOn } from '../shared/time.ts';
import {
  type CommunitySettings,
  type communityCommandSchemas,
  type communityEventSchemas,
  defaultCommunitySettings,
  type UnitAreas,
  type WebhookEventKind,
} from './schemas.ts';

export * from './schemas.ts';

// 社区 / 村: the tenant, and its registry. Every stream and read model belongs to exactly one
// community; the registry is the source the service computes electorates and checks from.

export type CommunityCommand = CommandsOf<typeof communityCommandSchemas>;
export type CommunityEvent = EventsOf<typeof communityEventSchemas>;
export type CommunityCommandType = CommunityCommand['type'];
export type CommunityEventType = CommunityEvent['type'];

export interface Person {
  readonly personId: string;
  readonly name: string;
  readonly birthDate?: string;
  readonly adult?: boolean;
  /** The household the person lives in (居民), when they are a resident. */
  readonly householdId?: string;
}

export interface Unit {
  readonly unitId: string;
  readonly building: string;
  readonly label?: string;
  readonly kind: 'home' | 'shop' | 'parking';
  readonly areas: UnitAreas;
  readonly developerUnsold: boolean;
  readonly ownerIds: readonly string[];
}

export interface ResidentGroup {
  readonly groupId: string;
  readonly name: string;
  readonly active: boolean;
  readonly representativeIds: readonly string[];
}

export interface Household {
  readonly householdId: string;
  readonly residentGroupId?: string;
  readonly unitId?: string;
  readonly address?: string;
  readonly active: boolean;
  readonly representativeId?: string;
}

export interface Party {
  readonly partyId: string;
  readonly kind: PartyKind;
  readonly name: string;
  readonly active: boolean;
  readonly representativeIds: readonly string[];
  readonly memberIds: readonly string[];
}

export interface ProxyAuthorisation {
  readonly authorisationId: string;
  readonly ownerId: string;
  readonly proxyId: string;
  readonly proposalId: string;
  readonly itemId: string;
  readonly instructions?: string;
  readonly documentRef?: string;
  readonly form: 'written' | 'electronic';
  readonly grantedAt: string;
  readonly active: boolean;
}

/** Where the community's notifications go (通知网关); its signing key is derived, never stored. */
export interface Webhook {
  readonly webhookId: string;
  readonly url: string;
  readonly events: readonly WebhookEventKind[];
  readonly description?: string;
  /** A removed webhook stays, so its id (and so its key) is never given out again. */
  readonly active: boolean;
}

/** Active webhooks per community: each event fans out to every one of them. */
export const MAX_ACTIVE_WEBHOOKS = 10;

export interface CommunityRegistry {
  readonly status: 'registered';
  readonly communityId: string;
  readonly name: string;
  readonly kind: 'urban' | 'rural';
  readonly settings: CommunitySettings;
  /** Community-defined procedure templates, every version kept. */
  readonly procedures: Readonly<Record<string, readonly ProcedureDefinition[]>>;
  readonly persons: PMap<Person>;
  readonly units: PMap<Unit>;
  /** Index: person id → the units they own (co-owned units included). */
  readonly unitsByOwner: PMap<readonly string[]>;
  readonly groups: Readonly<Record<string, ResidentGroup>>;
  readonly households: PMap<Household>;
  readonly parties: Readonly<Record<string, Party>>;
  readonly proxies: PMap<ProxyAuthorisation>;
  /** Index: `<proposal>/<item>/<person>` → active authorisation ids given or held. */
  readonly proxiesHeld: PMap<readonly string[]>;
  readonly proxiesGiven: PMap<readonly string[]>;
  readonly clerkIds: readonly string[];
  readonly webhooks: Readonly<Record<string, Webhook>>;
}

export type CommunityState = { readonly status: 'none' } | CommunityRegistry;

// ---- Queries over the registry (pure; used by the decider and by electorateFor) -----------

export function isAdult(person: Person, asOf: string): boolean {
  if (person.birthDate !== undefined) return isAdultOn(person.birthDate, asOf);
  return person.adult === true;
}

export function isOwner(registry: CommunityRegistry, personId: string): boolean {
  return (pget(registry.unitsByOwner, personId)?.length ?? 0) > 0;
}

/** Owners' committee members (业主委员会委员) may not delegate their vote (北京 Art. 45). */
export function isOwnersCommitteeMember(registry: CommunityRegistry, personId: string): boolean {
  return Object.values(registry.parties).some(
    (p) => p.active && p.kind === 'owners-committee' && p.memberIds.includes(personId),
  );
}

export function residentsOf(registry: CommunityRegistry, householdId: string): Person[] {
  return [...pvalues(registry.persons)].filter((p) => p.householdId === householdId);
}

/** The active authorisation an owner gave for a proposal item, if any. */
export function proxyFor(
  registry: CommunityRegistry,
  ownerId: string,
  proposalId: string,
  itemId: string,
): ProxyAuthorisation | undefined {
  const [id] = pget(registry.proxiesGiven, proxyKey(proposalId, itemId, ownerId)) ?? [];
  return id === undefined ? undefined : pget(registry.proxies, id);
}

/** The authorisations a proxy holds for a proposal item (active ones), for proxy ballots. */
export function authorisationsHeld(
  registry: CommunityRegistry,
  proposalId: string,
  itemId: string,
  proxyId: string,
): ProxyAuthorisation[] {
  const ids = pget(registry.proxiesHeld, proxyKey(proposalId, itemId, proxyId)) ?? [];
  return ids.flatMap((id) => pget(registry.proxies, id) ?? []);
}

const proxyKey = (proposalId: string, itemId: string, personId: string) =>
  `${proposalId}/${itemId}/${personId}`;

// ---- evolve -------------------------------------------------------------------------------

function evolveRegistry(state: CommunityRegistry, event: CommunityEvent): CommunityRegistry {
  switch (event.type) {
    case 'CommunityRegistered':
      return state;
    case 'CommunitySettingsChanged':
      return { ...state, settings: event.data.settings };
    case 'ProcedureDefined': {
      const { procedure } = event.data;
      const versions = state.procedures[procedure.templateId] ?? [];
      return {
        ...state,
        procedures: { ...state.procedures, [procedure.templateId]: [...versions, procedure] },
      };
    }
    case 'PersonRegistered': {
      const { personId, name, birthDate, adult } = event.data;
      return {
        ...state,
        persons: pset(state.persons, personId, defined({ personId, name, birthDate, adult })),
      };
    }
    case 'PersonCorrected': {
      const { personId, name, birthDate, adult } = event.data;
      const person = pget(state.persons, personId);
      if (!person) return state;
      const corrected = { ...person, ...defined({ name, birthDate, adult }) };
      return { ...state, persons: pset(state.persons, personId, corrected) };
    }
    case 'UnitRegistered': {
      const { unitId, building, label, kind, areas, developerUnsold, ownerIds } = event.data;
      const unit: Unit = defined({
        unitId,
        building,
        label,
        kind,
        areas,
        developerUnsold,
        ownerIds,
      });
      return {
        ...state,
        units: pset(state.units, unitId, unit),
        unitsByOwner: reindexOwners(state.unitsByOwner, unitId, [], ownerIds),
      };
    }
    case 'UnitAreaCorrected':
      return updateUnit(state, event.data.unitId, (u) => ({ ...u, areas: event.data.areas }));
    case 'UnitTransferred': {
      const { unitId, ownerIds, previousOwnerIds } = event.data;
      const next = updateUnit(state, unitId, (u) => ({ ...u, ownerIds, developerUnsold: false }));
      return {
        ...next,
        unitsByOwner: reindexOwners(next.unitsByOwner, unitId, previousOwnerIds, ownerIds),
      };
    }
    case 'ResidentGroupCreated': {
      const { groupId, name } = event.data;
      const group: ResidentGroup = { groupId, name, active: true, representativeIds: [] };
      return { ...state, groups: { ...state.groups, [groupId]: group } };
    }
    case 'ResidentGroupDissolved':
      return updateGroup(state, event.data.groupId, (g) => ({ ...g, active: false }));
    case 'HouseholdCreated': {
      const { householdId, residentGroupId, unitId, address } = event.data;
      const household: Household = defined({
        householdId,
        residentGroupId,
        unitId,
        address,
        active: true,
      });
      return { ...state, households: pset(state.households, householdId, household) };
    }
    case 'HouseholdDissolved':
      return updateHousehold(state, event.data.householdId, (h) => ({ ...h, active: false }));
    case 'ResidentAdded':
    case 'ResidentMoved':
      return updatePerson(state, event.data.personId, (p) => ({
        ...p,
        householdId: event.data.householdId,
      }));
    case 'ResidentRemoved': {
      const next = updatePerson(state, event.data.personId, ({ householdId: _, ...p }) => p);
      const household = pget(next.households, event.data.householdId);
      if (household?.representativeId !== event.data.personId) return next;
      return updateHousehold(next, household.householdId, ({ representativeId: _, ...h }) => h);
    }
    case 'HouseholdRepresentativeDesignated':
      return updateHousehold(state, event.data.householdId, (h) => ({
        ...h,
        representativeId: event.data.personId,
      }));
    case 'GroupRepresentativeElected':
      return updateGroup(state, event.data.groupId, (g) => ({
        ...g,
        representativeIds: [...g.representativeIds, event.data.personId],
      }));
    case 'GroupRepresentativeRemoved':
      return updateGroup(state, event.data.groupId, (g) => ({
        ...g,
        representativeIds: g.representativeIds.filter((id) => id !== event.data.personId),
      }));
    case 'PartyRegistered': {
      const { partyId, kind, name } = event.data;
      const party: Party = {
        partyId,
        kind,
        name,
        active: true,
        representativeIds: [],
        memberIds: [],
      };
      return { ...state, parties: { ...state.parties, [partyId]: party } };
    }
    case 'PartyDissolved':
      return updateParty(state, event.data.partyId, (p) => ({ ...p, active: false }));
    case 'PartyRepresentativeAppointed':
      return updateParty(state, event.data.partyId, (p) => ({
        ...p,
        representativeIds: [...p.representativeIds, event.data.personId],
      }));
    case 'PartyRepresentativeRevoked':
      return updateParty(state, event.data.partyId, (p) => ({
        ...p,
        representativeIds: p.representativeIds.filter((id) => id !== event.data.personId),
      }));
    case 'PartyMemberAdded':
      return updateParty(state, event.data.partyId, (p) => ({
        ...p,
        memberIds: [...p.memberIds, event.data.personId],
      }));
    case 'PartyMemberRemoved':
      return updateParty(state, event.data.partyId, (p) => ({
        ...p,
        memberIds: p.memberIds.filter((id) => id !== event.data.personId),
      }));
    case 'ProxyGranted': {
      const d = event.data;
      const authorisation: ProxyAuthorisation = defined({
        authorisationId: d.authorisationId,
        ownerId: d.ownerId,
        proxyId: d.proxyId,
        proposalId: d.proposalId,
        itemId: d.itemId,
        instructions: d.instructions,
        documentRef: d.documentRef,
        form: d.form,
        grantedAt: d.at,
        active: true,
      });
      return indexProxy(
        { ...state, proxies: pset(state.proxies, d.authorisationId, authorisation) },
        authorisation,
        (ids) => [...ids, d.authorisationId],
      );
    }
    case 'ProxyRevoked': {
      const authorisation = pget(state.proxies, event.data.authorisationId);
      if (!authorisation) return state;
      const revoked = { ...authorisation, active: false };
      return indexProxy(
        { ...state, proxies: pset(state.proxies, revoked.authorisationId, revoked) },
        revoked,
        (ids) => ids.filter((id) => id !== revoked.authorisationId),
      );
    }
    case 'ClerkAppointed':
      return { ...state, clerkIds: [...state.clerkIds, event.data.personId] };
    case 'ClerkRevoked':
      return { ...state, clerkIds: state.clerkIds.filter((id) => id !== event.data.personId) };
    case 'WebhookConfigured': {
      const { webhookId, url, events, description } = event.data;
      const webhook: Webhook = defined({ webhookId, url, events, description, active: true });
      return { ...state, webhooks: { ...state.webhooks, [webhookId]: webhook } };
    }
    case 'WebhookRemoved': {
      const webhook = state.webhooks[event.data.webhookId];
      if (!webhook) return state;
      const removed = { ...webhook, active: false };
      return { ...state, webhooks: { ...state.webhooks, [webhook.webhookId]: removed } };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

function updateUnit(s: CommunityRegistry, id: string, f: (u: Unit) => Unit): CommunityRegistry {
  const unit = pget(s.units, id);
  return unit ? { ...s, units: pset(s.units, id, f(unit)) } : s;
}
function updatePerson(s: CommunityRegistry, id: string, f: (p: Person) => Person) {
  const person = pget(s.persons, id);
  return person ? { ...s, persons: pset(s.persons, id, f(person)) } : s;
}
function updateHousehold(s: CommunityRegistry, id: string, f: (h: Household) => Household) {
  const household = pget(s.households, id);
  return household ? { ...s, households: pset(s.households, id, f(household)) } : s;
}
function updateGroup(s: CommunityRegistry, id: string, f: (g: ResidentGroup) => ResidentGroup) {
  const group = s.groups[id];
  return group ? { ...s, groups: { ...s.groups, [id]: f(group) } } : s;
}
function updateParty(s: CommunityRegistry, id: string, f: (p: Party) => Party) {
  const party = s.parties[id];
  return party ? { ...s, parties: { ...s.parties, [id]: f(party) } } : s;
}

function reindexOwners(
  index: PMap<readonly string[]>,
  unitId: string,
  previous: readonly string[],
  next: readonly string[],
): PMap<readonly string[]> {
  let result = index;
  for (const id of previous) {
    result = pset(
      result,
      id,
      (pget(result, id) ?? []).filter((u) => u !== unitId),
    );
  }
  for (const id of next) result = pset(result, id, [...(pget(result, id) ?? []), unitId]);
  return result;
}

function indexProxy(
  s: CommunityRegistry,
  a: ProxyAuthorisation,
  f: (ids: readonly string[]) => readonly string[],
): CommunityRegistry {
  const held = proxyKey(a.proposalId, a.itemId, a.proxyId);
  const given = proxyKey(a.proposalId, a.itemId, a.ownerId);
  return {
    ...s,
    proxiesHeld: pset(s.proxiesHeld, held, f(pget(s.proxiesHeld, held) ?? [])),
    proxiesGiven: pset(s.proxiesGiven, given, f(pget(s.proxiesGiven, given) ?? [])),
  };
}

// ---- decide -------------------------------------------------------------------------------

type Decision = readonly CommunityEvent[] | DomainError;
type EventData<T extends CommunityEventType> = Extract<CommunityEvent, { type: T }>['data'];
/** One event of type T, stamped with the command's time and actor. */
type Emit = <T extends CommunityEventType>(
  type: T,
  data: Omit<EventData<T>, 'at' | 'by'>,
) => CommunityEvent[];

/** Registry upkeep is done by an appointed clerk (or the administrator). */
function requireClerk(state: CommunityRegistry, actor: Actor): DomainError | undefined {
  if (actor.role === 'admin') return undefined;
  if (actor.role === 'clerk' && state.clerkIds.includes(actor.personId)) return undefined;
  return refuse('not-authorised', 'only an appointed clerk keeps the registry', {
    personId: actor.personId,
  });
}

function requirePerson(state: CommunityRegistry, personId: string): DomainError | undefined {
  return pget(state.persons, personId)
    ? undefined
    : refuse('not-found', `person ${personId} is not registered`, { personId });
}

function requireAll(...checks: (() => DomainError | undefined)[]): DomainError | undefined {
  for (const check of checks) {
    const error = check();
    if (error) return error;
  }
  return undefined;
}

function activeParty(state: CommunityRegistry, partyId: string): Party | DomainError {
  const party = state.parties[partyId];
  if (!party?.active) return refuse('not-found', `party ${partyId} is not active`, { partyId });
  return party;
}

function decideRegistry(command: CommunityCommand, state: CommunityRegistry): Decision {
  const meta = { at: command.at, by: actorOf(command) };
  const one: Emit = (type, data) => [
    { type, data: { ...data, ...meta } } as unknown as CommunityEvent,
  ];

  switch (command.type) {
    case 'RegisterCommunity':
      return refuse('already-exists', `community ${command.data.communityId} exists`, {
        communityId: command.data.communityId,
      });
    case 'ChangeCommunitySettings': {
      if (command.actor.role !== 'admin') {
        return refuse('not-authorised', 'only the administrator changes the settings');
      }
      const settings = { ...state.settings, ...command.data };
      if (settings.deemedConsent && settings.deemedConsentStatuteRef === undefined) {
        return refuse('invalid-command', 'deemed consent needs the statute provision allowing it');
      }
      return one('CommunitySettingsChanged', { settings });
    }
    case 'DefineProcedure': {
      const { templateId, name, stages } = command.data;
      const error = requireClerk(state, command.actor);
      if (error) return error;
      const problem = procedureProblem(stages);
      if (problem) return refuse('invalid-command', problem, { templateId });
      const version = (state.procedures[templateId]?.length ?? 0) + 1;
      return one('ProcedureDefined', { procedure: { templateId, version, name, stages } });
    }
    case 'RegisterPerson': {
      const { personId } = command.data;
      const error = requireClerk(state, command.actor);
      if (error) return error;
      if (pget(state.persons, personId)) {
        return refuse('already-exists', `person ${personId} exists`, { personId });
      }
      return one('PersonRegistered', command.data);
    }
    case 'CorrectPerson': {
      const error =
        requireClerk(state, command.actor) ?? requirePerson(state, command.data.personId);
      return error ?? one('PersonCorrected', command.data);
    }
    case 'RegisterUnit': {
      const { unitId, ownerIds, developerUnsold } = command.data;
      const error = requireAll(
        () => requireClerk(state, command.actor),
        () =>
          pget(state.units, unitId)
            ? refuse('already-exists', `unit ${unitId} exists`, { unitId })
            : undefined,
        () =>
          ownerIds.length === 0 && !developerUnsold
            ? refuse('invalid-command', 'a sold unit needs at least one owner', { unitId })
            : undefined,
        () => distinct(ownerIds, 'owner'),
        ...ownerIds.map((id) => () => requirePerson(state, id)),
      );
      return error ?? one('UnitRegistered', command.data);
    }
    case 'CorrectUnitArea': {
      const unit = pget(state.units, command.data.unitId);
      const error = requireClerk(state, command.actor) ?? unitExists(unit, command.data.unitId);
      if (error || !unit) return error ?? [];
      return one('UnitAreaCorrected', { ...command.data, previous: unit.areas });
    }
    case 'TransferUnit': {
      const { unitId, ownerIds } = command.data;
      const unit = pget(state.units, unitId);
      const error = requireAll(
        () => requireClerk(state, command.actor),
        () => unitExists(unit, unitId),
        () => distinct(ownerIds, 'owner'),
        ...ownerIds.map((id) => () => requirePerson(state, id)),
      );
      if (error || !unit) return error ?? [];
      if (!unit.developerUnsold && sameSet(unit.ownerIds, ownerIds)) {
        return refuse('invalid-command', 'the unit already has these owners', { unitId });
      }
      return one('UnitTransferred', {
        ...command.data,
        previousOwnerIds: [...unit.ownerIds],
        wasDeveloperUnsold: unit.developerUnsold,
      });
    }
    case 'CreateResidentGroup': {
      const { groupId } = command.data;
      const error =
        requireClerk(state, command.actor) ??
        (state.groups[groupId]
          ? refuse('already-exists', `resident group ${groupId} exists`, { groupId })
          : undefined);
      return error ?? one('ResidentGroupCreated', command.data);
    }
    case 'DissolveResidentGroup': {
      const error = requireClerk(state, command.actor) ?? activeGroup(state, command.data.groupId);
      return error ?? one('ResidentGroupDissolved', command.data);
    }
    case 'CreateHousehold': {
      const { householdId, residentGroupId, unitId } = command.data;
      const error = requireAll(
        () => requireClerk(state, command.actor),
        () =>
          pget(state.households, householdId)
            ? refuse('already-exists', `household ${householdId} exists`, { householdId })
            : undefined,
        () => (residentGroupId === undefined ? undefined : activeGroup(state, residentGroupId)),
        () => (unitId === undefined ? undefined : unitExists(pget(state.units, unitId), unitId)),
      );
      return error ?? one('HouseholdCreated', command.data);
    }
    case 'DissolveHousehold': {
      const { householdId } = command.data;
      const error = requireAll(
        () => requireClerk(state, command.actor),
        () => activeHousehold(state, householdId),
        () =>
          residentsOf(state, householdId).length > 0
            ? refuse('invalid-command', 'the household still has residents', { householdId })
            : undefined,
      );
      return error ?? one('HouseholdDissolved', command.data);
    }
    case 'AddResident': {
      const { personId, householdId } = command.data;
      const error = requireAll(
        () => requireClerk(state, command.actor),
        () => requirePerson(state, personId),
        () => activeHousehold(state, householdId),
        () =>
          pget(state.persons, personId)?.householdId === undefined
            ? undefined
            : refuse('already-exists', `${personId} already lives in a household`, { personId }),
      );
      return error ?? one('ResidentAdded', command.data);
    }
    case 'MoveResident': {
      const { personId, householdId } = command.data;
      const from = pget(state.persons, personId)?.householdId;
      const error = requireAll(
        () => requireClerk(state, command.actor),
        () => (from === undefined ? refuse('not-found', `${personId} is no resident`) : undefined),
        () => activeHousehold(state, householdId),
        () =>
          from === householdId
            ? refuse('invalid-command', `${personId} already lives there`)
            : undefined,
      );
      if (error || from === undefined) return error ?? [];
      return one('ResidentMoved', { ...command.data, fromHouseholdId: from });
    }
    case 'RemoveResident': {
      const { personId } = command.data;
      const householdId = pget(state.persons, personId)?.householdId;
      const error =
        requireClerk(state, command.actor) ??
        (householdId === undefined ? refuse('not-found', `${personId} is no resident`) : undefined);
      if (error || householdId === undefined) return error ?? [];
      return one('ResidentRemoved', { ...command.data, householdId });
    }
    case 'DesignateHouseholdRepresentative': {
      const { householdId, personId } = command.data;
      const person = pget(state.persons, personId);
      const error = requireAll(
        () => requireClerk(state, command.actor),
        () => activeHousehold(state, householdId),
        () =>
          person?.householdId === householdId && isAdult(person, command.at)
            ? undefined
            : refuse('not-eligible', 'a household representative is an adult of the household', {
                householdId,
                personId,
              }),
      );
      if (error) return error;
      const previousPersonId = pget(state.households, householdId)?.representativeId;
      return one(
        'HouseholdRepresentativeDesignated',
        defined({ ...command.data, previousPersonId }),
      );
    }
    case 'ElectGroupRepresentative': {
      const { groupId, personId } = command.data;
      const group = state.groups[groupId];
      const person = pget(state.persons, personId);
      const household =
        person?.householdId === undefined ? undefined : pget(state.households, person.householdId);
      const error = requireAll(
        () => requireClerk(state, command.actor),
        () => activeGroup(state, groupId),
        () =>
          person && household?.residentGroupId === groupId && isAdult(person, command.at)
            ? undefined
            : refuse('not-eligible', 'a group representative is an adult resident of the group', {
                groupId,
                personId,
              }),
        () =>
          group?.representativeIds.includes(personId)
            ? refuse('already-exists', `${personId} already represents ${groupId}`)
            : undefined,
        // 居民委员会组织法 Art. 9: two or three representatives per resident group.
        () =>
          state.kind === 'urban' && (group?.representativeIds.length ?? 0) >= 3
            ? refuse('invalid-command', 'a resident group elects at most 3 representatives', {
                groupId,
              })
            : undefined,
      );
      return error ?? one('GroupRepresentativeElected', command.data);
    }
    case 'RemoveGroupRepresentative': {
      const { groupId, personId } = command.data;
      const error =
        requireClerk(state, command.actor) ??
        (state.groups[groupId]?.representativeIds.includes(personId)
          ? undefined
          : refuse('not-found', `${personId} does not represent ${groupId}`));
      return error ?? one('GroupRepresentativeRemoved', command.data);
    }
    case 'RegisterParty': {
      const { partyId } = command.data;
      const error =
        requireClerk(state, command.actor) ??
        (state.parties[partyId]
          ? refuse('already-exists', `party ${partyId} exists`, { partyId })
          : undefined);
      return error ?? one('PartyRegistered', command.data);
    }
    case 'DissolveParty': {
      const party = activeParty(state, command.data.partyId);
      const error = requireClerk(state, command.actor) ?? asError(party);
      return error ?? one('PartyDissolved', command.data);
    }
    case 'AppointPartyRepresentative':
    case 'AddPartyMember': {
      const { partyId, personId } = command.data;
      const party = activeParty(state, partyId);
      const list = command.type === 'AddPartyMember' ? 'memberIds' : 'representativeIds';
      const error = requireAll(
        () => requireClerk(state, command.actor),
        () => asError(party),
        () => requirePerson(state, personId),
        () =>
          !asError(party) && (party as Party)[list].includes(personId)
            ? refuse('already-exists', `${personId} is already listed for ${partyId}`)
            : undefined,
      );
      if (error) return error;
      return command.type === 'AddPartyMember'
        ? one('PartyMemberAdded', command.data)
        : one('PartyRepresentativeAppointed', command.data);
    }
    case 'RevokePartyRepresentative':
    case 'RemovePartyMember': {
      const { partyId, personId } = command.data;
      const party = state.parties[partyId];
      const list = command.type === 'RemovePartyMember' ? 'memberIds' : 'representativeIds';
      const error =
        requireClerk(state, command.actor) ??
        (party?.[list].includes(personId)
          ? undefined
          : refuse('not-found', `${personId} is not listed for ${partyId}`));
      if (error) return error;
      return command.type === 'RemovePartyMember'
        ? one('PartyMemberRemoved', command.data)
        : one('PartyRepresentativeRevoked', command.data);
    }
    case 'GrantProxy':
      return decideGrantProxy(command.data, command, state, one);
    case 'RevokeProxy': {
      const { authorisationId } = command.data;
      const authorisation = pget(state.proxies, authorisationId);
      if (!authorisation) return refuse('not-found', `no authorisation ${authorisationId}`);
      const byOwner =
        command.actor.role === 'owner' && command.actor.personId === authorisation.ownerId;
      const error = byOwner ? undefined : requireClerk(state, command.actor);
      if (error) return error;
      if (!authorisation.active) {
        return refuse('already-revoked', `authorisation ${authorisationId} is revoked`);
      }
      return one('ProxyRevoked', command.data);
    }
    case 'AppointClerk': {
      const { personId } = command.data;
      if (command.actor.role !== 'admin') {
        return refuse('not-authorised', 'only the administrator appoints clerks');
      }
      const error =
        requirePerson(state, personId) ??
        (state.clerkIds.includes(personId)
          ? refuse('already-exists', `${personId} is already a clerk`)
          : undefined);
      return error ?? one('ClerkAppointed', command.data);
    }
    case 'RevokeClerk': {
      const { personId } = command.data;
      if (command.actor.role !== 'admin') {
        return refuse('not-authorised', 'only the administrator revokes clerks');
      }
      if (!state.clerkIds.includes(personId)) {
        return refuse('not-found', `${personId} is not a clerk`);
      }
      return one('ClerkRevoked', command.data);
    }
    case 'ConfigureWebhook':
      return decideConfigureWebhook(command.data, command.actor, state, one);
    case 'RemoveWebhook': {
      const { webhookId } = command.data;
      if (command.actor.role !== 'admin') {
        return refuse('not-authorised', 'only the administrator removes webhooks');
      }
      const webhook = state.webhooks[webhookId];
      if (!webhook) return refuse('not-found', `no webhook ${webhookId}`, { webhookId });
      if (!webhook.active) {
        return refuse('already-revoked', `webhook ${webhookId} is removed`, { webhookId });
      }
      return one('WebhookRemoved', command.data);
    }
    default: {
      const _exhaustive: never = command;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

function decideGrantProxy(
  data: z.infer<typeof communityCommandSchemas.GrantProxy>,
  command: CommunityCommand,
  state: CommunityRegistry,
  one: Emit,
): Decision {
  const { actor } = command;
  const { authorisationId, ownerId, proxyId, proposalId, itemId } = data;
  const form = actor.role === 'owner' ? 'electronic' : 'written';
  const error = requireAll(
    () =>
      actor.role === 'owner'
        ? actor.personId === ownerId
          ? undefined
          : refuse('not-authorised', 'an owner authorises a proxy only for themselves')
        : requireClerk(state, actor),
    () =>
      form === 'written' && data.documentRef === undefined
        ? refuse('invalid-command', 'a written authorisation needs its document reference')
        : undefined,
    () =>
      pget(state.proxies, authorisationId)
        ? refuse('already-exists', `authorisation ${authorisationId} exists`)
        : undefined,
    () =>
      isOwner(state, ownerId)
        ? undefined
        : refuse('not-eligible', `${ownerId} owns no unit`, { ownerId }),
    () =>
      isOwnersCommitteeMember(state, ownerId)
        ? refuse('delegation-not-allowed', 'owners’ committee members may not delegate', {
            ownerId,
          })
        : undefined,
    () => requirePerson(state, proxyId),
    () =>
      proxyId === ownerId
        ? refuse('invalid-command', 'an owner cannot be their own proxy')
        : undefined,
    () =>
      proxyFor(state, ownerId, proposalId, itemId)
        ? refuse('already-exists', `${ownerId} already authorised a proxy for this item`, {
            proposalId,
            itemId,
          })
        : undefined,
    () => {
      const held = pget(state.proxiesHeld, proxyKey(proposalId, itemId, proxyId))?.length ?? 0;
      return held >= state.settings.proxyLimit
        ? refuse('proxy-limit-reached', `${proxyId} already holds ${held} authorisations`, {
            proxyId,
            held,
            limit: state.settings.proxyLimit,
          })
        : undefined;
    },
  );
  return error ?? one('ProxyGranted', { ...data, form });
}

function decideConfigureWebhook(
  data: z.infer<typeof communityCommandSchemas.ConfigureWebhook>,
  actor: Actor,
  state: CommunityRegistry,
  one: Emit,
): Decision {
  const { webhookId } = data;
  if (actor.role !== 'admin') {
    return refuse('not-authorised', 'only the administrator configures webhooks');
  }
  const existing = state.webhooks[webhookId];
  if (existing && !existing.active) {
    // The key is derived from the id: a removed id's key may be in the wrong hands.
    return refuse('already-revoked', `webhook ${webhookId} was removed; configure a new id`, {
      webhookId,
    });
  }
  if (
    existing &&
    existing.url === data.url &&
    existing.description === data.description &&
    sameSet(existing.events, data.events)
  ) {
    return refuse('invalid-command', `webhook ${webhookId} is already configured so`, {
      webhookId,
    });
  }
  const active = Object.values(state.webhooks).filter((w) => w.active).length;
  if (!existing && active >= MAX_ACTIVE_WEBHOOKS) {
    return refuse('invalid-command', `a community has at most ${MAX_ACTIVE_WEBHOOKS} webhooks`, {
      limit: MAX_ACTIVE_WEBHOOKS,
    });
  }
  return one('WebhookConfigured', defined({ ...data, reconfigured: existing !== undefined }));
}

function unitExists(unit: Unit | undefined, unitId: string): DomainError | undefined {
  return unit ? undefined : refuse('not-found', `unit ${unitId} is not registered`, { unitId });
}
function activeGroup(state: CommunityRegistry, groupId: string): DomainError | undefined {
  return state.groups[groupId]?.active
    ? undefined
    : refuse('not-found', `resident group ${groupId} is not active`, { groupId });
}
function activeHousehold(state: CommunityRegistry, householdId: string): DomainError | undefined {
  return pget(state.households, householdId)?.active
    ? undefined
    : refuse('not-found', `household ${householdId} is not active`, { householdId });
}
function distinct(ids: readonly string[], what: string): DomainError | undefined {
  return new Set(ids).size === ids.length
    ? undefined
    : refuse('invalid-command', `a ${what} is listed twice`);
}
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
function asError(value: Party | DomainError): DomainError | undefined {
  return 'code' in value ? value : undefined;
}

// ---- the decider --------------------------------------------------------------------------

export const communityDecider: Decider<CommunityCommand, CommunityEvent, CommunityState> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
    if (event.type === 'CommunityRegistered') {
      const { communityId, name, kind, settings } = event.data;
      return {
        status: 'registered',
        communityId,
        name,
        kind,
        settings,
        procedures: {},
        persons: emptyPMap(),
        units: emptyPMap(),
        unitsByOwner: emptyPMap(),
        groups: {},
        households: emptyPMap(),
        parties: {},
        proxies: emptyPMap(),
        proxiesHeld: emptyPMap(),
        proxiesGiven: emptyPMap(),
        clerkIds: [],
        webhooks: {},
      };
    }
    return state.status === 'registered' ? evolveRegistry(state, event) : state;
  },
  decide(command, state): readonly CommunityEvent[] | DomainError {
    if (state.status === 'registered') return decideRegistry(command, state);
    if (command.type !== 'RegisterCommunity') {
      return refuse('community-not-registered', 'register the community first');
    }
    const { communityId, name, kind, settings } = command.data;
    return [
      {
        type: 'CommunityRegistered',
        data: {
          communityId,
          name,
          kind,
          settings: { ...defaultCommunitySettings, ...settings },
          registeredAt: command.at,
          by: actorOf(command),
        },
      },
    ];
  },
};
