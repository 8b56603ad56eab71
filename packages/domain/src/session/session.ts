import { createHash } from 'node:crypto';
import type { z } from 'zod';
import {
  defaultRequiredParties,
  jointSessionResolution,
  type PartyPosition,
} from '../rules/joint-session.ts';
import { residentsMeeting } from '../rules/meetings.ts';
import type { Choice } from '../rules/types.ts';
import {
  type Actor,
  type CommandsOf,
  type Decider,
  type Decision,
  type EventsOf,
  eventsFor,
  type OfType,
} from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { RuleResult } from '../vote/tally.ts';
import type { AgendaItem, sessionCommandSchemas, sessionEventSchemas } from './schemas.ts';

export * from './schemas.ts';

// 联席会议 and 居民议事会: a session convened with parties and an agenda. Each attending party
// states one position per item through its representative; the item is resolved by the
// session rule; the minutes become final when every attending party has signed them.

export type SessionCommand = CommandsOf<typeof sessionCommandSchemas>;
export type SessionEvent = EventsOf<typeof sessionEventSchemas>;
export type SessionCommandType = SessionCommand['type'];
export type SessionEventType = SessionEvent['type'];

type ConvenedData = z.infer<typeof sessionEventSchemas.SessionConvened>;

export interface Minutes {
  readonly version: number;
  /** SHA-256 of the current text: a signature must name it. */
  readonly textHash: string;
  /** Parties that signed the current version. */
  readonly signedBy: readonly string[];
  readonly final: boolean;
}

export interface Session {
  readonly status: 'convened';
  readonly convened: Omit<ConvenedData, 'at' | 'by'>;
  readonly noticeGiven: boolean;
  /** party id → the person representing it in this session. */
  readonly partyAttendance: Readonly<Record<string, string>>;
  /** Persons attending: representatives, members and residents. */
  readonly attendees: readonly string[];
  readonly positions: Readonly<Record<string, Readonly<Record<string, PartyPosition>>>>;
  readonly memberVotes: Readonly<Record<string, Readonly<Record<string, Choice>>>>;
  readonly resolved: Readonly<Record<string, 'adopted' | 'rejected'>>;
  readonly minutes?: Minutes;
  readonly corrections: Readonly<Record<string, { signedBy: readonly string[]; final: boolean }>>;
}

export type SessionState = { readonly status: 'none' } | Session;

/** SHA-256 (lowercase hex) of a text's UTF-8 bytes: what a signature of minutes names. */
export function textHashOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Parties whose attendance an item requires: the session's required parties and those concerned. */
export function requiredFor(session: Session, item: AgendaItem): string[] {
  return [...new Set([...session.convened.requiredPartyIds, ...item.concernedPartyIds])].sort();
}

