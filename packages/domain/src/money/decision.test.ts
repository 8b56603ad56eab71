import { describe, expect, it } from 'vitest';
import { type ProposalCommand, proposalDecider } from '../proposal/proposal.ts';
import { fold } from '../shared/decider.ts';
import { convener, owner, ownerVoter, p, urbanRules } from '../testing/fixtures.ts';
import { day, history } from '../testing/spec.ts';
import { decisionFact } from './decision.ts';

// The decision money stands on: read from the proposal as its events left it.

const repair = {
  itemId: 'roof',
  title: '屋面防水维修',
  kind: 'motion' as const,
  matter: 'maintenance-fund-use' as const,
  options: [],
  cost: { basis: 'fund' as const, totalFen: 8_000_000 },
};

function decided(choice: 'yes' | 'no') {
  const commands: ProposalCommand[] = [
    p(
      'SubmitProposal',
      {
        proposalId: 'm1',
        communityId: 'hp',
        title: '使用维修资金维修屋面',
        description: '—',
        procedure: 'owners-joint-decision',
        items: [repair],
      },
      convener,
      day(0),
    ),
    p('GiveNotice', { text: '公告' }, convener, day(0)),
    p(
      'OpenVoting',
      {
        rule: { kind: 'owners-278' },
        closesAt: day(30),
        communityRules: urbanRules,
        electorate: [ownerVoter('a', 10_000), ownerVoter('b', 9_000)],
      },
      convener,
      day(16),
    ),
    p('CastBallot', { choices: [{ itemId: 'roof', choice }] }, owner('a'), day(17)),
    p('CastBallot', { choices: [{ itemId: 'roof', choice }] }, owner('b'), day(17)),
    p('CloseVoting', {}, convener, day(31)),
  ];
  return fold(proposalDecider, history(proposalDecider, commands));
}

describe('decisionFact', () => {
  it('says adopted with the matter and the decided cost once the vote adopts the item', () => {
    expect(decisionFact(decided('yes'), 'roof')).toMatchObject({
      proposalId: 'm1',
      itemId: 'roof',
      outcome: 'adopted',
      matter: 'maintenance-fund-use',
      costFen: 8_000_000,
    });
  });

  it('says rejected, with no cost to spend against, when the owners said no', () => {
    const fact = decisionFact(decided('no'), 'roof');
    expect(fact?.outcome).toBe('rejected');
    expect(fact?.costFen).toBeUndefined();
  });

  it('knows no item the proposal does not have', () => {
    expect(decisionFact(decided('yes'), 'lift')).toBeUndefined();
    expect(decisionFact({ status: 'none' }, 'roof')).toBeUndefined();
  });
});
