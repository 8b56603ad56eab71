import { type CapacityKind, capacityRoles, type Role } from '@yishi/domain';
import { INSTALLATION } from './directory.ts';
import type { SessionIdentity } from './tables.ts';

// A capacity as the console offers it: who (a person of a community, or of the installation),
// what kind, the role its token carries and the communities it reaches. Capacities come from
// the registry and the installation, never from what a browser sends: a choice names one by
// its key, and is honoured only if it is among those the person holds now.

export interface Capacity {
  kind: CapacityKind;
  role: Role;
  /** The community of the person ('' for the installation's persons). */
  communityId: string;
  personId: string;
  partyId?: string;
  /** For the switcher: the party's or the community's name, the official's office. */
  label?: string;
  /** What the token reaches: the community, an official's communities, `*` for admins. */
  communities: readonly string[];
}

/** The installation as the console needs it: who administers it and who oversees what. */
export interface InstallationView {
  bootstrapped: boolean;
  adminIds: readonly string[];
  officials: readonly { personId: string; communities: readonly string[]; office: string }[];
}

/** The capacities the installation gives one of its persons. */
export function installationCapacities(
  installation: InstallationView,
  personId: string,
): Capacity[] {
  const capacities: Capacity[] = [];
  const official = installation.officials.find((o) => o.personId === personId);
  if (official) {
    capacities.push({
      kind: 'official',
      role: capacityRoles.official,
      communityId: INSTALLATION,
      personId,
      label: official.office,
      communities: official.communities,
    });
  }
  if (installation.adminIds.includes(personId)) {
    capacities.push({
      kind: 'admin',
      role: capacityRoles.admin,
      communityId: INSTALLATION,
      personId,
      communities: ['*'],
    });
  }
  return capacities;
}

/** What a form sends to choose a capacity: enough to find it among those held, nothing more. */
export function capacityKey(capacity: {
  communityId: string;
  personId: string;
  kind: string;
  partyId?: string | undefined;
}): string {
  return [capacity.communityId, capacity.personId, capacity.kind, capacity.partyId ?? ''].join('|');
}

/** The capacity of `key` among those held, or undefined: the only way a choice is accepted. */
export function heldCapacity(held: readonly Capacity[], key: string): Capacity | undefined {
  return held.find((c) => capacityKey(c) === key);
}

/** The persons of a session that belong to a community (not the installation's). */
export function communityIdentities(identities: readonly SessionIdentity[]): SessionIdentity[] {
  return identities.filter((i) => i.communityId !== INSTALLATION);
}
