import type { Decider } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { evolve } from './evolve.ts';
import {
  castMemberVote,
  conveneSession,
  giveSessionNotice,
  recordAttendance,
  recordStatement,
  resolveItem,
  statePosition,
} from './meeting.ts';
import {
  amendMinutes,
  correctMinutes,
  draftMinutes,
  publishMinutes,
  remindSigners,
  signMinutes,
  signMinutesCorrection,
} from './minutes.ts';
import {
  initialState,
  type Session,
  type SessionCommand,
  type SessionDecision,
  type SessionEvent,
  type SessionState,
} from './state.ts';

export * from './schemas.ts';
export type {
  Minutes,
  Session,
  SessionCommand,
  SessionCommandType,
  SessionEvent,
  SessionEventType,
  SessionState,
} from './state.ts';
export { requiredFor, textHashOf } from './state.ts';

// The session's decider: one function per command; a session exists from its convening.

function decide(command: SessionCommand, state: SessionState): SessionDecision {
  if (state.status === 'none') {
    return command.type === 'ConveneSession'
      ? conveneSession(command)
      : refuse('not-found', 'no such session');
  }
  return decideForSession(command, state);
}

function decideForSession(command: SessionCommand, state: Session): SessionDecision {
  switch (command.type) {
    case 'ConveneSession':
      return refuse('already-exists', `session ${command.data.sessionId} exists`);
    case 'GiveSessionNotice':
      return giveSessionNotice(command, state);
    case 'RecordAttendance':
      return recordAttendance(command, state);
    case 'RecordStatement':
      return recordStatement(command, state);
    case 'StatePosition':
      return statePosition(command, state);
    case 'CastMemberVote':
      return castMemberVote(command, state);
    case 'ResolveItem':
      return resolveItem(command, state);
    case 'DraftMinutes':
      return draftMinutes(command, state);
    case 'AmendMinutes':
      return amendMinutes(command, state);
    case 'SignMinutes':
      return signMinutes(command, state);
    case 'CorrectMinutes':
      return correctMinutes(command, state);
    case 'SignMinutesCorrection':
      return signMinutesCorrection(command, state);
    case 'PublishMinutes':
      return publishMinutes(command, state);
    case 'RemindSigners':
      return remindSigners(command, state);
    default: {
      const _exhaustive: never = command;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState> = {
  initialState,
  evolve,
  decide,
};
