import { eventsFor } from '../shared/decider.ts';
import { type DomainError, isDomainError, refuse } from '../shared/errors.ts';
import { activeParty, asError, requireAll, requireClerk, requirePerson } from './guards.ts';
import type {
  CommunityCommandOf,
  CommunityDecision,
  CommunityEvent,
  CommunityRegistry,
} from './state.ts';

// Parties (协商主体: the Party organisation, the committees, the property company...), with the
// representatives who act for them and their members. Kept by the clerk.

type PartyList = 'representativeIds' | 'memberIds';

export function registerParty(
  command: CommunityCommandOf<'RegisterParty'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { partyId } = command.data;
  const error =
    requireClerk(state, command.actor) ??
    (state.parties[partyId]
      ? refuse('already-exists', `party ${partyId} exists`, { partyId })
      : undefined);
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('PartyRegistered', command.data)];
}

export function dissolveParty(
  command: CommunityCommandOf<'DissolveParty'>,
  state: CommunityRegistry,
): CommunityDecision {
  const party = activeParty(state, command.data.partyId);
  const error = requireClerk(state, command.actor) ?? asError(party);
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('PartyDissolved', command.data)];
}

export function appointPartyRepresentative(
  command: CommunityCommandOf<'AppointPartyRepresentative'>,
  state: CommunityRegistry,
): CommunityDecision {
  const error = listingProblem(command, state, 'representativeIds');
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('PartyRepresentativeAppointed', command.data)];
}

export function addPartyMember(
  command: CommunityCommandOf<'AddPartyMember'>,
  state: CommunityRegistry,
): CommunityDecision {
  const error = listingProblem(command, state, 'memberIds');
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('PartyMemberAdded', command.data)];
}

export function revokePartyRepresentative(
  command: CommunityCommandOf<'RevokePartyRepresentative'>,
  state: CommunityRegistry,
): CommunityDecision {
  const error = unlistingProblem(command, state, 'representativeIds');
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('PartyRepresentativeRevoked', command.data)];
}

export function removePartyMember(
  command: CommunityCommandOf<'RemovePartyMember'>,
  state: CommunityRegistry,
): CommunityDecision {
  const error = unlistingProblem(command, state, 'memberIds');
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('PartyMemberRemoved', command.data)];
}

/** Why a person may not be listed for an active party (as representative or member). */
function listingProblem(
  command: CommunityCommandOf<'AppointPartyRepresentative' | 'AddPartyMember'>,
  state: CommunityRegistry,
  list: PartyList,
): DomainError | undefined {
  const { partyId, personId } = command.data;
  const party = activeParty(state, partyId);
  return requireAll(
    () => requireClerk(state, command.actor),
    () => asError(party),
    () => requirePerson(state, personId),
    () =>
      !isDomainError(party) && party[list].includes(personId)
        ? refuse('already-exists', `${personId} is already listed for ${partyId}`)
        : undefined,
  );
}

/** Why a person may not be taken off a party's list (they are not on it). */
function unlistingProblem(
  command: CommunityCommandOf<'RevokePartyRepresentative' | 'RemovePartyMember'>,
  state: CommunityRegistry,
  list: PartyList,
): DomainError | undefined {
  const { partyId, personId } = command.data;
  return (
    requireClerk(state, command.actor) ??
    (state.parties[partyId]?.[list].includes(personId)
      ? undefined
      : refuse('not-found', `${personId} is not listed for ${partyId}`))
  );
}
