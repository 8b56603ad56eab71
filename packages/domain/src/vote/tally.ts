import { z } from 'zod';
import { art279Consent } from '../rules/art279.ts';
import {
  partyMembersMeeting,
  residentsMeeting,
  villagerGroupMeeting,
  villagersMeeting,
  villagersRepresentativesMeeting,
} from '../rules/meetings.ts';
import { ownersDecision278 } from '../rules/owners-decision.ts';
import type { PlanMethod } from '../rules/select-plan.ts';
import { selectPlan } from '../rules/select-plan.ts';
import type { Ballot, Choice } from '../rules/types.ts';
import type { ProposalItem, VoteRule, Voter } from './schemas.ts';

// Applies a frozen vote's rule to its final ballots, item by item, through the rule functions
// of ../rules. Pure: the same frozen vote and ballots give the same figures, years later.

/** The final ballot of one voter on one item. */
export interface ItemBallot {
  readonly choice?: Choice;
  readonly ranking?: readonly string[];
}

export interface TallyInput {
  readonly rule: VoteRule;
  readonly items: readonly ProposalItem[];
  readonly electorate: readonly Voter[];
  readonly planMethod?: PlanMethod;
  /** Final ballots: voter id → item id → ballot. */
  readonly ballots: Iterable<
    readonly [voterId: string, items: Readonly<Record<string, ItemBallot>>]
  >;
  /** Voters recorded present (签到) at a meeting, besides those who cast a ballot. */
  readonly present: Iterable<string>;
  /**
   * How the vote counts, frozen when it opened so that old votes recompute as they were
   * decided: absent (1), a plan choice was decided by its method alone; 2, a plan choice must
   * also pass the body's quorum and approval thresholds.
   */
  readonly rulesVersion?: RulesVersion;
}

/** The counting rules of votes opened from now on (see TallyInput.rulesVersion). */
export const RULES_VERSION = 2 as const;
export type RulesVersion = typeof RULES_VERSION;

/** The full outcome of a rule as JSON, every figure included. */
export const RuleResult = z.json();
export type RuleResult = z.infer<typeof RuleResult>;

export interface ItemDecision {
  itemId: string;
  outcome: 'adopted' | 'rejected';
  result: RuleResult;
}

export function tallyVote(input: TallyInput): ItemDecision[] {
  const ballots = [...input.ballots];
  const present = new Set(input.present);
  for (const [voterId] of ballots) present.add(voterId);
  const presentList = input.electorate.map((v) => v.voterId).filter((id) => present.has(id));

  return input.items.map((item): ItemDecision => {
    if (item.kind === 'plans') return plans(item, ballots, presentList, input);
    const choices: Ballot[] = ballots.flatMap(([voterId, items]) => {
      const choice = items[item.itemId]?.choice;
      return choice === undefined ? [] : [{ voterId, choice }];
    });
    const { adopted, result } = byRule(item, choices, presentList, input);
    return decided(item.itemId, adopted, result);
  });
}

/**
 * 方案由居民选取: the method picks a plan, and the choice is still a decision of the body that
 * votes, so its rule applies to the winning plan as to a motion: the quorum first, then the
 * approval thresholds, with a ballot whose counted preference is the winner as a yes, any
 * other plan (or an exhausted ranking) as a no and a blank ballot as an abstention. Deemed
 * consent (owners) counts silence with the majority of a yes/no vote and is not applied to a
 * choice among plans. The result keeps both: the selection's rounds and the body's figures.
 */
