import { eventsFor } from '../shared/decider.ts';
import { isDomainError, refuse } from '../shared/errors.ts';
import { addDays } from '../shared/time.ts';
import { gate, sameOrNext } from './stages.ts';
import {
  currentStage,
  type Proposal,
  type ProposalCommandOf,
  type ProposalDecision,
  type ProposalEvent,
} from './state.ts';

// Before the vote (协商): the agenda, the notice, the deliberation; after a rejection, the
// return to an earlier stage that the procedure names.

export function acceptOntoAgenda(
  command: ProposalCommandOf<'AcceptOntoAgenda'>,
  state: Proposal,
): ProposalDecision {
  const entered = gate(state, 'agenda', command.at);
  if (isDomainError(entered)) return entered;
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('ProposalAcceptedOntoAgenda', { ...command.data, stageId: entered.stage.id })];
}

export function giveNotice(
  command: ProposalCommandOf<'GiveNotice'>,
  state: Proposal,
): ProposalDecision {
  const { at } = command;
  const emit = eventsFor<ProposalEvent>(command);
  // An amendment outdated the notice: it is given again for the same stage, its period anew.
  const outdated = state.notice?.outdated ? state.notice : undefined;
  if (outdated) {
    return [
      emit('NoticeGiven', {
        ...command.data,
        stageId: outdated.stageId,
        nextStageFrom: addDays(at, outdated.minDays),
        renewed: true,
      }),
    ];
  }
  const entered = gate(state, 'notice', at);
  if (isDomainError(entered)) return entered;
  const minDays = entered.stage.kind === 'notice' ? entered.stage.minDays : 0;
  return [
    emit('NoticeGiven', {
      ...command.data,
      stageId: entered.stage.id,
      nextStageFrom: addDays(at, minDays),
    }),
  ];
}

export function recordDeliberation(
  command: ProposalCommandOf<'RecordDeliberation'>,
  state: Proposal,
): ProposalDecision {
  const entered = sameOrNext(state, 'deliberation', command.at);
  if (isDomainError(entered)) return entered;
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('DeliberationRecorded', { ...command.data, stageId: entered.stage.id })];
}

export function returnToStage(
  command: ProposalCommandOf<'ReturnToStage'>,
  state: Proposal,
): ProposalDecision {
  const current = currentStage(state);
  if (current?.kind !== 'decision' || state.decision?.stageIndex !== state.stageIndex) {
    return refuse('stage-out-of-order', 'only a decided stage returns to consultation');
  }
  if (state.returnTo !== undefined) return refuse('invalid-command', 'already returned');
  if (state.decision.outcome === 'adopted')
    return refuse('invalid-command', 'the decision was adopted');
  if (current.ifRejected !== 'return' || current.returnTo === undefined) {
    return refuse('invalid-command', `stage ${current.id} does not return after a rejection`);
  }
  const emit = eventsFor<ProposalEvent>(command);
  return [
    emit('ProposalReturned', {
      fromStageId: current.id,
      toStageId: current.returnTo,
      reason: command.data.reason,
    }),
  ];
}
