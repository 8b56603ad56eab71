import {
  type Config,
  closeServer,
  type Logger,
  listen,
  type RunningService,
} from '@yishi/platform';
import type { Upstreams } from './api.ts';
import { createWebApp } from './app.ts';
import { formKey } from './security.ts';

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

/** Serves the web console on `WEB_PORT`, talking to the two services over HTTP. */
export async function startWebService(
  config: Config,
  logger: Logger,
  upstreams: Upstreams = upstreamsOf(config),
): Promise<RunningService> {
  const app = createWebApp({
    upstreams,
    logger,
    publicUrl: config.WEB_PUBLIC_URL,
    formKey: formKey(config),
  });
  const server = await listen(app.fetch, config.HOST, config.WEB_PORT);
  return {
    url: `http://${config.HOST}:${config.WEB_PORT}`,
    close: () => closeServer(server),
  };
}
