import { isDeepStrictEqual } from 'node:util';
import type { ItemDecision } from '../vote/tally.ts';
import { evolve } from './evolve.ts';
import { initialState, type ProposalEvent } from './state.ts';
import { tallyOf } from './voting.ts';

/**
 * Recomputes every tallied decision of a proposal from its events alone and compares it with
 * the decision on record: what an official runs to verify a result, years later.
 */
export function verifyDecisions(
  events: readonly ProposalEvent[],
): { voteId: string; recorded: ItemDecision[]; recomputed: ItemDecision[]; matches: boolean }[] {
  const results: ReturnType<typeof verifyDecisions> = [];
  let state = initialState();
  for (const event of events) {
    if (
      event.type === 'ProposalDecided' &&
      event.data.voteId !== undefined &&
      state.status !== 'none'
    ) {
      const vote = state.vote;
      const recomputed = vote?.voteId === event.data.voteId ? tallyOf(vote) : [];
      results.push({
        voteId: event.data.voteId,
        recorded: event.data.items,
        recomputed,
        matches: sameJsonValue(recomputed, event.data.items),
      });
    }
    state = evolve(state, event);
  }
  return results;
}

/**
 * Equal as JSON values: key order does not count (a store may reorder keys), and fields that
 * JSON leaves out (undefined) are left out on both sides.
 */
function sameJsonValue(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
