// Entry point of the projection service as its own process (containers, e2e tests):
// configuration from the environment, DATABASE_URL required.
import { ConfigError, createLogger, loadConfig } from '@yishi/platform';
import { startProjectionService } from './main.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL)
    throw new ConfigError(['DATABASE_URL: required when the service runs on its own']);
  const logger = createLogger('projection', config.LOG_LEVEL);
  const service = await startProjectionService(config, config.DATABASE_URL, logger);
  logger.info({ url: service.url }, 'projection service listening');
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
