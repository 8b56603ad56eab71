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

/** The services' URLs as this process reaches them (same host, configured ports). */
export function upstreamsOf(config: Config): Upstreams {
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  return {
    commandUrl: `http://${host}:${config.COMMAND_PORT}`,
    projectionUrl: `http://${host}:${config.PROJECTION_PORT}`,
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
