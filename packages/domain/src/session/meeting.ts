import { defaultRequiredParties, jointSessionResolution } from '../rules/joint-session.ts';
import { residentsMeeting } from '../rules/meetings.ts';
import { type Actor, eventsFor } from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { RuleResult } from '../vote/tally.ts';
import type { AgendaItem } from './schemas.ts';
import {
  requiredFor,
  type Session,
  type SessionCommandOf,
  type SessionDecision,
  type SessionEvent,
} from './state.ts';

// The session itself: convening, notice, attendance, statements, positions, council members'
// votes, and each item's resolution by the session rule.

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
export function asPartyRepresentative(
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

export function conveneSession(command: SessionCommandOf<'ConveneSession'>): SessionDecision {
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

export function giveSessionNotice(
  command: SessionCommandOf<'GiveSessionNotice'>,
  state: Session,
): SessionDecision {
  const emit = eventsFor<SessionEvent>(command);
  if (state.attendees.length > 0)
    return refuse('stage-out-of-order', 'notice comes before the session');
  return [emit('SessionNoticeGiven', command.data)];
}

export function recordAttendance(
  command: SessionCommandOf<'RecordAttendance'>,
  state: Session,
): SessionDecision {
  const { actor } = command;
  const emit = eventsFor<SessionEvent>(command);
  if (!state.noticeGiven) return refuse('stage-out-of-order', 'give notice before the session');
  if (state.minutes) return refuse('minutes-final', 'the minutes are drafted: the session is over');
  const { personId, partyId, partyRepresentativeIds } = command.data;
  const self = actor.personId === personId;
  if (!self && actor.role !== 'clerk') {
    return refuse('not-authorised', 'attendance is recorded by the clerk or the person');
  }
  if (partyId === undefined) {
    if (state.attendees.includes(personId)) return refuse('already-exists', `${personId} attends`);
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

export function recordStatement(
  command: SessionCommandOf<'RecordStatement'>,
  state: Session,
): SessionDecision {
  const { actor } = command;
  const emit = eventsFor<SessionEvent>(command);
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

export function statePosition(
  command: SessionCommandOf<'StatePosition'>,
  state: Session,
): SessionDecision {
  const { actor } = command;
  const emit = eventsFor<SessionEvent>(command);
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

export function castMemberVote(
  command: SessionCommandOf<'CastMemberVote'>,
  state: Session,
): SessionDecision {
  const { actor } = command;
  const emit = eventsFor<SessionEvent>(command);
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

export function resolveItem(
  command: SessionCommandOf<'ResolveItem'>,
  state: Session,
): SessionDecision {
  const emit = eventsFor<SessionEvent>(command);
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
