import { eventsFor, isSystem } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { pget } from '../shared/pmap.ts';
import { atOrAfter, before } from '../shared/time.ts';
import type { Proposal, ProposalCommandOf, ProposalDecision, ProposalEvent } from './state.ts';

// What the scheduler does by itself (domain.md: deadlines act by themselves): remind the voters
// who have not voted before a vote closes, and flag an implementation past its due time. Only
// the system actor sends these; each happens once, which the state records.

export function remindNonVoters(
  command: ProposalCommandOf<'RemindNonVoters'>,
  state: Proposal,
): ProposalDecision {
  if (!isSystem(command.actor)) return refuse('not-authorised', 'only the scheduler reminds');
  const vote = state.vote;
  if (
    !vote ||
    vote.voteId !== command.data.voteId ||
    vote.closed ||
    !before(command.at, vote.closesAt)
  ) {
    return refuse('voting-not-open', `vote ${command.data.voteId} is not open`);
  }
  if (vote.reminded) return refuse('already-exists', 'the non-voters were reminded');
  const personIds = vote.electorate
    .filter((voter) => pget(vote.ballots, voter.voterId) === undefined)
    .flatMap((voter) => voter.personIds);
  const emit = eventsFor<ProposalEvent>(command);
  return [
    emit('NonVotersReminded', {
      voteId: vote.voteId,
      closesAt: vote.closesAt,
      personIds: [...new Set(personIds)],
    }),
  ];
}

export function flagImplementationOverdue(
  command: ProposalCommandOf<'FlagImplementationOverdue'>,
  state: Proposal,
): ProposalDecision {
  if (!isSystem(command.actor)) return refuse('not-authorised', 'only the scheduler flags');
  const { dueAt } = command.data;
  if (state.implementationDueAt !== dueAt) {
    return refuse('invalid-command', `implementation is not due at ${dueAt}`);
  }
  if (!atOrAfter(command.at, dueAt))
    return refuse('invalid-command', `implementation is due at ${dueAt}`);
  if (state.overdueFlagged === dueAt) return refuse('already-exists', 'already flagged');
  if (state.progressPercent === 100)
    return refuse('already-resolved', 'implementation is complete');
  const emit = eventsFor<ProposalEvent>(command);
  return [
    emit(
      'ImplementationOverdue',
      defined({
        dueAt,
        progressPercent: state.progressPercent,
        responsibleId: state.implementationResponsibleId,
      }),
    ),
  ];
}
