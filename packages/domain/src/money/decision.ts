import { z } from 'zod';
import type { ProposalState } from '../proposal/state.ts';
import { OwnersMatter } from '../rules/owners-decision.ts';
import { costShares, Fen } from '../rules/shares.ts';
import { Id, IsoTime } from '../shared/decider.ts';
import type { ProposalItem } from '../vote/schemas.ts';

// What a proposal decided about one item, as money needs it (资金使用须有表决决定): the
// command service reads the proposal stream and passes this fact in as context, so the
// crowdfunding and fund deciders never read another stream.

/** The proposal item a payment or a campaign stands on (议题编号 + 议项编号). */
export const DecisionRef = z.object({ proposalId: Id, itemId: Id });
export type DecisionRef = z.infer<typeof DecisionRef>;

/** Context: the state of that item's decision when the command is decided. */
export const DecisionFact = DecisionRef.extend({
  /** The proposal's title, kept so accounts read without the proposal. */
  title: z.string().max(200),
  /** `pending`: not decided yet; `withdrawn`: the proposal was withdrawn undecided. */
  outcome: z.enum(['adopted', 'rejected', 'pending', 'withdrawn']),
  matter: OwnersMatter.optional(),
  /** The plans of a plans item, and the one chosen when the item was adopted. */
  optionIds: z.array(Id).max(26),
  chosenOptionId: Id.optional(),
  /** The decided cost: the motion's, or the chosen plan's; absent when none was stated. */
  costFen: Fen.optional(),
  decidedAt: IsoTime.optional(),
});
export type DecisionFact = z.infer<typeof DecisionFact>;

/** The total a cost stands for; a rate is summed over the vote's owners, when there was one. */
function totalOf(cost: ProposalItem['cost'], state: ProposalState): number | undefined {
  if (cost === undefined) return undefined;
  if (cost.basis !== 'rate') return cost.totalFen;
  if (state.status === 'none' || state.vote === undefined) return undefined;
  const payers = state.vote.electorate.filter((v) => v.areaCentiM2 > 0);
  return costShares(cost, payers).totalFen;
}

/** The plan a plans item chose, from the rule's outcome (`chosen`), if any. */
export function chosenOption(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null || !('chosen' in result)) return undefined;
  const chosen = (result as { chosen: unknown }).chosen;
  return typeof chosen === 'string' ? chosen : undefined;
}

/**
 * The fact for `itemId` of a folded proposal, or undefined when the proposal or the item does
 * not exist.
 */
export function decisionFact(state: ProposalState, itemId: string): DecisionFact | undefined {
  if (state.status === 'none') return undefined;
  const item = state.items.find((i) => i.itemId === itemId);
  if (item === undefined) return undefined;
  const base = {
    proposalId: state.proposalId,
    itemId,
    title: state.title.slice(0, 200),
    ...(item.matter === undefined ? {} : { matter: item.matter }),
    optionIds: item.options.map((o) => o.optionId),
  };
  const decided = state.decision?.items.find((d) => d.itemId === itemId);
  if (state.decision === undefined || decided === undefined) {
    return { ...base, outcome: state.status === 'withdrawn' ? 'withdrawn' : 'pending' };
  }
  const decidedAt = state.decision.decidedAt;
  if (decided.outcome !== 'adopted') return { ...base, outcome: 'rejected', decidedAt };
  const chosenOptionId = item.kind === 'plans' ? chosenOption(decided.result) : undefined;
  const cost =
    chosenOptionId === undefined
      ? item.cost
      : item.options.find((o) => o.optionId === chosenOptionId)?.cost;
  const costFen = totalOf(cost, state);
  return {
    ...base,
    outcome: 'adopted',
    ...(chosenOptionId === undefined ? {} : { chosenOptionId }),
    ...(costFen === undefined ? {} : { costFen }),
    decidedAt,
  };
}
