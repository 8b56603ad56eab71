import {
  type Session,
  type SessionEvent,
  type SessionState,
  textHashOf,
  withSignature,
} from './state.ts';

// How each session event changes the session's state.

export function evolve(state: SessionState, event: SessionEvent): SessionState {
  if (event.type === 'SessionConvened') {
    const { at: _at, by: _by, ...convened } = event.data;
    return {
      status: 'convened',
      convened,
      noticeGiven: false,
      partyAttendance: {},
      attendees: [],
      positions: {},
      memberVotes: {},
      resolved: {},
      corrections: {},
    };
  }
  return state.status === 'none' ? state : evolveSession(state, event);
}

function evolveSession(state: Session, event: SessionEvent): Session {
  switch (event.type) {
    case 'SessionConvened':
      return state;
    case 'SessionNoticeGiven':
      return { ...state, noticeGiven: true };
    case 'AttendanceRecorded': {
      const { personId, partyId } = event.data;
      return {
        ...state,
        attendees: state.attendees.includes(personId)
          ? state.attendees
          : [...state.attendees, personId],
        partyAttendance:
          partyId === undefined
            ? state.partyAttendance
            : { ...state.partyAttendance, [partyId]: personId },
      };
    }
    case 'StatementRecorded':
      return state;
    case 'PositionStated': {
      const { itemId, partyId, position } = event.data;
      return {
        ...state,
        positions: {
          ...state.positions,
          [itemId]: { ...state.positions[itemId], [partyId]: position },
        },
      };
    }
    case 'MemberVoteCast': {
      const { itemId, personId, choice } = event.data;
      return {
        ...state,
        memberVotes: {
          ...state.memberVotes,
          [itemId]: { ...state.memberVotes[itemId], [personId]: choice },
        },
      };
    }
    case 'ItemResolved':
      return { ...state, resolved: { ...state.resolved, [event.data.itemId]: event.data.outcome } };
    case 'MinutesDrafted':
    case 'MinutesAmended':
      return {
        ...state,
        minutes: {
          version: event.data.version,
          // Minutes recorded before signatures named their text: its hash, computed.
          textHash: event.data.textHash ?? textHashOf(event.data.text),
          signedBy: [],
          signedByMembers: [],
          final: false,
          reminded: false,
        },
      };
    case 'MinutesSigned': {
      const minutes = state.minutes;
      if (!minutes) return state;
      return { ...state, minutes: withSignature(minutes, event.data) };
    }
    case 'MinutesFinalised':
      return state.minutes ? { ...state, minutes: { ...state.minutes, final: true } } : state;
    case 'MinutesCorrectionProposed':
      return {
        ...state,
        corrections: {
          ...state.corrections,
          [event.data.correctionId]: { signedBy: [], signedByMembers: [], final: false },
        },
      };
    case 'MinutesCorrectionSigned': {
      const correction = state.corrections[event.data.correctionId];
      if (!correction) return state;
      return {
        ...state,
        corrections: {
          ...state.corrections,
          [event.data.correctionId]: withSignature(correction, event.data),
        },
      };
    }
    case 'MinutesCorrectionFinalised': {
      const correction = state.corrections[event.data.correctionId];
      if (!correction) return state;
      return {
        ...state,
        corrections: {
          ...state.corrections,
          [event.data.correctionId]: { ...correction, final: true },
        },
      };
    }
    case 'SignersReminded':
      return state.minutes ? { ...state, minutes: { ...state.minutes, reminded: true } } : state;
    case 'MinutesPublished':
      return state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}
