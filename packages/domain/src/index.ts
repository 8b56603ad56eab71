export * from './community/community.ts';
export * from './proposal/proposal.ts';
export * from './shared/decider.ts';
export * from './shared/errors.ts';
export * from './shared/streams.ts';
