export type { Upstreams } from './api.ts';
export { createWebApp, type WebAppDeps } from './app.ts';
export { startWebService, upstreamsOf } from './main.ts';
