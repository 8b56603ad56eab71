import { type Config, ConfigError, loadConfig, serviceDatabaseUrl } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import type { RunningService } from './server.ts';

/**
 * Runs one service as its own process (containers, end-to-end tests): configuration from the
 * environment with its database URL required (its role's, else DATABASE_URL), and a clean stop
 * on SIGINT/SIGTERM.
 */
export function runServiceProcess(
  name: 'command' | 'projection',
  start: (config: Config, databaseUrl: string, logger: Logger) => Promise<RunningService>,
): void {
  const main = async () => {
    const config = loadConfig();
    const databaseUrl = serviceDatabaseUrl(config, name);
    if (!databaseUrl) {
      throw new ConfigError([
        `DATABASE_URL (or ${name.toUpperCase()}_DATABASE_URL): required when the service runs on its own`,
      ]);
    }
    const logger = createLogger(name, config.LOG_LEVEL, config.LOG_FORMAT);
    const service = await start(config, databaseUrl, logger);
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