// ---- evolve -------------------------------------------------------------------------------

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
          final: false,
        },
      };
    case 'MinutesSigned': {
      const minutes = state.minutes;
      if (!minutes) return state;
      return {
        ...state,
        minutes: { ...minutes, signedBy: [...minutes.signedBy, event.data.partyId] },
      };
    }
    case 'MinutesFinalised':
      return state.minutes ? { ...state, minutes: { ...state.minutes, final: true } } : state;
    case 'MinutesCorrectionProposed':
      return {
        ...state,
        corrections: {
          ...state.corrections,
          [event.data.correctionId]: { signedBy: [], final: false },
        },
      };
    case 'MinutesCorrectionSigned': {
      const correction = state.corrections[event.data.correctionId];
      if (!correction) return state;
      return {
        ...state,
        corrections: {
          ...state.corrections,
          [event.data.correctionId]: {
            ...correction,
            signedBy: [...correction.signedBy, event.data.partyId],
          },
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
    case 'MinutesPublished':
      return state;
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

// ---- decide -------------------------------------------------------------------------------

type SessionDecision = Decision<SessionEvent>;

function agendaItem(state: Session, itemId: string): AgendaItem | DomainError {
  return (
    state.convened.agenda.find((i) => i.itemId === itemId) ??
    refuse('not-found', `no agenda item ${itemId}`, { itemId })
  );
}

/** Items are discussed and decided until the minutes are drafted. */
function openItem(state: Session, itemId: string): AgendaItem | DomainError {
  if (state.minutes) return refuse('minutes-final', 'the minutes are drafted: the session is over');
  const item = agendaItem(state, itemId);
  if (isDomainError(item)) return item;
  if (state.resolved[itemId]) return refuse('already-resolved', `item ${itemId} is resolved`);
  return item;
}

/** The actor acts for `partyId` and is the person attending for it. */
function asPartyRepresentative(
  state: Session,
  actor: Actor,
  partyId: string,
): DomainError | undefined {
  if (actor.role !== 'party_representative' || actor.partyId !== partyId) {
    return refuse('not-authorised', `only a representative of ${partyId} acts for it`, { partyId });
  }
  const attending = state.partyAttendance[partyId];
  if (attending === undefined)
    return refuse('not-attending', `${partyId} is not attending`, { partyId });
  if (attending !== actor.personId) {
    return refuse('not-authorised', `${attending} represents ${partyId} in this session`, {
      partyId,
    });
  }
  return undefined;
}

function decideSession(command: SessionCommand, state: Session): SessionDecision {
  const { actor } = command;
  const emit = eventsFor<SessionEvent>(command);
  const attendingParties = Object.keys(state.partyAttendance).sort();

  switch (command.type) {
    case 'ConveneSession':
      return refuse('already-exists', `session ${command.data.sessionId} exists`);

    case 'GiveSessionNotice':
      if (state.attendees.length > 0)
        return refuse('stage-out-of-order', 'notice comes before the session');
      return [emit('SessionNoticeGiven', command.data)];

    case 'RecordAttendance': {
      if (!state.noticeGiven) return refuse('stage-out-of-order', 'give notice before the session');
      if (state.minutes)
        return refuse('minutes-final', 'the minutes are drafted: the session is over');
      const { personId, partyId, partyRepresentativeIds } = command.data;
      const self = actor.personId === personId;
      if (!self && actor.role !== 'clerk') {
        return refuse('not-authorised', 'attendance is recorded by the clerk or the person');
      }
      if (partyId === undefined) {
        if (state.attendees.includes(personId))
          return refuse('already-exists', `${personId} attends`);
        const member = state.convened.memberIds.includes(personId);
        return [emit('AttendanceRecorded', { personId, as: member ? 'member' : 'resident' })];
      }
      if (!state.convened.parties.some((p) => p.partyId === partyId)) {
        return refuse('not-found', `${partyId} is not invited`, { partyId });
      }
      if (!partyRepresentativeIds?.includes(personId) || (self && actor.partyId !== partyId)) {
        return refuse('not-authorised', `${personId} does not represent ${partyId}`, { partyId });
      }
      if (state.partyAttendance[partyId] !== undefined) {
        return refuse('already-exists', `${partyId} is already represented`, { partyId });
      }
      return [emit('AttendanceRecorded', { personId, partyId, as: 'party-representative' })];
    }

    case 'RecordStatement': {
      const item = openItem(state, command.data.itemId);
      if (isDomainError(item)) return item;
      const speaker = command.data.speakerPersonId ?? actor.personId;
      if (speaker !== actor.personId && actor.role !== 'clerk') {
        return refuse('not-authorised', 'only the clerk records what another attendee said');
      }
      if (!state.attendees.includes(speaker))
        return refuse('not-attending', `${speaker} is not attending`);
      const partyId = Object.entries(state.partyAttendance).find(([, p]) => p === speaker)?.[0];
      return [
        emit(
          'StatementRecorded',
          defined({
            itemId: item.itemId,
            speakerPersonId: speaker,
            partyId,
            text: command.data.text,
          }),
        ),
      ];
    }

    case 'StatePosition': {
      if (state.convened.kind !== 'joint-session') {
        return refuse('invalid-command', 'parties state positions in joint sessions');
      }
      const item = openItem(state, command.data.itemId);
      if (isDomainError(item)) return item;
      const { partyId } = command.data;
      const error = asPartyRepresentative(state, actor, partyId);
      if (error) return error;
      if (state.positions[item.itemId]?.[partyId] !== undefined) {
        return refuse('already-stated', `${partyId} stated its position on ${item.itemId}`);
      }
      return [emit('PositionStated', { ...command.data, personId: actor.personId })];
    }

    case 'CastMemberVote': {
      if (state.convened.kind !== 'residents-council') {
        return refuse('invalid-command', 'members vote in residents’ council meetings');
      }
      const item = openItem(state, command.data.itemId);
      if (isDomainError(item)) return item;
      if (!state.convened.memberIds.includes(actor.personId)) {
        return refuse('not-eligible', `${actor.personId} is not a council member`);
      }
      if (!state.attendees.includes(actor.personId)) {
        return refuse('not-attending', `${actor.personId} is not attending`);
      }
      if (state.memberVotes[item.itemId]?.[actor.personId] !== undefined) {
        return refuse('already-voted', `${actor.personId} voted on ${item.itemId}`);
      }
      return [emit('MemberVoteCast', { ...command.data, personId: actor.personId })];
    }

    case 'ResolveItem': {
      const item = openItem(state, command.data.itemId);
      if (isDomainError(item)) return item;
      if (state.convened.kind === 'residents-council') {
        const members = state.convened.memberIds;
        const votes = state.memberVotes[item.itemId] ?? {};
        const result = residentsMeeting(
          {
            electorate: members,
            present: members.filter((m) => state.attendees.includes(m)),
            ballots: Object.entries(votes).map(([voterId, choice]) => ({ voterId, choice })),
          },
          { form: 'group-representatives' },
        );
        return [
          emit(
            'ItemResolved',
            defined({
              itemId: item.itemId,
              proposalId: item.proposalId,
              outcome: result.outcome,
              dissentingPartyIds: [],
              result: RuleResult.parse(JSON.parse(JSON.stringify(result))),
            }),
          ),
        ];
      }
      const required = requiredFor(state, item);
      const absent = required.filter((p) => state.partyAttendance[p] === undefined);
      if (absent.length > 0) {
        return refuse('quorum-not-met', 'required parties are not attending', {
          absentPartyIds: absent,
        });
      }
      const positions = state.positions[item.itemId] ?? {};
      const result = jointSessionResolution(
        Object.entries(positions).map(([partyId, position]) => ({ partyId, position })),
        { requiredParties: required, rule: state.convened.resolutionRule },
      );
      return [
        emit(
          'ItemResolved',
          defined({
            itemId: item.itemId,
            proposalId: item.proposalId,
            outcome: result.outcome,
            dissentingPartyIds: result.figures.dissenting,
            result: RuleResult.parse(JSON.parse(JSON.stringify(result))),
          }),
        ),
      ];
    }

    case 'DraftMinutes': {
      if (state.minutes?.final)
        return refuse('minutes-final', 'the minutes are final: correct them');
      const unresolved = state.convened.agenda
        .filter((i) => !state.resolved[i.itemId])
        .map((i) => i.itemId);
      if (unresolved.length > 0) {
        return refuse('stage-out-of-order', 'resolve every item before the minutes', {
          itemIds: unresolved,
        });
      }
      if (attendingParties.length === 0) {
        return refuse('quorum-not-met', 'no party attended: nobody could sign the minutes');
      }
      return [
        emit('MinutesDrafted', {
          ...command.data,
          version: (state.minutes?.version ?? 0) + 1,
          textHash: textHashOf(command.data.text),
        }),
      ];
    }

    case 'AmendMinutes': {
      const minutes = state.minutes;
      if (!minutes) return refuse('stage-out-of-order', 'there is no draft to amend');
      if (minutes.final) return refuse('minutes-final', 'the minutes are final: correct them');
      // The clerk, or a registered representative (the service checks the registry) of a party
      // that attended: the parties who sign are the ones who may change what they sign.
      const attendingFor =
        actor.role === 'party_representative' &&
        actor.partyId !== undefined &&
        state.partyAttendance[actor.partyId] !== undefined;
      if (actor.role !== 'clerk' && !attendingFor) {
        return refuse(
          'not-authorised',
          'minutes are amended by the clerk or a representative of an attending party',
        );
      }
      return [
        emit(
          'MinutesAmended',
          defined({
            ...command.data,
            version: minutes.version + 1,
            textHash: textHashOf(command.data.text),
            voidedSignaturePartyIds: minutes.signedBy.length ? [...minutes.signedBy] : undefined,
          }),
        ),
      ];
    }

    case 'SignMinutes': {
      const minutes = state.minutes;
      const { partyId, textHash } = command.data;
      if (!minutes) return refuse('stage-out-of-order', 'there is no draft to sign');
      if (minutes.final) return refuse('minutes-final', 'the minutes are final');
      const error = asPartyRepresentative(state, actor, partyId);
      if (error) return error;
      if (textHash !== minutes.textHash) {
        return refuse('minutes-changed', `the minutes are now version ${minutes.version}`, {
          version: minutes.version,
          textHash: minutes.textHash,
        });
      }
      if (minutes.signedBy.includes(partyId))
        return refuse('already-signed', `${partyId} signed version ${minutes.version}`);
      const signed = emit('MinutesSigned', {
        partyId,
        version: minutes.version,
        textHash,
        personId: actor.personId,
      });
      // Every signature on record is on this text: an amendment voids the earlier ones.
      const signedBy = [...minutes.signedBy, partyId].sort();
      const all = attendingParties.every((p) => signedBy.includes(p));
      return all
        ? [
            signed,
            emit('MinutesFinalised', {
              version: minutes.version,
              textHash,
              signedByPartyIds: signedBy,
            }),
          ]
        : [signed];
    }

    case 'CorrectMinutes': {
      if (!state.minutes?.final) return refuse('minutes-not-final', 'amend the draft instead');
      if (state.corrections[command.data.correctionId]) {
        return refuse('already-exists', `correction ${command.data.correctionId} exists`);
      }
      return [emit('MinutesCorrectionProposed', command.data)];
    }

    case 'SignMinutesCorrection': {
      const { correctionId, partyId } = command.data;
      const correction = state.corrections[correctionId];
      if (!correction) return refuse('not-found', `no correction ${correctionId}`);
      if (correction.final) return refuse('minutes-final', 'the correction is final');
      const error = asPartyRepresentative(state, actor, partyId);
      if (error) return error;
      if (correction.signedBy.includes(partyId))
        return refuse('already-signed', `${partyId} signed ${correctionId}`);
      const signed = emit('MinutesCorrectionSigned', {
        correctionId,
        partyId,
        personId: actor.personId,
      });
      const signedBy = [...correction.signedBy, partyId].sort();
      const all = attendingParties.every((p) => signedBy.includes(p));
      return all
        ? [signed, emit('MinutesCorrectionFinalised', { correctionId, signedByPartyIds: signedBy })]
        : [signed];
    }

    case 'PublishMinutes': {
      const minutes = state.minutes;
      if (!minutes?.final) return refuse('minutes-not-final', 'only final minutes are published');
      const correctionIds = Object.entries(state.corrections)
        .filter(([, c]) => c.final)
        .map(([id]) => id);
      return [
        emit('MinutesPublished', { ...command.data, version: minutes.version, correctionIds }),
      ];
    }

    default: {
      const _exhaustive: never = command;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

function decideConvening(command: OfType<SessionCommand, 'ConveneSession'>): SessionDecision {
  const d = command.data;
  const partyIds = d.parties.map((p) => p.partyId);
  if (new Set(partyIds).size !== partyIds.length)
    return refuse('invalid-command', 'a party is invited twice');
  const itemIds = d.agenda.map((i) => i.itemId);
  if (new Set(itemIds).size !== itemIds.length)
    return refuse('invalid-command', 'an item is listed twice');
  const required = d.requiredPartyIds ?? defaultRequiredParties(d.parties, []);
  const uninvited = [...required, ...d.agenda.flatMap((i) => i.concernedPartyIds)].filter(
    (id) => !partyIds.includes(id),
  );
  if (uninvited.length > 0) {
    return refuse('invalid-command', 'required or concerned parties must be invited', {
      partyIds: uninvited,
    });
  }
  const memberIds = d.memberIds ?? [];
  if (d.kind === 'residents-council' && memberIds.length === 0) {
    return refuse('invalid-command', 'a residents’ council meeting needs its members');
  }
  const emit = eventsFor<SessionEvent>(command);
  return [
    emit('SessionConvened', {
      ...d,
      requiredPartyIds: required,
      resolutionRule: d.resolutionRule ?? { kind: 'consensus', among: 'required' },
      memberIds,
    }),
  ];
}

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState> = {
  initialState: () => ({ status: 'none' }),
  evolve(state, event) {
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
  },
  decide(command, state): SessionDecision {
    if (state.status === 'none') {
      return command.type === 'ConveneSession'
        ? decideConvening(command)
        : refuse('not-found', 'no such session');
    }
    return decideSession(command, state);
  },
};
