import type { Actor } from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { pget } from '../shared/pmap.ts';
import type { CommunityRegistry, Party, Unit } from './state.ts';

// The checks the registry's commands share: each returns a coded refusal, or undefined.

/** Registry upkeep is done by an appointed clerk (or the administrator). */
export function requireClerk(state: CommunityRegistry, actor: Actor): DomainError | undefined {
  if (actor.role === 'admin') return undefined;
  if (actor.role === 'clerk' && state.clerkIds.includes(actor.personId)) return undefined;
  return refuse('not-authorised', 'only an appointed clerk keeps the registry', {
    personId: actor.personId,
  });
}

/** Settings, clerks and webhooks are the administrator's. */
export function requireAdmin(actor: Actor, does: string): DomainError | undefined {
  return actor.role === 'admin'
    ? undefined
    : refuse('not-authorised', `only the administrator ${does}`);
}

export function requirePerson(state: CommunityRegistry, personId: string): DomainError | undefined {
  return pget(state.persons, personId)
    ? undefined
    : refuse('not-found', `person ${personId} is not registered`, { personId });
}

/** The first refusal of `checks`, run in order; undefined when every check passes. */
export function requireAll(...checks: (() => DomainError | undefined)[]): DomainError | undefined {
  for (const check of checks) {
    const error = check();
    if (error) return error;
  }
  return undefined;
}

export function activeParty(state: CommunityRegistry, partyId: string): Party | DomainError {
  const party = state.parties[partyId];
  if (!party?.active) return refuse('not-found', `party ${partyId} is not active`, { partyId });
  return party;
}

export function activeGroup(state: CommunityRegistry, groupId: string): DomainError | undefined {
  return state.groups[groupId]?.active
    ? undefined
    : refuse('not-found', `resident group ${groupId} is not active`, { groupId });
}

export function activeHousehold(
  state: CommunityRegistry,
  householdId: string,
): DomainError | undefined {
  return pget(state.households, householdId)?.active
    ? undefined
    : refuse('not-found', `household ${householdId} is not active`, { householdId });
}

export function unitExists(unit: Unit | undefined, unitId: string): DomainError | undefined {
  return unit ? undefined : refuse('not-found', `unit ${unitId} is not registered`, { unitId });
}

export function distinct(ids: readonly string[], what: string): DomainError | undefined {
  return new Set(ids).size === ids.length
    ? undefined
    : refuse('invalid-command', `a ${what} is listed twice`);
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

/** The refusal in a value that may be one. */
export function asError<T>(value: T | DomainError): DomainError | undefined {
  return isDomainError(value) ? value : undefined;
}
