import type { Decider } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { acceptAmendment, proposeAmendment, rejectAmendment } from './amendments.ts';
import {
  castBallot,
  castProxyBallot,
  changeBallot,
  correctPaperBallot,
  enterPaperBallot,
} from './ballots.ts';
import { acceptOntoAgenda, giveNotice, recordDeliberation, returnToStage } from './consultation.ts';
import { flagImplementationOverdue, remindNonVoters } from './deadlines.ts';
import { evolve } from './evolve.ts';
import {
  answerObjection,
  assignImplementation,
  publish,
  raiseObjection,
  rateSatisfaction,
  reportFeedback,
  reportImplementation,
} from './follow-up.ts';
import {
  initialState,
  type Proposal,
  type ProposalCommand,
  type ProposalDecision,
  type ProposalEvent,
  type ProposalState,
} from './state.ts';
import { addOption, amendProposal, submitProposal, withdrawProposal } from './submission.ts';
import { closeVoting, openVoting, recordPresence, recordSessionResolution } from './voting.ts';

export * from './schemas.ts';
export type {
  DecisionState,
  Proposal,
  ProposalCommand,
  ProposalCommandType,
  ProposalEvent,
  ProposalEventType,
  ProposalState,
  VoteState,
} from './state.ts';
export { isOwnersProcedure } from './submission.ts';
export { verifyDecisions } from './verification.ts';
export { tallyOf } from './voting.ts';

// The proposal's decider: who may send which command is decided by one function per command;
// a proposal exists from its submission and, once withdrawn, takes no other command.

function decide(command: ProposalCommand, state: ProposalState): ProposalDecision {
  if (state.status === 'none') {
    return command.type === 'SubmitProposal'
      ? submitProposal(command)
      : refuse('not-found', 'no such proposal');
  }
  if (state.status === 'withdrawn' && command.type !== 'SubmitProposal') {
    return refuse('proposal-withdrawn', 'the proposal was withdrawn');
  }
  return decideForProposal(command, state);
}

function decideForProposal(command: ProposalCommand, state: Proposal): ProposalDecision {
  switch (command.type) {
    case 'SubmitProposal':
      return refuse('already-exists', `proposal ${command.data.proposalId} exists`);
    case 'AmendProposal':
      return amendProposal(command, state);
    case 'AddOption':
      return addOption(command, state);
    case 'ProposeAmendment':
      return proposeAmendment(command, state);
    case 'AcceptAmendment':
      return acceptAmendment(command, state);
    case 'RejectAmendment':
      return rejectAmendment(command, state);
    case 'AcceptOntoAgenda':
      return acceptOntoAgenda(command, state);
    case 'GiveNotice':
      return giveNotice(command, state);
    case 'RecordDeliberation':
      return recordDeliberation(command, state);
    case 'OpenVoting':
      return openVoting(command, state);
    case 'RecordPresence':
      return recordPresence(command, state);
    case 'CastBallot':
      return castBallot(command, state);
    case 'CastProxyBallot':
      return castProxyBallot(command, state);
    case 'ChangeBallot':
      return changeBallot(command, state);
    case 'EnterPaperBallot':
      return enterPaperBallot(command, state);
    case 'CorrectPaperBallot':
      return correctPaperBallot(command, state);
    case 'CloseVoting':
      return closeVoting(command, state);
    case 'RecordSessionResolution':
      return recordSessionResolution(command, state);
    case 'ReturnToStage':
      return returnToStage(command, state);
    case 'Publish':
      return publish(command, state);
    case 'RaiseObjection':
      return raiseObjection(command, state);
    case 'AnswerObjection':
      return answerObjection(command, state);
    case 'ReportImplementation':
      return reportImplementation(command, state);
    case 'ReportFeedback':
      return reportFeedback(command, state);
    case 'RateSatisfaction':
      return rateSatisfaction(command, state);
    case 'WithdrawProposal':
      return withdrawProposal(command, state);
    case 'AssignImplementation':
      return assignImplementation(command, state);
    case 'RemindNonVoters':
      return remindNonVoters(command, state);
    case 'FlagImplementationOverdue':
      return flagImplementationOverdue(command, state);
    default: {
      const _exhaustive: never = command;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

export const proposalDecider: Decider<ProposalCommand, ProposalEvent, ProposalState> = {
  initialState,
  evolve,
  decide,
};
