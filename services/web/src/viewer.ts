import { type CommandDefinition, commandCatalog, Role } from '@yishi/domain';

// Who is signed in, as the token's claims say. The console only reads the claims to decide
// what to show; the services verify the signature and authorise every request themselves.

export interface Viewer {
  token: string;
  personId: string;
  role: Role;
  communities: readonly string[];
  partyId?: string;
  /** Seconds since the epoch, when the token says. */
  expiresAt?: number;
}

const JWT = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/;

/** The claims of a compact JWT, or undefined when it is not one the services could accept. */
export function viewerOf(token: string): Viewer | undefined {
  const trimmed = token.trim();
  const match = JWT.exec(trimmed);
  if (!match || trimmed.length > 8192) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  const c = claims as Record<string, unknown>;
  const role = Role.safeParse(c.role);
  if (typeof c.sub !== 'string' || !c.sub || !role.success) return undefined;
  if (!Array.isArray(c.communities) || !c.communities.every((x) => typeof x === 'string')) {
    return undefined;
  }
  return {
    token: trimmed,
    personId: c.sub,
    role: role.data,
    communities: c.communities as string[],
    ...(typeof c.party === 'string' ? { partyId: c.party } : {}),
    ...(typeof c.exp === 'number' ? { expiresAt: c.exp } : {}),
  };
}

export function isExpired(viewer: Viewer, now: Date): boolean {
  return viewer.expiresAt !== undefined && viewer.expiresAt * 1000 <= now.getTime();
}

/** Whether the viewer's role may send a command (the service checks identity further). */
export function may(viewer: Viewer | undefined, command: CommandDefinition['name']): boolean {
  return viewer !== undefined && commandCatalog[command].roles.includes(viewer.role);
}

export function mayRead(viewer: Viewer, communityId: string): boolean {
  return viewer.communities.includes('*') || viewer.communities.includes(communityId);
}
