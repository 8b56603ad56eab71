import { randomBytes } from 'node:crypto';
import type { Login } from '@yishi/local-postgres';
import { migrateDatabase } from './migrate.ts';
import { createServiceRoles, perService, roleName, type Service, urlWithLogin } from './roles.ts';

// `pnpm db:setup-roles` on an external PostgreSQL: each service's role with a new password, the
// migrations and grants, and the URLs each service is to connect with, its events' database
// included when the events have one of their own.

export interface SetupRolesOptions {
  /** EVENTS_DATABASE_URL as its owner: the events' own database. */
  eventsOwnerUrl?: string | undefined;
  /** The roles' prefix (tests: roles are per server). */
  rolePrefix?: string;
}

/** The server a URL names (host, port, socket directory): roles are per server. */
function serverOf(url: string): string {
  const u = new URL(url);
  return [u.hostname, u.port || '5432', u.searchParams.get('host') ?? ''].join('|');
}

/**
 * Creates (or re-passwords) the service roles on the owner's server, and on the events' server
 * when it is another; migrates and grants as the owner; returns the services' URLs as the
 * environment variables they read.
 */
export async function setUpRoles(
  ownerUrl: string,
  options: SetupRolesOptions = {},
): Promise<Record<string, string>> {
  const { eventsOwnerUrl, rolePrefix } = options;
  const logins = perService<Login>((service) => ({
    user: roleName(service, rolePrefix),
    password: randomBytes(24).toString('hex'),
  }));
  await createServiceRoles(ownerUrl, logins);
  if (eventsOwnerUrl && serverOf(eventsOwnerUrl) !== serverOf(ownerUrl)) {
    await createServiceRoles(eventsOwnerUrl, logins);
  }
  await migrateDatabase(ownerUrl, { eventsOwnerUrl, ...(rolePrefix ? { rolePrefix } : {}) });
  const own = (url: string, service: Service) => urlWithLogin(url, logins[service]);
  return {
    COMMAND_DATABASE_URL: own(ownerUrl, 'command'),
    PROJECTION_DATABASE_URL: own(ownerUrl, 'projection'),
    WEB_DATABASE_URL: own(ownerUrl, 'web'),
    // The console never reads events.
    ...(eventsOwnerUrl
      ? {
          COMMAND_EVENTS_DATABASE_URL: own(eventsOwnerUrl, 'command'),
          PROJECTION_EVENTS_DATABASE_URL: own(eventsOwnerUrl, 'projection'),
        }
      : {}),
  };
}
