import { type CommandDefinition, commandCatalog, type Role } from '@yishi/domain';
import type { Capacity } from '@yishi/identity';

// Who is signed in, and in which capacity: the session's choice among the capacities the
// registry gives the person. The console reads it to decide what to show; the services verify
// the token minted for it and authorise every request themselves.

export interface Viewer {
  /** The short-lived token of this capacity, for the services. */
  token: string;
  personId: string;
  role: Role;
  communities: readonly string[];
  partyId?: string;
  /** The capacity acted in, and every one the person holds (the switcher). */
  capacity: Capacity;
  held: readonly Capacity[];
  /** The session's key (its id's hash): what a flash belongs to. */
  sessionKey: string;
}

/** Whether the viewer's role may send a command (the service checks identity further). */
export function may(viewer: Viewer | undefined, command: CommandDefinition['name']): boolean {
  return viewer !== undefined && commandCatalog[command].roles.includes(viewer.role);
}

export function mayRead(viewer: Viewer, communityId: string): boolean {
  return viewer.communities.includes('*') || viewer.communities.includes(communityId);
}
