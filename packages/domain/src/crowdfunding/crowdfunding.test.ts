import { describe, expect, it } from 'vitest';
import type { DecisionFact } from '../money/decision.ts';
import type { Actor } from '../shared/decider.ts';
import { convener, owner, representative, resident } from '../testing/fixtures.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import {
  type CrowdfundingCommand,
  type CrowdfundingEvent,
  crowdfundingDecider,
  crowdfundingEventSchemas,
} from './crowdfunding.ts';

// 费用由居民众筹: a courtyard renovation funded by residents and a social organisation.

const spec = specFor(crowdfundingDecider, crowdfundingEventSchemas);
const c = commandsOf<CrowdfundingCommand>();
const run = (commands: CrowdfundingCommand[], from: CrowdfundingEvent[] = []) =>
  history(crowdfundingDecider, commands, from);
const cashier: Actor = { personId: 'cashier', role: 'resident' };

const pending: DecisionFact = {
  proposalId: 'yard',
  itemId: 'plan',
  title: '院落改造方案',
  outcome: 'pending',
  optionIds: ['A', 'B'],
};
const adopted = (chosen: string): DecisionFact => ({
  ...pending,
  outcome: 'adopted',
  chosenOptionId: chosen,
  costFen: 3_000_000,
  decidedAt: day(20),
});

const opened = run([
  c(
    'OpenCrowdfunding',
    {
      campaignId: 'yard-a',
      communityId: 'hp',
      title: '院落改造众筹',
      proposalId: 'yard',
      itemId: 'plan',
      optionId: 'A',
      targetFen: 1_000_000,
      deadline: day(30),
      decision: pending,
    },
    convener,
    day(0),
  ),
]);
const pledge = (who: Actor, pledgeId: string, amountFen: number, at = day(1)) =>
  c('PledgeToCrowdfunding', { pledgeId, amountFen }, who, at);
const receive = (pledgeId: string, amountFen: number, at = day(2)) =>
  c(
    'RecordPledgeReceipt',
    { pledgeId, amountFen, documentRef: `收据 ${pledgeId}`, treasurer: true },
    cashier,
    at,
  );
const close = (decision: DecisionFact, at: string) =>
  c('CloseCrowdfunding', { decision }, convener, at);

describe('crowdfunding (#26.7)', () => {
  it('takes pledges from residents and from an organisation through its representative', () => {
    const events = run(
      [pledge(owner('a'), 'p1', 600_000), pledge(representative('r', 'ngo'), 'p2', 400_000)],
      opened,
    );
    expect(events.slice(1).map((e) => e.type === 'PledgeMade' && e.data.pledger)).toEqual([
      { kind: 'person', personId: 'a' },
      { kind: 'party', partyId: 'ngo' },
    ]);
  });

  it('refuses a pledge at or after the deadline', () => {
    spec
      .given(opened)
      .when(pledge(resident('b'), 'late', 100, day(30)))
      .thenRefused('crowdfunding-closed', { deadline: day(30) });
  });

  it('refuses a receipt above the pledge, counting earlier receipts', () => {
    const pledged = run([pledge(owner('a'), 'p1', 600_000), receive('p1', 500_000)], opened);
    spec
      .given(pledged)
      .when(receive('p1', 100_001))
      .thenRefused('receipt-above-pledge', { pledgedFen: 600_000, receivedFen: 500_000 });
    spec
      .given(pledged)
      .when(receive('p1', 100_000))
      .then((e) => expect(e[0]?.data).toMatchObject({ receivedFen: 600_000 }));
    spec
      .given(pledged)
      .when(
        c(
          'RecordPledgeReceipt',
          { pledgeId: 'p1', amountFen: 1, documentRef: '收据', treasurer: false },
          cashier,
          day(2),
        ),
      )
      .thenRefused('not-authorised');
  });

  const paid = run(
    [
      pledge(owner('a'), 'p1', 600_000),
      pledge(representative('r', 'ngo'), 'p2', 400_000),
      pledge(owner('b'), 'p3', 50_000),
      receive('p1', 450_000),
      receive('p2', 400_000),
    ],
    opened,
  );

  it('owes back exactly the amounts received when another plan is adopted', () => {
    spec
      .given(paid)
      .when(close(adopted('B'), day(21)))
      .then((e) =>
        expect(e[0]?.data).toMatchObject({
          outcome: 'refunding',
          reason: 'not-adopted',
          receivedFen: 850_000,
          refundsOwed: [
            { pledgeId: 'p1', amountFen: 450_000 },
            { pledgeId: 'p2', amountFen: 400_000, pledger: { kind: 'party', partyId: 'ngo' } },
          ],
        }),
      );
  });

  it('owes everything back when the target is missed at the deadline, even if adopted', () => {
    const short = run([pledge(owner('a'), 'p1', 10_000), receive('p1', 10_000)], opened);
    spec
      .given(short)
      .when(close(adopted('A'), day(30)))
      .then((e) =>
        expect(e[0]?.data).toMatchObject({ outcome: 'refunding', reason: 'target-missed' }),
      );
    // Before the deadline with the decision pending, nothing settles it.
    spec
      .given(short)
      .when(close(pending, day(29)))
      .thenRefused('crowdfunding-open');
  });

  it('is funded when its plan is adopted and the pledges reach the target', () => {
    spec
      .given(paid)
      .when(close(adopted('A'), day(21)))
      .then((e) => expect(e[0]?.data).toMatchObject({ outcome: 'funded', refundsOwed: [] }));
  });

  it('records each refund when paid: exactly the amount received, once', () => {
    const refunding = run([close({ ...pending, outcome: 'rejected' }, day(21))], paid);
    const refund = (pledgeId: string, amountFen: number) =>
      c(
        'RecordRefund',
        { pledgeId, amountFen, documentRef: `退款凭证 ${pledgeId}`, treasurer: true },
        cashier,
        day(22),
      );
    spec
      .given(refunding)
      .when(refund('p1', 600_000))
      .thenRefused('refund-mismatch', { owedFen: 450_000 });
    spec.given(refunding).when(refund('p3', 50_000)).thenRefused('not-found');
    const once = run([refund('p1', 450_000)], refunding);
    spec.given(once).when(refund('p1', 450_000)).thenRefused('already-resolved');
    spec
      .given(refunding)
      .when(receive('p3', 50_000, day(22)))
      .thenRefused('crowdfunding-closed');
  });
});
