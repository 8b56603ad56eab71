import { z } from 'zod';
import { MORE_THAN_HALF, ruleTest, uniqueSet, verdict } from './ratio.ts';
import type { RuleOutcome, RuleTest, Threshold } from './types.ts';

// 方案由居民选取 (domain.md 3.5): choosing one of several plans, one voter one vote.
// Ties are reported as ties, never broken by chance; the body then decides how to proceed
// (a new vote, a consultation), and that decision is itself on record.

export const PlanMethod = z.enum([
  'plurality', // 相对多数: most valid votes
  'majority-runoff', // 过半数, else a run-off between the top two
  'instant-runoff', // ranked ballots, eliminate the lowest each round
]);
export type PlanMethod = z.infer<typeof PlanMethod>;

export const SelectPlanParams = z.object({
  method: PlanMethod,
  /**
   * Instant run-off, tie for last place while other options remain: 'previous-rounds'
   * eliminates the tied option that had fewest votes in the latest earlier round that
   * separates them; 'none' reports the tie. A tie that cannot change the result (bulk
   * elimination) never stops the count; a tie for first place is always reported.
   */
  tieBreak: z.enum(['previous-rounds', 'none']).default('previous-rounds'),
});
export type SelectPlanParams = z.infer<typeof SelectPlanParams>;

/**
 * A ballot names options in order of preference. Plurality and majority-runoff take one
 * option at most; an empty ranking is a blank ballot (cast, but not a valid vote).
 */
export const PlanBallot = z.object({
  voterId: z.string().min(1),
  ranking: z.array(z.string().min(1)),
});
export type PlanBallot = z.infer<typeof PlanBallot>;

export interface PlanRound {
  round: number;
  /** Votes of each continuing option, in the order the options were listed. */
  counts: { optionId: string; votes: number }[];
  /** Valid votes this round: ballots still naming a continuing option. */
  valid: number;
  /** Ballots whose every ranked option has been eliminated (instant run-off). */
  exhausted: number;
  /** Whether the leading option has more than half of the valid votes (过半数). */
  majority: RuleTest;
  /** Options eliminated after this round, and why. */
  eliminated: string[];
  elimination: 'lowest' | 'bulk' | 'previous-rounds' | null;
}

export interface SelectPlanFigures {
  method: PlanMethod;
  options: string[];
  /** Voters in the frozen electorate, and how many of them cast a ballot. */
  electorate: number;
  ballots: number;
  blank: number;
  rounds: PlanRound[];
  majorityThreshold: Threshold;
}

export type SelectPlanOutcome = RuleOutcome<
  SelectPlanFigures,
  'chosen' | 'runoff-needed' | 'tie' | 'no-valid-votes'
> & {
  rule: 'select-plan';
  chosen: string | null;
  /** Majority-runoff without a majority: the two options of the run-off vote, leader first. */
  runoff: [string, string] | null;
  /** The options that tie, and for which place. */
  tied: string[];
  tieFor: 'first' | 'second' | 'last' | null;
};

/**
 * Selects a plan. Plurality: the option with most valid votes. Majority-runoff: an option
 * with more than half of the valid votes; otherwise the outcome names the run-off between
 * the top two, decided by a second call with the run-off ballots and those two options.
 * Instant-runoff: count first preferences among continuing options; an option with more than
 * half of the valid votes wins; else eliminate the lowest (several at once only when their
 * total is below every other option, which cannot change the result) and count again.
 */
