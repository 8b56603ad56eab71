// `pnpm db:setup-roles`: on the PostgreSQL of DATABASE_URL (its owner, with CREATEROLE), creates
// each service's role with a new random password, migrates, grants, and prints the URLs the
// services are to connect with. `pnpm start` does the same by itself on its embedded server.
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '@yishi/platform';
import { migrateDatabase } from './db/migrate.ts';
import { createServiceRoles, perService, roleName, urlWithLogin } from './db/roles.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    throw new ConfigError([
      'DATABASE_URL: the database as its owner (a role that may create roles); the embedded PostgreSQL of `pnpm start` needs no setup',
    ]);
  }
  const owner = config.DATABASE_URL;
  const logins = perService((service) => ({
    user: roleName(service),
    password: randomBytes(24).toString('hex'),
  }));
  await createServiceRoles(owner, logins);
  await migrateDatabase(owner, { eventsOwnerUrl: config.EVENTS_DATABASE_URL });
  console.log(
    [
      '# Each service connects as its own role: set these where the services run (new passwords',
      '# at every run). DATABASE_URL stays the owner, for `pnpm db:migrate` and the CLIs.',
      `COMMAND_DATABASE_URL=${urlWithLogin(owner, logins.command)}`,
      `PROJECTION_DATABASE_URL=${urlWithLogin(owner, logins.projection)}`,
      `WEB_DATABASE_URL=${urlWithLogin(owner, logins.web)}`,
      ...(config.EVENTS_DATABASE_URL
        ? [
            '# The events in a database of their own: each service reads them as its role there.',
            `# command:    EVENTS_DATABASE_URL=${urlWithLogin(config.EVENTS_DATABASE_URL, logins.command)}`,
            `# projection: EVENTS_DATABASE_URL=${urlWithLogin(config.EVENTS_DATABASE_URL, logins.projection)}`,
          ]
        : []),
    ].join('\n'),
  );
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
