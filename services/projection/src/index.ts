export { createApp, type ProjectionAppDeps } from './app.ts';
export { createDb } from './db.ts';
export { CHROMIUM_ARGS } from './documents/renderer.ts';
export { projections, startProjectionService } from './main.ts';
export { migrateReadModels } from './migrations/index.ts';
export { Projector } from './runtime/projector.ts';
export type { Database } from './tables.ts';
