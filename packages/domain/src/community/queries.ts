import { pget, pvalues } from '../shared/pmap.ts';
import { isAdultOn } from '../shared/time.ts';
import type { CommunityRegistry, Person, ProxyAuthorisation } from './state.ts';

// Queries over the registry: pure, used by the decider and by electorateFor.

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

export const proxyKey = (proposalId: string, itemId: string, personId: string) =>
  `${proposalId}/${itemId}/${personId}`;
