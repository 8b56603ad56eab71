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
}

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
    if (item.kind === 'plans') {
      const result = selectPlan(
        {
          options: item.options.map((o) => o.optionId),
          electorate: input.electorate.map((v) => v.voterId),
          ballots: ballots.flatMap(([voterId, items]) => {
            const ranking = items[item.itemId]?.ranking;
            return ranking === undefined ? [] : [{ voterId, ranking: [...ranking] }];
          }),
        },
        { method: input.planMethod ?? 'plurality' },
      );
      return decided(item.itemId, result.outcome === 'chosen', result);
    }
    const choices: Ballot[] = ballots.flatMap(([voterId, items]) => {
      const choice = items[item.itemId]?.choice;
      return choice === undefined ? [] : [{ voterId, choice }];
    });
    return motion(item, choices, presentList, input);
  });
}

function motion(
  item: ProposalItem,
  ballots: Ballot[],
  present: string[],
  input: TallyInput,
): ItemDecision {
  const { rule, electorate } = input;
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
      return decided(item.itemId, outcome === 'adopted', result);
    }
    case 'residents-meeting': {
      const result = residentsMeeting(meeting, { form: rule.form });
      return decided(item.itemId, result.outcome === 'adopted', result);
    }
    case 'villagers-meeting': {
      const result = villagersMeeting(villagers);
      return decided(item.itemId, result.outcome === 'adopted', result);
    }
    case 'villager-group-meeting': {
      const result = villagerGroupMeeting(villagers);
      return decided(item.itemId, result.outcome === 'adopted', result);
    }
    case 'villagers-representatives-meeting': {
      const result = villagersRepresentativesMeeting(meeting);
      return decided(item.itemId, result.outcome === 'adopted', result);
    }
    case 'party-members-meeting': {
      const result = partyMembersMeeting(meeting, {
        quorum: rule.quorum,
        approval: rule.approval,
      });
      return decided(item.itemId, result.outcome === 'adopted', result);
    }
    case 'art279-consent': {
      const result = art279Consent({
        applicantOwnerIds: rule.applicantOwnerIds,
        interestedOwnerIds: ids,
        consentingOwnerIds: ballots.filter((b) => b.choice === 'yes').map((b) => b.voterId),
      });
      return decided(item.itemId, result.outcome === 'adopted', result);
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
