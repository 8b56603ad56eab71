// Entry point of the web console as its own process: the services' ports from the
// environment (COMMAND_PORT, PROJECTION_PORT on HOST), served on WEB_PORT; sessions in
// WEB_DATABASE_URL (its own role), else DATABASE_URL.
import { ConfigError, createLogger, loadConfig, serviceDatabaseUrl } from '@yishi/platform';
import { startWebService } from './main.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('web', config.LOG_LEVEL, config.LOG_FORMAT);
  const databaseUrl = serviceDatabaseUrl(config, 'web');
  if (!databaseUrl) {
    throw new ConfigError([
      'DATABASE_URL (or WEB_DATABASE_URL): the console keeps its sessions in PostgreSQL',
    ]);
  }
  const service = await startWebService(config, logger, { databaseUrl });
  logger.info({ url: service.url }, 'web console listening');
  if (service.bootstrapCode) {
    // Printed, never logged as a field: it records the first administrator.
    console.log(
      `\n首位管理员的一次性代码 / first administrator's one-time code: ${service.bootstrapCode}\n`,
    );
  }
  const stop = async () => {
    await service.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
