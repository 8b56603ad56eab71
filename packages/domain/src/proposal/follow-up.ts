import { eventsFor } from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { pget } from '../shared/pmap.ts';
import { addDays, atOrAfter, before } from '../shared/time.ts';
import { gate, sameOrNext } from './stages.ts';
import {
  currentStage,
  type Proposal,
  type ProposalCommandOf,
  type ProposalDecision,
  type ProposalEvent,
} from './state.ts';

// After the decision: publication (公示) with objections and their answers, implementation
// reports, the feedback, and the residents' satisfaction ratings (满意度评议).

/**
 * A person named responsible for implementation must be in the registry: the service says
 * whether they are (context), so a typo never names someone the reminder cannot reach.
 */
function unregistered(
  personId: string | undefined,
  registered: boolean | undefined,
  field: string,
): DomainError | undefined {
  if (personId === undefined || registered === true) return undefined;
  return refuse('person-not-registered', `${personId} is not a registered person`, {
    field,
    personId,
  });
}

export function publish(command: ProposalCommandOf<'Publish'>, state: Proposal): ProposalDecision {
  const { at } = command;
  const { responsibleRegistered, ...data } = command.data;
  const unknown = unregistered(
    data.implementationResponsibleId,
    responsibleRegistered,
    'implementationResponsibleId',
  );
  if (unknown) return unknown;
  const entered = gate(state, 'publication', at);
  if (isDomainError(entered)) return entered;
  const stage = entered.stage;
  if (stage.kind !== 'publication') return refuse('stage-out-of-order', 'not a publication');
  const deadline =
    stage.withinDays !== undefined && state.decision
      ? addDays(state.decision.decidedAt, stage.withinDays)
      : undefined;
  const emit = eventsFor<ProposalEvent>(command);
  return [
    emit(
      'ProposalPublished',
      defined({
        ...data,
        stageId: stage.id,
        subject: stage.subject,
        endsAt: addDays(at, stage.periodDays),
        deadline,
        // Publishing late is recorded, not refused: the record must show what happened.
        onTime: deadline === undefined ? undefined : !before(deadline, at),
      }),
    ),
  ];
}

/**
 * Names another person responsible for implementation (the convener or clerk, with a reason),
 * also after it was flagged overdue: the flag stays once per due time, the new person is on
 * record for the next one.
 */
export function assignImplementation(
  command: ProposalCommandOf<'AssignImplementation'>,
  state: Proposal,
): ProposalDecision {
  const { responsibleRegistered, ...data } = command.data;
  const unknown = unregistered(data.responsibleId, responsibleRegistered, 'responsibleId');
  if (unknown) return unknown;
  if (state.implementationDueAt === undefined) {
    return refuse('stage-out-of-order', 'no implementation is due: publish the decision first');
  }
  if (state.progressPercent === 100) {
    return refuse('already-resolved', 'implementation is complete');
  }
  const previous = state.implementationResponsibleId;
  if (previous === data.responsibleId) {
    return refuse('already-exists', `${previous} is responsible already`);
  }
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('ImplementationAssigned', defined({ ...data, previousResponsibleId: previous }))];
}

export function raiseObjection(
  command: ProposalCommandOf<'RaiseObjection'>,
  state: Proposal,
): ProposalDecision {
  const current = currentStage(state);
  const publication = state.publication;
  if (current?.kind !== 'publication' || publication?.stageIndex !== state.stageIndex) {
    return refuse('stage-out-of-order', 'objections are raised during a publication');
  }
  if (atOrAfter(command.at, publication.endsAt)) {
    return refuse('publication-closed', `the publication ended at ${publication.endsAt}`);
  }
  if (state.objections[command.data.objectionId]) {
    return refuse('already-exists', `objection ${command.data.objectionId} exists`);
  }
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('ObjectionRaised', { ...command.data, stageId: current.id })];
}

export function answerObjection(
  command: ProposalCommandOf<'AnswerObjection'>,
  state: Proposal,
): ProposalDecision {
  const objection = state.objections[command.data.objectionId];
  if (!objection) return refuse('not-found', `no objection ${command.data.objectionId}`);
  if (objection.answered) return refuse('already-resolved', 'the objection was answered');
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('ObjectionAnswered', command.data)];
}

export function reportImplementation(
  command: ProposalCommandOf<'ReportImplementation'>,
  state: Proposal,
): ProposalDecision {
  const entered = sameOrNext(state, 'implementation', command.at);
  if (isDomainError(entered)) return entered;
  const { itemId } = command.data;
  if (itemId !== undefined && !state.items.some((i) => i.itemId === itemId)) {
    return refuse('not-found', `no item ${itemId}`);
  }
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('ImplementationReported', { ...command.data, stageId: entered.stage.id })];
}

export function reportFeedback(
  command: ProposalCommandOf<'ReportFeedback'>,
  state: Proposal,
): ProposalDecision {
  const entered = sameOrNext(state, 'feedback', command.at);
  if (isDomainError(entered)) return entered;
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('FeedbackReported', { ...command.data, stageId: entered.stage.id })];
}

export function rateSatisfaction(
  command: ProposalCommandOf<'RateSatisfaction'>,
  state: Proposal,
): ProposalDecision {
  if (currentStage(state)?.kind !== 'feedback' || !state.feedbackGiven) {
    return refuse('stage-out-of-order', 'ratings follow the feedback');
  }
  const { personId } = command.actor;
  if (pget(state.ratings, personId) !== undefined) {
    return refuse('already-exists', `${personId} already rated`);
  }
  const emit = eventsFor<ProposalEvent>(command);
  return [emit('SatisfactionRated', command.data)];
}
