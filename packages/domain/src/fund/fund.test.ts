import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { PostingLine } from '../money/accounts.ts';
import type { DecisionFact } from '../money/decision.ts';
import type { Actor } from '../shared/decider.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import { type FundCommand, fundDecider, fundEventSchemas, type PostFundEntryData } from './fund.ts';

// The maintenance fund's ledger (专项维修资金): double-entry, and no decision, no spending.

const spec = specFor(fundDecider, fundEventSchemas);
const c = commandsOf<FundCommand>();
const treasurer: Actor = { personId: 'cashier', role: 'resident' };
const clerk: Actor = { personId: 'clerk', role: 'clerk' };

const roof: DecisionFact = {
  proposalId: 'm1',
  itemId: 'roof',
  title: '使用维修资金维修屋面',
  outcome: 'adopted',
  matter: 'maintenance-fund-use',
  optionIds: [],
  costFen: 8_000_000,
  decidedAt: day(31),
};
const authorisedBy = { proposalId: 'm1', itemId: 'roof' };

const line = (account: PostingLine['account'], side: PostingLine['side'], amountFen: number) => ({
  account,
  side,
  amountFen,
});
const deposit = (amountFen: number): PostingLine[] => [
  line('bank', 'debit', amountFen),
  line('income:owner-deposits', 'credit', amountFen),
];
const repair = (amountFen: number): PostingLine[] => [
  line('spending:repairs', 'debit', amountFen),
  line('bank', 'credit', amountFen),
];

const opened = history(fundDecider, [
  c(
    'OpenFund',
    { fundId: 'mf', communityId: 'hp', kind: 'maintenance-fund', name: '专项维修资金' },
    clerk,
    day(0),
  ),
]);
const funded = history(
  fundDecider,
  [
    c(
      'PostFundEntry',
      {
        entryId: 'e1',
        lines: deposit(10_000_000),
        memo: '业主缴存',
        documentRef: '银行回单 001',
        treasurer: true,
      },
      treasurer,
      day(1),
    ),
  ],
  opened,
);
type PostData = z.infer<typeof PostFundEntryData>;
const spend = (amountFen: number, extra: Partial<PostData> = {}, entryId = 'e2') =>
  c(
    'PostFundEntry',
    {
      entryId,
      lines: repair(amountFen),
      memo: '屋面防水工程款',
      documentRef: '发票 2026-17',
      authorisedBy,
      decision: roof,
      treasurer: true,
      ...extra,
    },
    treasurer,
    day(40),
  );
const bare = (): PostData => ({
  entryId: 'e2',
  lines: repair(1),
  memo: '屋面防水工程款',
  documentRef: '发票 2026-17',
  treasurer: true,
});

describe('fund ledger (#26.8)', () => {
  it('posts a balanced spending entry linked to the adopted decision', () => {
    spec
      .given(funded)
      .when(spend(8_000_000))
      .then((events) => {
        expect(events[0]?.type).toBe('FundEntryPosted');
        expect(events[0]?.data).toMatchObject({
          decision: { proposalId: 'm1', outcome: 'adopted' },
        });
      });
  });

  it('refuses spending without a decision: no decision, no spending', () => {
    spec
      .given(funded)
      .when(c('PostFundEntry', bare(), treasurer, day(40)))
      .thenRefused('decision-required', { field: 'authorisedBy' });
  });

  it('refuses spending on a decision that was not adopted, or is still pending', () => {
    for (const outcome of ['rejected', 'pending', 'withdrawn'] as const) {
      spec
        .given(funded)
        .when(spend(100, { decision: { ...roof, outcome } }))
        .thenRefused('not-adopted', { outcome });
    }
  });

  it('spends the maintenance fund only on a maintenance-fund-use decision', () => {
    const { matter: _m, ...noMatter } = roof;
    spec
      .given(funded)
      .when(spend(100, { decision: { ...roof, matter: 'rebuild' } }))
      .thenRefused('matter-not-allowed', { required: 'maintenance-fund-use' });
    spec
      .given(funded)
      .when(spend(100, { decision: noMatter }))
      .thenRefused('matter-not-allowed');
  });

  it('refuses an amount above the decided cost, counting what was spent before', () => {
    spec.given(funded).when(spend(8_000_001)).thenRefused('above-decided-cost');
    const half = history(fundDecider, [spend(5_000_000)], funded);
    spec
      .given(half)
      .when(spend(3_000_001, {}, 'e3'))
      .thenRefused('above-decided-cost', { decidedFen: 8_000_000, spentFen: 5_000_000 });
    const { costFen: _c, ...noCost } = roof;
    spec
      .given(funded)
      .when(spend(100, { decision: noCost }))
      .thenRefused('cost-not-decided');
  });

  it('refuses unbalanced lines, an overdraft and entries from anyone but a treasurer', () => {
    spec
      .given(funded)
      .when(
        spend(100, { lines: [line('spending:repairs', 'debit', 100), line('bank', 'credit', 99)] }),
      )
      .thenRefused('entry-unbalanced', { debitFen: 100, creditFen: 99 });
    spec
      .given(opened)
      .when(spend(100))
      .thenRefused('insufficient-funds', { account: 'bank', shortFen: 100 });
    spec
      .given(funded)
      .when(spend(100, { treasurer: false }))
      .thenRefused('not-authorised');
  });

  it('corrects by a reversing entry that restores the balance and the decision’s headroom', () => {
    const spent = history(fundDecider, [spend(8_000_000)], funded);
    const reverse = (entryId: string) =>
      c(
        'ReverseFundEntry',
        {
          entryId,
          reverses: 'e2',
          reason: '发票金额有误',
          documentRef: '红字发票',
          treasurer: true,
        },
        treasurer,
        day(41),
      );
    const state = spec.given(spent).when(reverse('e2r')).thenState();
    expect(state.status === 'open' && state.balances).toMatchObject({
      bank: 10_000_000,
      'spending:repairs': 0,
    });
    const reversed = history(fundDecider, [reverse('e2r')], spent);
    spec.given(reversed).when(reverse('e2rr')).thenRefused('already-reversed');
    spec
      .given(reversed)
      .when(spend(8_000_000, {}, 'e3'))
      .then((events) => expect(events).toHaveLength(1));
  });
});
