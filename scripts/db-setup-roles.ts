// `pnpm db:setup-roles`: on the PostgreSQL of DATABASE_URL (its owner, with CREATEROLE), and on
// EVENTS_DATABASE_URL's when the events have a database of their own, creates each service's role
// with a new random password, migrates, grants, and prints the URLs the services are to connect
// with. `pnpm start` does the same by itself on its embedded server.
import { ConfigError, loadConfig } from '@yishi/platform';
import { setUpRoles } from './db/setup-roles.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    throw new ConfigError([
      'DATABASE_URL: the database as its owner (a role that may create roles); the embedded PostgreSQL of `pnpm start` needs no setup',
    ]);
  }
  const urls = await setUpRoles(config.DATABASE_URL, {
    eventsOwnerUrl: config.EVENTS_DATABASE_URL,
  });
  console.log(
    [
      '# Each service connects as its own role: set these where the services run (new passwords',
      '# at every run). DATABASE_URL and EVENTS_DATABASE_URL stay the owner, for `pnpm db:migrate`',
      '# and the CLIs.',
      ...Object.entries(urls).map(([name, url]) => `${name}=${url}`),
    ].join('\n'),
  );
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
