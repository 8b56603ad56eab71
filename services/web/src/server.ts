// Entry point of the web console as its own process: the services' ports from the
// environment (COMMAND_PORT, PROJECTION_PORT on HOST), served on WEB_PORT.
import { ConfigError, createLogger, loadConfig } from '@yishi/platform';
import { startWebService } from './main.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('web', config.LOG_LEVEL, config.LOG_FORMAT);
  const service = await startWebService(config, logger);
  logger.info({ url: service.url }, 'web console listening');
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
