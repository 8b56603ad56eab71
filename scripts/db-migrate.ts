// `pnpm db:migrate`: every schema migrated as the owner (DATABASE_URL), then the service roles'
// grants. Run it before starting services that connect as their own roles (they cannot migrate).
import { ConfigError, loadConfig } from '@yishi/platform';
import { migrateDatabase } from './db/migrate.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    throw new ConfigError([
      'DATABASE_URL: the database as its owner (`pnpm start` migrates the embedded one)',
    ]);
  }
  const granted = await migrateDatabase(config.DATABASE_URL, {
    eventsOwnerUrl: config.EVENTS_DATABASE_URL,
  });
  console.log(
    `migrated; granted: ${granted.length > 0 ? granted.join(', ') : 'no service roles yet (pnpm db:setup-roles)'}`,
  );
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
