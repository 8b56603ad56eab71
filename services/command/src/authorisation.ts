import type { Actor } from '@yishi/domain';
import type { Principal } from '@yishi/platform';

export function actorOf(principal: Principal): Actor {
  return {
    personId: principal.personId,
    role: principal.role,
    ...(principal.partyId ? { partyId: principal.partyId } : {}),
  };
}

export function mayRegisterCommunity(principal: Principal): boolean {
  return principal.role === 'admin';
}

/** Residents, owners and party representatives submit proposals; clerks enter them for others. */
export function maySubmitProposal(principal: Principal): boolean {
  return ['resident', 'owner', 'party_representative', 'clerk', 'convener', 'admin'].includes(
    principal.role,
  );
}
