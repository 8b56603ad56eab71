import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { upcastEvent } from '../catalog/events.ts';
import { Account, type PostingLine, sides } from '../money/accounts.ts';
import type { DecisionFact } from '../money/decision.ts';
import type { Actor } from '../shared/decider.ts';
import { checkRebuild, commandsOf, day } from '../testing/spec.ts';
import { type FundCommand, type FundEvent, fundDecider, fundEventSchemas } from './fund.ts';

// Any sequence of postings and reversals, balanced or not, authorised or not: what the ledger
// accepts always balances (every event's debits equal its credits, so do all of them), money
// held never falls below nothing, and no decision is spent beyond its cost.

const c = commandsOf<FundCommand>();
const treasurer: Actor = { personId: 't', role: 'resident' };
const accounts = Account.options;

const decisions: DecisionFact[] = [0, 1, 2].map((i) => ({
  proposalId: `p${i}`,
  itemId: 'i',
  title: `议题 ${i}`,
  outcome: i === 2 ? 'rejected' : 'adopted',
  matter: 'maintenance-fund-use',
  optionIds: [],
  costFen: 5_000 * (i + 1),
}));

const lineArb = fc.record({
  account: fc.constantFrom(...accounts),
  side: fc.constantFrom('debit' as const, 'credit' as const),
  amountFen: fc.integer({ min: 1, max: 20_000 }),
});
/** Mostly balanced entries: the last line takes up the difference unless told not to. */
const postArb = fc.record({
  kind: fc.constant('post' as const),
  lines: fc.array(lineArb, { minLength: 1, maxLength: 4 }),
  balance: fc.boolean(),
  decision: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
});
const reverseArb = fc.record({
  kind: fc.constant('reverse' as const),
  target: fc.integer({ min: 0, max: 8 }),
});
/** The everyday entries: a deposit into the bank, a payment out of it on a decision. */
const everydayArb = fc
  .record({
    spend: fc.boolean(),
    amountFen: fc.integer({ min: 1, max: 8_000 }),
    decision: fc.integer({ min: 0, max: 2 }),
  })
  .map(({ spend, amountFen, decision }) => everyday(spend, amountFen, decision));
function everyday(spend: boolean, amountFen: number, decision: number) {
  return {
    kind: 'post' as const,
    lines: [
      { account: spend ? 'spending:repairs' : 'bank', side: 'debit', amountFen },
      { account: spend ? 'bank' : 'income:owner-deposits', side: 'credit', amountFen },
    ] satisfies PostingLine[],
    balance: true,
    decision: spend ? decision : undefined,
  };
}
const stepArb = fc.oneof(
  { weight: 3, arbitrary: postArb },
  { weight: 3, arbitrary: everydayArb },
  { weight: 1, arbitrary: reverseArb },
);

function balanced(lines: PostingLine[], balance: boolean): PostingLine[] {
  const { debitFen, creditFen } = sides(lines);
  if (!balance || debitFen === creditFen) return lines.length >= 2 ? lines : [...lines, ...lines];
  const side = debitFen > creditFen ? 'credit' : 'debit';
  return [...lines, { account: 'bank', side, amountFen: Math.abs(debitFen - creditFen) }];
}

type StepOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

function command(i: number, step: StepOf<typeof stepArb>): FundCommand {
  const at = day(1 + i);
  if (step.kind === 'reverse') {
    return c(
      'ReverseFundEntry',
      {
        entryId: `r${i}`,
        reverses: `e${step.target}`,
        reason: '更正',
        documentRef: 'x',
        treasurer: true,
      },
      treasurer,
      at,
    );
  }
  const decision = step.decision === undefined ? undefined : decisions[step.decision];
  return c(
    'PostFundEntry',
    {
      entryId: `e${i}`,
      lines: balanced(step.lines, step.balance),
      memo: '记账',
      documentRef: `凭证 ${i}`,
      ...(decision
        ? { authorisedBy: { proposalId: decision.proposalId, itemId: 'i' }, decision }
        : {}),
      treasurer: true,
    },
    treasurer,
    at,
  );
}

describe('fund ledger, any history', () => {
  it('always balances, never overdraws, never spends a decision beyond its cost', () => {
    // Histories that did spend on a decision and reverse an entry: the property is not vacuous.
    let spending = 0;
    let reversals = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 40 }), (steps) => {
        const commands = [
          c(
            'OpenFund',
            { fundId: 'f', communityId: 'hp', kind: 'maintenance-fund', name: '维修资金' },
            treasurer,
            day(0),
          ),
          // A starting deposit, so that most histories have money to pay and to reverse.
          command(100, everyday(false, 50_000, 0)),
          ...steps.map((s, i) => command(i, s)),
        ];
        const { events } = checkRebuild(fundDecider, fundEventSchemas, commands, upcastEvent);
        let debit = 0;
        let credit = 0;
        const held: Record<string, number> = { bank: 0, cash: 0 };
        const spent: Record<string, number> = {};
        const decisionOf: Record<string, string | undefined> = {};
        for (const event of events as FundEvent[]) {
          if (event.type === 'FundOpened') continue;
          const s = sides(event.data.lines);
          expect(s.debitFen).toBe(s.creditFen);
          debit += s.debitFen;
          credit += s.creditFen;
          const key =
            event.type === 'FundEntryPosted'
              ? event.data.decision?.proposalId
              : decisionOf[event.data.reverses];
          decisionOf[event.data.entryId] = key;
          for (const l of event.data.lines) {
            const sign = l.side === 'debit' ? 1 : -1;
            if (l.account in held) held[l.account]! += sign * l.amountFen;
            if (key && l.account.startsWith('spending:')) {
              spent[key] = (spent[key] ?? 0) + sign * l.amountFen;
            }
          }
          expect(held.bank).toBeGreaterThanOrEqual(0);
          expect(held.cash).toBeGreaterThanOrEqual(0);
          for (const d of decisions) {
            expect(spent[d.proposalId] ?? 0).toBeLessThanOrEqual(d.costFen ?? 0);
          }
          // A rejected decision never carries spending.
          expect(spent.p2 ?? 0).toBe(0);
        }
        expect(debit).toBe(credit);
        if (Object.values(spent).some((v) => v > 0)) spending++;
        if (events.some((e) => e.type === 'FundEntryReversed')) reversals++;
      }),
      { numRuns: 200 },
    );
    expect(spending).toBeGreaterThan(20);
    expect(reversals).toBeGreaterThan(5);
  });
});
