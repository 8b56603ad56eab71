import { type Actor, eventsFor, isSystem } from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { defined } from '../shared/objects.ts';
import { asPartyRepresentative } from './meeting.ts';
import {
  attendingMembersOf,
  attendingPartiesOf,
  type Session,
  type SessionCommandOf,
  type SessionDecision,
  type SessionEvent,
  type Signatures,
  signedByAll,
  textHashOf,
  withSignature,
} from './state.ts';

// Minutes (会议纪要): drafted by the clerk, amended by the clerk or an attending party's
// representative (or, in a residents' council, an attending member), signed by every attending
// party and member on the same text (a signature names the text's hash, and an amendment voids
// earlier signatures), then published; after that only signed corrections follow.

/** Who signs: a party through its attending representative, or an attending council member. */
function signerOf(
  state: Session,
  actor: Actor,
  partyId: string | undefined,
): DomainError | { partyId?: string; personId: string } {
  if (partyId !== undefined) {
    return asPartyRepresentative(state, actor, partyId) ?? { partyId, personId: actor.personId };
  }
  if (!state.convened.memberIds.includes(actor.personId)) {
    return refuse(
      'not-authorised',
      'a party signs through its representative; members sign as members',
    );
  }
  if (!state.attendees.includes(actor.personId)) {
    return refuse('not-attending', `${actor.personId} did not attend`);
  }
  return { personId: actor.personId };
}

function hasSigned(signed: Signatures, signer: { partyId?: string; personId: string }): boolean {
  return signer.partyId === undefined
    ? signed.signedByMembers.includes(signer.personId)
    : signed.signedBy.includes(signer.partyId);
}

/** Who signed, for the event that makes a text final (members only where members sign). */
function signedByOf(state: Session, signed: Signatures) {
  return {
    signedByPartyIds: [...signed.signedBy].sort(),
    ...(state.convened.memberIds.length > 0
      ? { signedByMemberIds: [...signed.signedByMembers].sort() }
      : {}),
  };
}

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
  if (attendingParties.length === 0 && attendingMembersOf(state).length === 0) {
    return refuse('quorum-not-met', 'no party or member attended: nobody could sign the minutes');
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
  const attendingMember = attendingMembersOf(state).includes(actor.personId);
  if (actor.role !== 'clerk' && !attendingFor && !attendingMember) {
    return refuse(
      'not-authorised',
      'minutes are amended by the clerk, a representative of an attending party or an attending member',
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
        voidedSignatureMemberIds: minutes.signedByMembers.length
          ? [...minutes.signedByMembers]
          : undefined,
      }),
    ),
  ];
}

export function signMinutes(
  command: SessionCommandOf<'SignMinutes'>,
  state: Session,
): SessionDecision {
  const emit = eventsFor<SessionEvent>(command);
  const minutes = state.minutes;
  const { partyId, textHash } = command.data;
  if (!minutes) return refuse('stage-out-of-order', 'there is no draft to sign');
  if (minutes.final) return refuse('minutes-final', 'the minutes are final');
  const signer = signerOf(state, command.actor, partyId);
  if (isDomainError(signer)) return signer;
  if (textHash !== minutes.textHash) {
    return refuse('minutes-changed', `the minutes are now version ${minutes.version}`, {
      version: minutes.version,
      textHash: minutes.textHash,
    });
  }
  if (hasSigned(minutes, signer)) {
    return refuse(
      'already-signed',
      `${partyId ?? signer.personId} signed version ${minutes.version}`,
    );
  }
  const signed = emit(
    'MinutesSigned',
    defined({ partyId, version: minutes.version, textHash, personId: signer.personId }),
  );
  // Every signature on record is on this text: an amendment voids the earlier ones.
  const after = withSignature(minutes, signer);
  return signedByAll(state, after)
    ? [
        signed,
        emit('MinutesFinalised', {
          version: minutes.version,
          textHash,
          ...signedByOf(state, after),
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
  const emit = eventsFor<SessionEvent>(command);
  const { correctionId, partyId } = command.data;
  const correction = state.corrections[correctionId];
  if (!correction) return refuse('not-found', `no correction ${correctionId}`);
  if (correction.final) return refuse('minutes-final', 'the correction is final');
  const signer = signerOf(state, command.actor, partyId);
  if (isDomainError(signer)) return signer;
  if (hasSigned(correction, signer)) {
    return refuse('already-signed', `${partyId ?? signer.personId} signed ${correctionId}`);
  }
  const signed = emit(
    'MinutesCorrectionSigned',
    defined({ correctionId, partyId, personId: signer.personId }),
  );
  const after = withSignature(correction, signer);
  return signedByAll(state, after)
    ? [signed, emit('MinutesCorrectionFinalised', { correctionId, ...signedByOf(state, after) })]
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

/**
 * The scheduler reminds whoever has not signed the current version (domain.md: deadlines act
 * by themselves): each unsigned attending party through the representative who attended for
 * it, and each unsigned attending member. Once a version: an amendment may be reminded again.
 */
export function remindSigners(
  command: SessionCommandOf<'RemindSigners'>,
  state: Session,
): SessionDecision {
  if (!isSystem(command.actor)) return refuse('not-authorised', 'only the scheduler reminds');
  const minutes = state.minutes;
  if (!minutes) return refuse('stage-out-of-order', 'there are no minutes to sign');
  if (minutes.final) return refuse('minutes-final', 'the minutes are final');
  if (minutes.version !== command.data.version) {
    return refuse('minutes-changed', `the minutes are now version ${minutes.version}`, {
      version: minutes.version,
    });
  }
  if (minutes.reminded) return refuse('already-exists', 'the signers were reminded');
  const partyIds = attendingPartiesOf(state).filter((p) => !minutes.signedBy.includes(p));
  const members = attendingMembersOf(state).filter((m) => !minutes.signedByMembers.includes(m));
  const representatives = partyIds.flatMap((p) => state.partyAttendance[p] ?? []);
  const emit = eventsFor<SessionEvent>(command);
  return [
    emit('SignersReminded', {
      version: minutes.version,
      partyIds,
      personIds: [...new Set([...representatives, ...members])],
    }),
  ];
}
