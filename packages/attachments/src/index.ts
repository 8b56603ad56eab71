export * from './blob-store.ts';
export * from './open.ts';
export * from './postgres.ts';
export * from './s3.ts';
export * from './sniff.ts';
