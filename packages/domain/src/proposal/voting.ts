import type { Stage } from '../procedure/templates.ts';
import { eventsFor } from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { pentries, pget } from '../shared/pmap.ts';
import { atOrAfter, before } from '../shared/time.ts';
import { frozenRule } from '../vote/frozen-rule.ts';
import {
  isMeetingRule,
  type ProposalItem,
  type VoteRule,
  type VoteScope,
} from '../vote/schemas.ts';
import { type ItemDecision, RULES_VERSION, tallyVote } from '../vote/tally.ts';
import { gate } from './stages.ts';
import type {
  DecisionState,
  Proposal,
  ProposalCommandOf,
  ProposalDecision,
  ProposalEvent,
  VoteState,
} from './state.ts';

// A decision stage's vote: it opens with its rule, electorate and closing time frozen, records
// who is present at a meeting, and closes with the tally as the decision. A joint session
// decides such a stage by its resolution instead.

export function openVoting(
  command: ProposalCommandOf<'OpenVoting'>,
  state: Proposal,
): ProposalDecision {
  const { at, data } = command;
  const entered = gate(state, 'decision', at);
  if (isDomainError(entered)) return entered;
  const rule = frozenRule(data.rule, data.communityRules);
  if (isDomainError(rule)) return rule;
  const problem = voteProblem(data, rule, entered.stage, state.items, at);
  if (problem) return refuse('invalid-command', problem);
  if (!sameScope(state.scope, data.scope)) {
    return refuse('scope-mismatch', 'the electorate was not counted for the proposal’s scope', {
      scope: state.scope ?? { kind: 'community' },
    });
  }
  const totals = { voters: data.electorate.length, heads: 0, areaCentiM2: 0 };
  for (const v of data.electorate) {
    totals.heads += v.heads;
    totals.areaCentiM2 += v.areaCentiM2;
  }
  const emit = eventsFor<ProposalEvent>(command);
  return [
    emit(
      'VotingOpened',
      defined({
        voteId: `${entered.stage.id}-${state.votesOpened + 1}`,
        stageId: entered.stage.id,
        rule,
        items: [...state.items],
        scope: state.scope,
        electorate: data.electorate,
        totals,
        closesAt: data.closesAt,
        allowBallotChange: data.allowBallotChange ?? false,
        planMethod: data.planMethod,
        rulesVersion: RULES_VERSION,
      }),
    ),
  ];
}

export function recordPresence(
  command: ProposalCommandOf<'RecordPresence'>,
  state: Proposal,
): ProposalDecision {
  const vote = openVote(state, command.at);
  if (isDomainError(vote)) return vote;
  if (!isMeetingRule(vote.rule)) {
    return refuse('invalid-command', 'presence counts only in meeting votes');
  }
  const outside = command.data.voterIds.filter((id) => !vote.voters.has(id));
  if (outside.length > 0) {
    return refuse('not-eligible', 'not in the electorate', { voterIds: outside });
  }
  const fresh = [...new Set(command.data.voterIds)].filter((id) => !pget(vote.present, id));
  const emit = eventsFor<ProposalEvent>(command);
  return fresh.length === 0
    ? []
    : [emit('PresenceRecorded', { voteId: vote.voteId, voterIds: fresh })];
}

export function closeVoting(
  command: ProposalCommandOf<'CloseVoting'>,
  state: Proposal,
): ProposalDecision {
  const { at } = command;
  const vote = state.vote;
  if (!vote || vote.stageIndex !== state.stageIndex)
    return refuse('voting-not-open', 'no vote is open');
  if (vote.closed) return refuse('voting-closed', 'the vote is already closed');
  const { meetingEnded } = command.data;
  if (meetingEnded && !isMeetingRule(vote.rule)) {
    return refuse('invalid-command', 'only a meeting vote closes when the meeting ends');
  }
  const everyone = vote.complete === vote.electorate.length;
  if (before(at, vote.closesAt) && !everyone && !meetingEnded) {
    return refuse('voting-still-open', `voting closes at ${vote.closesAt}`, {
      closesAt: vote.closesAt,
    });
  }
  const items = tallyOf(vote);
  const emit = eventsFor<ProposalEvent>(command);
  return [
    emit(
      'VotingClosed',
      defined({
        voteId: vote.voteId,
        early: before(at, vote.closesAt),
        meetingEnded: meetingEnded || undefined,
      }),
    ),
    emit('ProposalDecided', {
      stageId: state.stages[vote.stageIndex]!.id,
      voteId: vote.voteId,
      outcome: overall(items),
      items,
    }),
  ];
}

