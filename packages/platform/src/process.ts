import { type Config, ConfigError, loadConfig } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import type { RunningService } from './server.ts';

/**
 * Runs one service as its own process (containers, end-to-end tests): configuration from the
 * environment with DATABASE_URL required, and a clean stop on SIGINT/SIGTERM.
 */
export function runServiceProcess(
  name: string,
  start: (config: Config, databaseUrl: string, logger: Logger) => Promise<RunningService>,
): void {
  const main = async () => {
    const config = loadConfig();
    if (!config.DATABASE_URL) {
      throw new ConfigError(['DATABASE_URL: required when the service runs on its own']);
    }
    const logger = createLogger(name, config.LOG_LEVEL, config.LOG_FORMAT);
    const service = await start(config, config.DATABASE_URL, logger);
    logger.info({ url: service.url }, `${name} service listening`);
    const stop = async () => {
      await service.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  };
  main().catch((error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
