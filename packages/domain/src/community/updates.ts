import { type PMap, pget, pset } from '../shared/pmap.ts';
import { proxyKey } from './queries.ts';
import type {
  CommunityRegistry,
  Household,
  Party,
  Person,
  ProxyAuthorisation,
  ResidentGroup,
  Unit,
  Webhook,
} from './state.ts';

// How evolve changes the registry's entries and indexes without mutating them: the states a fold
// produced stay valid (the command service caches them).

/** Registry entries kept in persistent maps (many per community) and in records (few). */
interface MappedEntries {
  persons: Person;
  units: Unit;
  households: Household;
}
interface RecordedEntries {
  groups: ResidentGroup;
  parties: Party;
  webhooks: Webhook;
}

/** Changes the entry `id` of a persistent map with `f`; the registry as it is without one. */
export function updateMapped<K extends keyof MappedEntries>(
  s: CommunityRegistry,
  field: K,
  id: string,
  f: (entry: MappedEntries[K]) => MappedEntries[K],
): CommunityRegistry {
  const map = s[field] as PMap<MappedEntries[K]>;
  const entry = pget(map, id);
  return entry ? { ...s, [field]: pset(map, id, f(entry)) } : s;
}

/** Changes the entry `id` of a record with `f`; the registry as it is without one. */
export function updateRecorded<K extends keyof RecordedEntries>(
  s: CommunityRegistry,
  field: K,
  id: string,
  f: (entry: RecordedEntries[K]) => RecordedEntries[K],
): CommunityRegistry {
  const record = s[field] as Readonly<Record<string, RecordedEntries[K]>>;
  const entry = record[id];
  return entry ? { ...s, [field]: { ...record, [id]: f(entry) } } : s;
}

/** The owners' index after a unit passes from `previous` owners to `next` ones. */
export function reindexOwners(
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

/** The proxies' indexes (held, given) with `a`'s ids changed by `f`. */
export function indexProxy(
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
