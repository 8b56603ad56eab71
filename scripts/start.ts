// `pnpm start`: PostgreSQL (embedded unless DATABASE_URL), migrations, both services and the
// console; at first start, the one-time code that records the first administrator.
import { resolve } from 'node:path';
import { startCommandService } from '@yishi/command';
import { ensureDatabase, type LocalPostgres, startLocalPostgres } from '@yishi/local-postgres';
import {
  ConfigError,
  createLogger,
  loadConfig,
  type RunningService,
  serviceDatabaseUrl,
  serviceEventsDatabaseUrl,
} from '@yishi/platform';
import { startProjectionService } from '@yishi/projection';
// The console is imported by path: the root package does not list @yishi/web as a dependency.
import { showsSignInCodes, startWebService } from '../services/web/src/index.ts';
import { migrateDatabase } from './db/migrate.ts';
import { createServiceRoles, perService, roleName, SERVICES } from './db/roles.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  // Each service's child logger names it (`service`); the root names none.
  const logger = createLogger(undefined, config.LOG_LEVEL, config.LOG_FORMAT);
  const stack: (() => Promise<void>)[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    for (const step of stack.reverse()) await step().catch((e) => console.error(e));
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  let pg: LocalPostgres | undefined;
  let urls: ReturnType<typeof perService<string>>;
  let ownRoles: boolean;
  if (!config.DATABASE_URL) {
    const dataDir = resolve(config.DATA_DIR, 'postgres');
    console.log(
      `starting embedded PostgreSQL (data in ${dataDir}, port ${config.EMBEDDED_PG_PORT})`,
    );
    pg = await startLocalPostgres({ dataDir, port: config.EMBEDDED_PG_PORT });
    stack.push(() => pg!.stop());
    // The superuser owns the schemas; each service connects as its own role, their passwords
    // generated into DATA_DIR.
    const ownerUrl = await ensureDatabase(pg.adminUrl, 'yishi');
    const logins = perService((service) => pg!.loginOf(roleName(service)));
    await createServiceRoles(pg.adminUrl, logins);
    await migrateDatabase(ownerUrl, { eventsOwnerUrl: config.EVENTS_DATABASE_URL });
    urls = perService((service) => pg!.urlFor('yishi', logins[service]));
    ownRoles = true;
  } else {
    // Migrations as the owner (DATABASE_URL); the services as their roles when configured.
    const granted = await migrateDatabase(config.DATABASE_URL, {
      eventsOwnerUrl: config.EVENTS_DATABASE_URL,
    });
    urls = perService((service) => serviceDatabaseUrl(config, service)!);
    ownRoles =
      SERVICES.every((s) => urls[s] !== config.DATABASE_URL) &&
      // The events apart: their owner is no service's either.
      (['command', 'projection'] as const).every(
        (s) => serviceEventsDatabaseUrl(config, s) !== config.EVENTS_DATABASE_URL,
      );
    if (!ownRoles) {
      logger.warn(
        { rolesFound: granted },
        'a service connects as the database owner: `pnpm db:setup-roles` creates roles of its own for each',
      );
    }
  }
  const services: RunningService[] = [];
  const command = await startCommandService(
    config,
    urls.command,
    logger.child({ service: 'command' }),
  );
  services.push(command);
  stack.push(() => command.close());
  const projection = await startProjectionService(
    config,
    urls.projection,
    logger.child({ service: 'projection' }),
  );
  stack.push(() => projection.close());
  // The web console, over the two services' public HTTP APIs.
  const web = await startWebService(config, logger.child({ service: 'web' }), {
    databaseUrl: urls.web,
  });
  stack.push(() => web.close());
  if (stopping) return;
  console.log(
    [
      '',
      'Yishi 议事 is running:',
      `  command service     ${command.url}   (API docs ${command.url}/openapi.json)`,
      `  projection service  ${projection.url}   (API docs ${projection.url}/openapi.json)`,
      `  web console         ${web.url}   (议事 控制台: sign in with a phone number)`,
      `  database            ${pg ? 'embedded PostgreSQL' : 'DATABASE_URL'}${ownRoles ? ', each service as its own role' : ', services as the owner'}`,
      '',
      ...(config.DEMO_CLOCK
        ? ['', '  ⚠ DEMO_CLOCK: simulated clock (模拟时钟); events are marked simulatedClock.']
        : []),
      ...(!showsSignInCodes(config)
        ? []
        : [
            '  开发模式 / development: with no SMS gateway, sign-in codes are shown on the sign-in page and in the log.',
          ]),
      ...(web.bootstrapCode
        ? [
            '',
            `  首位管理员的一次性代码 / one-time code for the first administrator: ${web.bootstrapCode}`,
            `  open ${web.url}/bootstrap and enter it (a new code is printed at each start until one is used)`,
          ]
        : []),
      '',
      'A token for scripts: pnpm -s run token --community c1 --role admin --person p1',
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('start-up failed:', error instanceof Error ? error.message : error);
    if (error instanceof Error && error.cause) console.error('  cause:', error.cause);
  }
  process.exit(1);
});