function plans(
  item: ProposalItem,
  ballots: readonly (readonly [string, Readonly<Record<string, ItemBallot>>])[],
  present: string[],
  input: TallyInput,
): ItemDecision {
  const rankings = ballots.flatMap(([voterId, items]) => {
    const ranking = items[item.itemId]?.ranking;
    return ranking === undefined ? [] : [{ voterId, ranking: [...ranking] }];
  });
  const selection = selectPlan(
    {
      options: item.options.map((o) => o.optionId),
      electorate: input.electorate.map((v) => v.voterId),
      ballots: rankings,
    },
    { method: input.planMethod ?? 'plurality' },
  );
  const chosen = selection.chosen;
  if (input.rulesVersion === undefined) {
    return decided(item.itemId, selection.outcome === 'chosen', selection);
  }
  if (selection.outcome !== 'chosen' || chosen === null) {
    return decided(item.itemId, false, { ...selection, body: null });
  }
  // The options still counted in the last round: a ballot counts for its first of them.
  const continuing = new Set(selection.figures.rounds.at(-1)?.counts.map((c) => c.optionId));
  const choices: Ballot[] = rankings.map(({ voterId, ranking }) => ({
    voterId,
    choice:
      ranking.length === 0
        ? 'abstain'
        : ranking.find((o) => continuing.has(o)) === chosen
          ? 'yes'
          : 'no',
  }));
  const rule =
    input.rule.kind === 'owners-278' ? { ...input.rule, deemedConsent: false } : input.rule;
  const body = byRule(item, choices, present, { ...input, rule });
  return decided(item.itemId, body.adopted, { ...selection, body: body.result });
}

/** The vote's rule applied to yes/no/abstain ballots on one item: adopted, and the figures. */
function byRule(
  item: ProposalItem,
  ballots: Ballot[],
  present: string[],
  input: TallyInput,
): { adopted: boolean; result: object } {
  const { rule, electorate } = input;
  const ruled = (adopted: boolean, result: object) => ({ adopted, result });
  const ids = electorate.map((v) => v.voterId);
  const meeting = { electorate: ids, present, ballots };
  const villagers = {
    villagers: electorate.map((v) => ({
      villagerId: v.voterId,
      householdId: v.householdId ?? v.voterId,
    })),
    present,
    ballots,
  };
  switch (rule.kind) {
    case 'owners-278': {
      if (item.matter === undefined) throw new RangeError(`item ${item.itemId} has no matter`);
      const result = ownersDecision278(electorate, ballots, {
        matter: item.matter,
        deemedConsent: rule.deemedConsent,
      });
      // With deemed consent (statute provision) the deemed result decides; both are kept.
      const outcome = result.deemed?.outcome ?? result.outcome;
      return ruled(outcome === 'adopted', result);
    }
    case 'residents-meeting': {
      const result = residentsMeeting(meeting, { form: rule.form });
      return ruled(result.outcome === 'adopted', result);
    }
    case 'villagers-meeting': {
      const result = villagersMeeting(villagers);
      return ruled(result.outcome === 'adopted', result);
    }
    case 'villager-group-meeting': {
      const result = villagerGroupMeeting(villagers);
      return ruled(result.outcome === 'adopted', result);
    }
    case 'villagers-representatives-meeting': {
      const result = villagersRepresentativesMeeting(meeting);
      return ruled(result.outcome === 'adopted', result);
    }
    case 'party-members-meeting': {
      const result = partyMembersMeeting(meeting, {
        quorum: rule.quorum,
        approval: rule.approval,
      });
      return ruled(result.outcome === 'adopted', result);
    }
    case 'art279-consent': {
      const result = art279Consent({
        applicantOwnerIds: rule.applicantOwnerIds,
        interestedOwnerIds: ids,
        consentingOwnerIds: ballots.filter((b) => b.choice === 'yes').map((b) => b.voterId),
      });
      return ruled(result.outcome === 'adopted', result);
    }
    default: {
      const _exhaustive: never = rule;
      throw new RangeError('unknown rule');
    }
  }
}

/** The rule's outcome as plain JSON, so it freezes into the decision event unchanged. */
function decided(itemId: string, adopted: boolean, result: object): ItemDecision {
  return {
    itemId,
    outcome: adopted ? 'adopted' : 'rejected',
    result: RuleResult.parse(JSON.parse(JSON.stringify(result))),
  };
}
