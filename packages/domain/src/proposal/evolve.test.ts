import { describe, expect, it } from 'vitest';
import { proposalOf, voteOf } from './evolve.ts';
import type { Proposal, VoteState } from './state.ts';

// `proposalOf` and `voteOf` build every state field by field, so that all share one hidden
// class. The samples below name every field of each type, optional ones too (a `Record` over
// `keyof` requires them all): a field added to the type fails to compile here until it is
// added, and then fails the test until the builder copies it.

const vote: Record<keyof VoteState, unknown> = {
  voteId: 'v1',
  stageIndex: 2,
  rule: { kind: 'owners-278' },
  items: ['items'],
  electorate: ['electorate'],
  voters: new Map([['o1', 'voter']]),
  votersOfPerson: new Map([['o1', ['o1']]]),
  openedAt: '2026-03-01T00:00:00.000Z',
  closesAt: '2026-03-08T00:00:00.000Z',
  allowBallotChange: true,
  planMethod: 'instant-runoff',
  rulesVersion: 'rules-version',
  ballots: 'ballots',
  present: 'present',
  complete: 3,
  closed: false,
  reminded: true,
};

const proposal: Record<keyof Proposal, unknown> = {
  status: 'active',
  communityId: 'c1',
  proposalId: 'p1',
  title: 'title',
  description: 'description',
  procedure: { template: 'owners-joint-decision', version: 1 },
  stages: ['stages'],
  items: ['items'],
  scope: 'scope',
  submittedBy: 'submitter',
  submittedAt: '2026-02-01T00:00:00.000Z',
  stageIndex: 2,
  returnTo: 1,
  amendable: false,
  notice: 'notice',
  votesOpened: 1,
  vote,
  decision: 'decision',
  publication: 'publication',
  objections: 'objections',
  progressPercent: 40,
  implementationDueAt: '2026-06-01T00:00:00.000Z',
  overdueFlagged: '2026-06-02T00:00:00.000Z',
  implementationResponsibleId: 'r1',
  feedbackGiven: true,
  amendments: 'amendments',
  ratings: 'ratings',
};

describe('the builders of proposal states', () => {
  it('copy every field of a vote', () => {
    const built = voteOf(vote as unknown as VoteState);
    expect(Object.keys(built).sort()).toEqual(Object.keys(vote).sort());
    expect(built).toEqual(vote);
  });

  it('copy every field of a proposal, and its vote', () => {
    const built = proposalOf(proposal as unknown as Proposal);
    expect(Object.keys(built).sort()).toEqual(Object.keys(proposal).sort());
    expect(built).toEqual(proposal);
  });

  it('build two states of the same fields with their fields in one order', () => {
    const { returnTo: _r, scope: _s, ...fewer } = proposal;
    const a = proposalOf(proposal as unknown as Proposal);
    const b = proposalOf({ ...fewer, scope: 'scope', returnTo: 1 } as unknown as Proposal);
    expect(Object.keys(b)).toEqual(Object.keys(a));
  });
});
