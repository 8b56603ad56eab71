import type { Actor } from '@yishi/domain';
import type { Principal } from '@yishi/platform';

export function actorOf(principal: Principal): Actor {
  return {
    personId: principal.personId,
    role: principal.role,
    ...(principal.partyId ? { partyId: principal.partyId } : {}),
  };
}