export function selectPlan(
  input: {
    options: readonly string[];
    /** Voter ids of the frozen electorate; every ballot must come from one of them. */
    electorate: readonly string[];
    ballots: readonly PlanBallot[];
  },
  params: z.input<typeof SelectPlanParams>,
): SelectPlanOutcome {
  const { method, tieBreak } = SelectPlanParams.parse(params);
  const options = [...uniqueSet(input.options, 'option')];
  if (options.length === 0) throw new RangeError('no options to choose from');
  const listed = new Set(options);
  const electorate = uniqueSet(input.electorate, 'voter in the electorate');
  uniqueSet(
    input.ballots.map((b) => b.voterId),
    'voter',
  );
  let blank = 0;
  for (const b of input.ballots) {
    if (!electorate.has(b.voterId)) {
      throw new RangeError(`ballot from outside the electorate: ${b.voterId}`);
    }
    uniqueSet(b.ranking, `preference of ${b.voterId}`);
    for (const o of b.ranking) {
      if (!listed.has(o)) throw new RangeError(`unknown option ${o} on ballot of ${b.voterId}`);
    }
    if (method !== 'instant-runoff' && b.ranking.length > 1) {
      throw new RangeError(`${method} takes one option; ${b.voterId} ranked several`);
    }
    if (b.ranking.length === 0) blank += 1;
  }

  const rounds: PlanRound[] = [];
  const continuing = new Set(options);
  const finish = (
    outcome: SelectPlanOutcome['outcome'],
    rest: Partial<Pick<SelectPlanOutcome, 'chosen' | 'runoff' | 'tied' | 'tieFor'>> = {},
  ): SelectPlanOutcome => {
    const last = rounds[rounds.length - 1];
    const tests = method === 'plurality' || !last ? [] : [last.majority];
    const { failedTest } = verdict(tests);
    const result: SelectPlanOutcome = {
      rule: 'select-plan',
      outcome,
      tests,
      figures: {
        method,
        options,
        electorate: electorate.size,
        ballots: input.ballots.length,
        blank,
        rounds,
        majorityThreshold: MORE_THAN_HALF,
      },
      chosen: rest.chosen ?? null,
      runoff: rest.runoff ?? null,
      tied: rest.tied ?? [],
      tieFor: rest.tieFor ?? null,
    };
    if (failedTest !== undefined && outcome !== 'chosen') result.failedTest = failedTest;
    return result;
  };

  for (;;) {
    const round = countRound(rounds.length + 1, options, continuing, input.ballots);
    rounds.push(round);
    if (round.valid === 0) return finish('no-valid-votes');
    const byVotes = [...round.counts].sort((a, b) => b.votes - a.votes); // stable: listed order
    const top = byVotes[0]!.votes;
    const leaders = byVotes.filter((c) => c.votes === top).map((c) => c.optionId);

    if (method === 'plurality') {
      return leaders.length === 1
        ? finish('chosen', { chosen: leaders[0]! })
        : finish('tie', { tied: leaders, tieFor: 'first' });
    }
    if (round.majority.passed) return finish('chosen', { chosen: leaders[0]! });

    if (method === 'majority-runoff') {
      // Only two options and no majority: they have exactly half each.
      if (leaders.length > 2 || (leaders.length === 2 && round.counts.length === 2)) {
        return finish('tie', { tied: leaders, tieFor: 'first' });
      }
      if (leaders.length === 2) {
        return finish('runoff-needed', { runoff: [leaders[0]!, leaders[1]!] });
      }
      const second = byVotes[1]!.votes;
      const seconds = byVotes.filter((c) => c.votes === second).map((c) => c.optionId);
      return seconds.length === 1
        ? finish('runoff-needed', { runoff: [leaders[0]!, seconds[0]!] })
        : finish('tie', { tied: seconds, tieFor: 'second' });
    }

    // Instant run-off: no majority, so at least two options with votes remain.
    const low = byVotes[byVotes.length - 1]!.votes;
    const lowest = round.counts.filter((c) => c.votes === low).map((c) => c.optionId);
    const others = round.counts.filter((c) => c.votes !== low);
    if (lowest.length === 1) {
      eliminate(round, continuing, lowest, 'lowest');
      continue;
    }
    // Every continuing option tied: a tie for first place, which no rule here breaks.
    if (others.length === 0) return finish('tie', { tied: lowest, tieFor: 'first' });
    const lowestTotal = lowest.length * low;
    if (others.every((c) => lowestTotal < c.votes)) {
      eliminate(round, continuing, lowest, 'bulk');
      continue;
    }
    const loser = tieBreak === 'previous-rounds' ? lookBack(rounds, lowest) : null;
    if (loser === null) return finish('tie', { tied: lowest, tieFor: 'last' });
    eliminate(round, continuing, [loser], 'previous-rounds');
  }
}

function countRound(
  roundNo: number,
  options: readonly string[],
  continuing: ReadonlySet<string>,
  ballots: readonly PlanBallot[],
): PlanRound {
  const votes = new Map<string, number>();
  for (const o of options) if (continuing.has(o)) votes.set(o, 0);
  let exhausted = 0;
  for (const b of ballots) {
    if (b.ranking.length === 0) continue;
    const pick = b.ranking.find((o) => continuing.has(o));
    if (pick === undefined) exhausted += 1;
    else votes.set(pick, votes.get(pick)! + 1);
  }
  const counts = [...votes].map(([optionId, n]) => ({ optionId, votes: n }));
  const valid = counts.reduce((sum, c) => sum + c.votes, 0);
  const top = counts.reduce((max, c) => Math.max(max, c.votes), 0);
  return {
    round: roundNo,
    counts,
    valid,
    exhausted,
    majority: ruleTest('majority', top, valid, MORE_THAN_HALF),
    eliminated: [],
    elimination: null,
  };
}

function eliminate(
  round: PlanRound,
  continuing: Set<string>,
  ids: readonly string[],
  why: NonNullable<PlanRound['elimination']>,
): void {
  for (const id of ids) continuing.delete(id);
  round.eliminated = [...ids];
  round.elimination = why;
}

/** The one tied option with fewest votes in the latest earlier round that separates them. */
function lookBack(rounds: readonly PlanRound[], tied: readonly string[]): string | null {
  let candidates = [...tied];
  for (let i = rounds.length - 2; i >= 0 && candidates.length > 1; i--) {
    const counts = new Map(rounds[i]!.counts.map((c) => [c.optionId, c.votes]));
    const min = Math.min(...candidates.map((id) => counts.get(id)!));
    candidates = candidates.filter((id) => counts.get(id) === min);
  }
  return candidates.length === 1 ? candidates[0]! : null;
}
