// `pnpm start`: PostgreSQL (embedded unless DATABASE_URL), migrations, both services and the
// console; at first start, the one-time code that records the first administrator.
import { resolve } from 'node:path';
import { startCommandService } from '@yishi/command';
import { ensureDatabase, type LocalPostgres, startLocalPostgres } from '@yishi/local-postgres';
import { ConfigError, createLogger, loadConfig, type RunningService } from '@yishi/platform';
import { startProjectionService } from '@yishi/projection';
// The console is imported by path: the root package does not list @yishi/web as a dependency.
import { showsSignInCodes, startWebService } from '../services/web/src/index.ts';

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

  let databaseUrl = config.DATABASE_URL;
  let pg: LocalPostgres | undefined;
  if (!databaseUrl) {
    const dataDir = resolve(config.DATA_DIR, 'postgres');
    console.log(
      `starting embedded PostgreSQL (data in ${dataDir}, port ${config.EMBEDDED_PG_PORT})`,
    );
    pg = await startLocalPostgres({ dataDir, port: config.EMBEDDED_PG_PORT });
    stack.push(() => pg!.stop());
    databaseUrl = await ensureDatabase(pg.adminUrl, 'yishi');
  }
  const services: RunningService[] = [];
  const command = await startCommandService(
    config,
    databaseUrl,
    logger.child({ service: 'command' }),
  );
  services.push(command);
  stack.push(() => command.close());
  const projection = await startProjectionService(
    config,
    databaseUrl,
    logger.child({ service: 'projection' }),
  );
  stack.push(() => projection.close());
  // The web console, over the two services' public HTTP APIs.
  const web = await startWebService(config, logger.child({ service: 'web' }), { databaseUrl });
  stack.push(() => web.close());
  if (stopping) return;
  console.log(
    [
      '',
      'Yishi 议事 is running:',
      `  command service     ${command.url}   (API docs ${command.url}/openapi.json)`,
      `  projection service  ${projection.url}   (API docs ${projection.url}/openapi.json)`,
      `  web console         ${web.url}   (议事 控制台: sign in with a phone number)`,
      `  database            ${pg ? 'embedded PostgreSQL' : 'DATABASE_URL'}`,
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
