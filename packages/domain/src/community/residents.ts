import { eventsFor } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { pget } from '../shared/pmap.ts';
import { notErased } from './erasure.ts';
import {
  activeGroup,
  activeHousehold,
  requireAll,
  requireClerk,
  requirePerson,
  unitExists,
} from './guards.ts';
import { isAdult, residentsOf } from './queries.ts';
import type {
  CommunityCommandOf,
  CommunityDecision,
  CommunityEvent,
  CommunityRegistry,
} from './state.ts';

// Persons, and the residents among them (居民): their households (户) and resident groups
// (居民小组), with the representatives each designates or elects. Kept by the clerk.

export function registerPerson(
  command: CommunityCommandOf<'RegisterPerson'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { personId } = command.data;
  const error = requireClerk(state, command.actor);
  if (error) return error;
  if (pget(state.persons, personId)) {
    return refuse('already-exists', `person ${personId} exists`, { personId });
  }
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('PersonRegistered', command.data)];
}

export function correctPerson(
  command: CommunityCommandOf<'CorrectPerson'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { personId, name, birthDate, phone } = command.data;
  const error = requireAll(
    () => requireClerk(state, command.actor),
    () => requirePerson(state, personId),
    // Only `adult` may still be corrected once the person's personal data is erased.
    () =>
      name === undefined && birthDate === undefined && phone === undefined
        ? undefined
        : notErased(state, personId),
  );
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('PersonCorrected', command.data)];
}

export function createResidentGroup(
  command: CommunityCommandOf<'CreateResidentGroup'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { groupId } = command.data;
  const error =
    requireClerk(state, command.actor) ??
    (state.groups[groupId]
      ? refuse('already-exists', `resident group ${groupId} exists`, { groupId })
      : undefined);
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ResidentGroupCreated', command.data)];
}

export function dissolveResidentGroup(
  command: CommunityCommandOf<'DissolveResidentGroup'>,
  state: CommunityRegistry,
): CommunityDecision {
  const error = requireClerk(state, command.actor) ?? activeGroup(state, command.data.groupId);
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ResidentGroupDissolved', command.data)];
}

export function createHousehold(
  command: CommunityCommandOf<'CreateHousehold'>,
  state: CommunityRegistry,
): CommunityDecision {
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
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('HouseholdCreated', command.data)];
}

export function dissolveHousehold(
  command: CommunityCommandOf<'DissolveHousehold'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { householdId } = command.data;
  const error = requireAll(
    () => requireClerk(state, command.actor),
    () => activeHousehold(state, householdId),
    () =>
      residentsOf(state, householdId).length > 0
        ? refuse('invalid-command', 'the household still has residents', { householdId })
        : undefined,
  );
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('HouseholdDissolved', command.data)];
}

export function addResident(
  command: CommunityCommandOf<'AddResident'>,
  state: CommunityRegistry,
): CommunityDecision {
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
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ResidentAdded', command.data)];
}

export function moveResident(
  command: CommunityCommandOf<'MoveResident'>,
  state: CommunityRegistry,
): CommunityDecision {
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
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ResidentMoved', { ...command.data, fromHouseholdId: from })];
}

export function removeResident(
  command: CommunityCommandOf<'RemoveResident'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { personId } = command.data;
  const householdId = pget(state.persons, personId)?.householdId;
  const error =
    requireClerk(state, command.actor) ??
    (householdId === undefined ? refuse('not-found', `${personId} is no resident`) : undefined);
  if (error || householdId === undefined) return error ?? [];
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ResidentRemoved', { ...command.data, householdId })];
}

export function designateHouseholdRepresentative(
  command: CommunityCommandOf<'DesignateHouseholdRepresentative'>,
  state: CommunityRegistry,
): CommunityDecision {
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
  const emit = eventsFor<CommunityEvent>(command);
  return [
    emit('HouseholdRepresentativeDesignated', defined({ ...command.data, previousPersonId })),
  ];
}

export function electGroupRepresentative(
  command: CommunityCommandOf<'ElectGroupRepresentative'>,
  state: CommunityRegistry,
): CommunityDecision {
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
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('GroupRepresentativeElected', command.data)];
}

export function removeGroupRepresentative(
  command: CommunityCommandOf<'RemoveGroupRepresentative'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { groupId, personId } = command.data;
  const error =
    requireClerk(state, command.actor) ??
    (state.groups[groupId]?.representativeIds.includes(personId)
      ? undefined
      : refuse('not-found', `${personId} does not represent ${groupId}`));
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('GroupRepresentativeRemoved', command.data)];
}