export function recordSessionResolution(
  command: ProposalCommandOf<'RecordSessionResolution'>,
  state: Proposal,
): ProposalDecision {
  const entered = gate(state, 'decision', command.at);
  if (isDomainError(entered)) return entered;
  if (entered.stage.kind !== 'decision' || !entered.stage.rules.includes('joint-session')) {
    return refuse('invalid-command', `stage ${entered.stage.id} is not decided in a joint session`);
  }
  const { sessionId, sessionItemId, outcome, result } = command.data;
  const items = state.items.map((i) => ({ itemId: i.itemId, outcome, result }));
  const emit = eventsFor<ProposalEvent>(command);
  return [
    emit('ProposalDecided', {
      stageId: entered.stage.id,
      sessionId,
      sessionItemId,
      outcome: overall(items),
      items,
    }),
  ];
}

/** The open vote of the current stage at time `at`. */
export function openVote(state: Proposal, at: string): VoteState | DomainError {
  const vote = state.vote;
  if (!vote || vote.stageIndex !== state.stageIndex || before(at, vote.openedAt)) {
    return refuse('voting-not-open', 'no vote is open');
  }
  if (vote.closed || atOrAfter(at, vote.closesAt)) {
    return refuse('voting-closed', `voting closed at ${vote.closesAt}`, {
      closesAt: vote.closesAt,
    });
  }
  return vote;
}

/** Tallies a vote from its frozen parameters and final ballots (and presence). */
export function tallyOf(vote: VoteState): ItemDecision[] {
  return tallyVote({
    rule: vote.rule,
    items: vote.items,
    electorate: vote.electorate,
    ...defined({ planMethod: vote.planMethod, rulesVersion: vote.rulesVersion }),
    ballots: pentries(vote.ballots),
    present: [...pentries(vote.present)].map(([id]) => id),
  });
}

/** Whether two scopes name the same owners (absent and `community` are the whole community). */
function sameScope(a: VoteScope | undefined, b: VoteScope | undefined): boolean {
  const key = (s: VoteScope | undefined) =>
    s?.kind === 'building' ? `building\u0000${s.building}\u0000${s.entrance ?? ''}` : 'community';
  return key(a) === key(b);
}

function overall(items: readonly ItemDecision[]): DecisionState['outcome'] {
  const adopted = items.filter((i) => i.outcome === 'adopted').length;
  return adopted === items.length ? 'adopted' : adopted === 0 ? 'rejected' : 'partly-adopted';
}

function voteProblem(
  data: ProposalCommandOf<'OpenVoting'>['data'],
  rule: VoteRule,
  stage: Stage,
  items: readonly ProposalItem[],
  at: string,
): string | undefined {
  const { electorate } = data;
  if (stage.kind !== 'decision' || !stage.rules.includes(rule.kind)) {
    return `stage ${stage.id} does not decide by ${rule.kind}`;
  }
  if (!before(at, data.closesAt)) return 'voting must close after it opens';
  if (new Set(electorate.map((v) => v.voterId)).size !== electorate.length) {
    return 'a voter appears twice in the electorate';
  }
  if (rule.kind === 'art279-consent' && items.some((i) => i.kind !== 'motion')) {
    return `${rule.kind} decides motions only`;
  }
  if (rule.kind === 'owners-278' && items.some((i) => i.matter === undefined)) {
    return 'every item of an owners’ vote needs its Art. 278 matter';
  }
  if (items.some((i) => i.kind === 'plans' && i.options.length < 2))
    return 'a plans item needs two plans';
  if (items.some((i) => i.kind === 'plans') && data.planMethod === undefined) {
    return 'plans items need a plan method';
  }
  if (
    (rule.kind === 'villagers-meeting' || rule.kind === 'villager-group-meeting') &&
    electorate.some((v) => v.householdId === undefined)
  ) {
    return 'villagers’ meetings count households: every voter needs one';
  }
  return undefined;
}
