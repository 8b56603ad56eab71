import { z } from 'zod';
import type { Role } from '../shared/decider.ts';
import type { PartyKind } from '../shared/party.ts';

// The capacities a person acts in (身份), as the registry and the installation give them: the
// console lets a person choose one of those they hold, and acts in its role. Several capacities
// act in one role (a household's representative votes as a resident).

export const CapacityKind = z.enum([
  /** 业主: holds units. */
  'owner',
  /** 居民: an adult resident of an active household. */
  'resident',
  /** 户代表: the representative of an active household (votes as a resident). */
  'household-representative',
  /** 委托代理人: holds active proxy authorisations. */
  'proxy',
  /** 书记员: appointed by the administrator. */
  'clerk',
  /** 协商主体代表: a representative of an active party (one capacity per party). */
  'party-representative',
  /** 召集人: a representative of a convening body (`CONVENING_PARTY_KINDS`). */
  'convener',
  /** 街道/民政: an official of the installation, for the communities they oversee. */
  'official',
  /** 管理员: an administrator of the installation. */
  'admin',
]);
export type CapacityKind = z.infer<typeof CapacityKind>;

/** The role each capacity acts in: what the token the services verify says. */
export const capacityRoles: Readonly<Record<CapacityKind, Role>> = {
  owner: 'owner',
  resident: 'resident',
  'household-representative': 'resident',
  proxy: 'proxy',
  clerk: 'clerk',
  'party-representative': 'party_representative',
  convener: 'convener',
  official: 'official',
  admin: 'admin',
};

/**
 * The bodies whose representatives convene meetings and votes (召集): the party organisation,
 * the residents' or villagers' committee and the owners' committee (业主大会 is convened by it).
 * The registry has no convener appointment of its own.
 */
export const CONVENING_PARTY_KINDS: readonly PartyKind[] = [
  'party-organisation',
  'residents-committee',
  'villagers-committee',
  'owners-committee',
];
