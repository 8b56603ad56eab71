import { eventsFor } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import type { Proposal, ProposalCommandOf, ProposalDecision, ProposalEvent } from './state.ts';
import { amendmentClosed, isSubmitterOrConvener, itemsProblem, renotice } from './submission.ts';

// Residents' amendments (修改建议, after Decidim's emendations): anyone of the community proposes
// new text while the proposal may be amended; the submitter or the convener accepts it, which
// amends the proposal exactly as AmendProposal does (the notice rule follows), or rejects it,
// with a reason either way. They live in the proposal's stream: whether the proposal may still
// be amended, and the amendment it makes, are decided on the one state at one version.

export function proposeAmendment(
  command: ProposalCommandOf<'ProposeAmendment'>,
  state: Proposal,
): ProposalDecision {
  const { title, description, items, reason } = command.data;
  if (title === undefined && description === undefined && items === undefined) {
    return refuse('invalid-command', 'an amendment changes the title, description or items', {
      field: 'title',
    });
  }
  if (!state.amendable) return refuse('amendment-closed', 'amendments close when voting opens');
  const problem = items && itemsProblem(items);
  if (problem) return refuse('invalid-command', problem, { field: 'items' });
  const amendmentId = `a${Object.keys(state.amendments).length + 1}`;
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('AmendmentProposed', defined({ amendmentId, title, description, items, reason }))];
}

export function acceptAmendment(
  command: ProposalCommandOf<'AcceptAmendment'>,
  state: Proposal,
): ProposalDecision {
  const { amendmentId, reason } = command.data;
  const amendment = state.amendments[amendmentId];
  if (!amendment) return refuse('not-found', `no amendment ${amendmentId}`);
  if (amendment.status !== 'pending') {
    return refuse('already-resolved', `amendment ${amendmentId} was ${amendment.status}`);
  }
  const closed = amendmentClosed(state, command.actor);
  if (closed) return closed;
  const emit = eventsFor<ProposalEvent>(command);
  const { title, description, items } = amendment;
  return [
    emit('AmendmentAccepted', { amendmentId, reason }),
    emit(
      'ProposalAmended',
      defined({
        title,
        description,
        items: items && [...items],
        reason,
        amendmentId,
        renoticeRequired: renotice(state),
      }),
    ),
  ];
}

export function rejectAmendment(
  command: ProposalCommandOf<'RejectAmendment'>,
  state: Proposal,
): ProposalDecision {
  const { amendmentId } = command.data;
  const amendment = state.amendments[amendmentId];
  if (!amendment) return refuse('not-found', `no amendment ${amendmentId}`);
  if (!isSubmitterOrConvener(state, command.actor)) {
    return refuse('not-authorised', 'only the submitter or the convener answers an amendment');
  }
  if (amendment.status !== 'pending') {
    return refuse('already-resolved', `amendment ${amendmentId} was ${amendment.status}`);
  }
  // Rejecting stays open after voting opens: every amendment gets its answer.
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('AmendmentRejected', command.data)];
}
