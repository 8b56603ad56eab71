export type { Upstreams } from './api.ts';
export { createWebApp, type WebAppDeps } from './app.ts';
export { type RunningWebService, startWebService, upstreamsOf } from './main.ts';
export { showsSignInCodes } from './sign-in/sign-in.ts';
