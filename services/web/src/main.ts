import {
  type Config,
  closeServer,
  type Logger,
  listen,
  localSecret,
  type RunningService,
} from '@yishi/platform';
import { loadDemo } from '../../../scripts/demo/load.ts';
import type { Upstreams } from './api.ts';
import { createWebApp } from './app.ts';
import { formKey } from './security.ts';
import { type ConsoleIdentityDeps, consoleIdentity } from './sign-in/sign-in.ts';

/** The services' URLs as configured, else as this process reaches them on its own host. */
export function upstreamsOf(config: Config): Upstreams {
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  return {
    commandUrl: (config.COMMAND_URL ?? `http://${host}:${config.COMMAND_PORT}`).replace(/\/$/, ''),
    projectionUrl: (config.PROJECTION_URL ?? `http://${host}:${config.PROJECTION_PORT}`).replace(
      /\/$/,
      '',
    ),
  };
}

const SWEEP_EVERY_MS = 3_600_000;

export interface WebServiceOptions {
  /** The database the sessions and sign-in codes live in (the deployment's). */
  databaseUrl: string;
  upstreams?: Upstreams;
  /** Tests: a phone directory, a registry of their own. */
  identity?: Partial<ConsoleIdentityDeps>;
}

export interface RunningWebService extends RunningService {
  /**
   * The one-time code that records the first administrator, while none is recorded: a new
   * one at each start, for the starter to print.
   */
  bootstrapCode: string | undefined;
}

/** Serves the web console on `WEB_PORT`, talking to the two services over HTTP. */
export async function startWebService(
  config: Config,
  logger: Logger,
  options: WebServiceOptions,
): Promise<RunningWebService> {
  const upstreams = options.upstreams ?? upstreamsOf(config);
  const identity = await consoleIdentity(
    config,
    options.databaseUrl,
    upstreams,
    logger,
    options.identity,
  );
  const app = createWebApp({
    upstreams,
    logger,
    publicUrl: config.WEB_PUBLIC_URL,
    formKey: formKey(config),
    identity,
    trustProxy: config.WEB_TRUST_PROXY,
    // The demo's people act with tokens of the services' own secret, as `pnpm demo` does.
    ...(config.DEMO_CLOCK
      ? {
          demo: async (log: (line: string) => void) =>
            (
              await loadDemo(
                {
                  ...upstreams,
                  secret: localSecret(config.DATA_DIR, config.JWT_SECRET),
                  issuer: config.JWT_ISSUER,
                  audience: config.JWT_AUDIENCE,
                  phones: identity.deps.phones,
                },
                log,
              )
            ).community.communityId,
        }
      : {}),
  });
  const server = await listen(app.fetch, config.HOST, config.WEB_PORT);
  const bootstrapCode = await identity.bootstrapCode(new Date());
  const sweeping = setInterval(() => {
    identity.sweep(new Date()).catch((error: unknown) => {
      logger.warn({ err: error }, 'sign-in tables not swept');
    });
  }, SWEEP_EVERY_MS);
  sweeping.unref();
  return {
    url: `http://${config.HOST}:${config.WEB_PORT}`,
    bootstrapCode,
    close: async () => {
      clearInterval(sweeping);
      await closeServer(server);
      await identity.close();
    },
  };
}
