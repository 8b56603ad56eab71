// Decision rules (domain.md section 3): pure functions of the frozen electorate, the ballots
// and the rule's parameters, returning the outcome with every figure used.
export * from './area.ts';
export * from './art279.ts';
export * from './joint-session.ts';
export * from './meetings.ts';
export * from './owners-decision.ts';
export * from './owners-electorate.ts';
export * from './ratio.ts';
export * from './results.ts';
export * from './select-plan.ts';
export * from './shares.ts';
export * from './types.ts';
