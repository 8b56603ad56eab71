export * from './auth.ts';
export * from './config.ts';
export * from './http.ts';
export * from './logger.ts';
export * from './problem.ts';
