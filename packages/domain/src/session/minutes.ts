import { eventsFor } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { asPartyRepresentative } from './meeting.ts';
import {
  attendingPartiesOf,
  type Session,
  type SessionCommandOf,
  type SessionDecision,
  type SessionEvent,
  textHashOf,
} from './state.ts';

// Minutes (会议纪要): drafted by the clerk, amended by the clerk or an attending party's
// representative, signed by every attending party on the same text (a signature names the
// text's hash, and an amendment voids earlier signatures), then published; after that only
// signed corrections follow.

export function draftMinutes(
  command: SessionCommandOf<'DraftMinutes'>,
  state: Session,
): SessionDecision {
  const emit = eventsFor<SessionEvent>(command);
  const attendingParties = attendingPartiesOf(state);
  if (state.minutes?.final) return refuse('minutes-final', 'the minutes are final: correct them');
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

export function amendMinutes(
  command: SessionCommandOf<'AmendMinutes'>,
  state: Session,
): SessionDecision {
  const { actor } = command;
  const emit = eventsFor<SessionEvent>(command);
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

export function signMinutes(
  command: SessionCommandOf<'SignMinutes'>,
  state: Session,
): SessionDecision {
  const { actor } = command;
  const emit = eventsFor<SessionEvent>(command);
  const attendingParties = attendingPartiesOf(state);
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

export function correctMinutes(
  command: SessionCommandOf<'CorrectMinutes'>,
  state: Session,
): SessionDecision {
  const emit = eventsFor<SessionEvent>(command);
  if (!state.minutes?.final) return refuse('minutes-not-final', 'amend the draft instead');
  if (state.corrections[command.data.correctionId]) {
    return refuse('already-exists', `correction ${command.data.correctionId} exists`);
  }
  return [emit('MinutesCorrectionProposed', command.data)];
}

export function signMinutesCorrection(
  command: SessionCommandOf<'SignMinutesCorrection'>,
  state: Session,
): SessionDecision {
  const { actor } = command;
  const emit = eventsFor<SessionEvent>(command);
  const attendingParties = attendingPartiesOf(state);
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

export function publishMinutes(
  command: SessionCommandOf<'PublishMinutes'>,
  state: Session,
): SessionDecision {
  const emit = eventsFor<SessionEvent>(command);
  const minutes = state.minutes;
  if (!minutes?.final) return refuse('minutes-not-final', 'only final minutes are published');
  const correctionIds = Object.entries(state.corrections)
    .filter(([, c]) => c.final)
    .map(([id]) => id);
  return [emit('MinutesPublished', { ...command.data, version: minutes.version, correctionIds })];
}
