import { eventsFor } from '../shared/decider.ts';
import { refuse } from '../shared/errors.ts';
import { pget } from '../shared/pmap.ts';
import { activeParty, requireAll, requireClerk, requirePerson } from './guards.ts';
import type {
  CommunityCommandOf,
  CommunityDecision,
  CommunityEvent,
  CommunityRegistry,
} from './state.ts';

// Reaching people: consent to be reached and opting out of reminders; and the standing bodies
// (常设议事机构) that meet on a schedule of their own.

export function recordContactConsent(
  command: CommunityCommandOf<'RecordContactConsent'>,
  state: CommunityRegistry,
): CommunityDecision {
  const error = requireAll(
    () => requireClerk(state, command.actor),
    () => requirePerson(state, command.data.personId),
  );
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('ContactConsentRecorded', command.data)];
}

/** A person opts out themselves (any role they hold), or a clerk records their request. */
export function optOutOfReminders(
  command: CommunityCommandOf<'OptOutOfReminders'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { personId } = command.data;
  const self = command.actor.personId === personId;
  const error = requireAll(
    () => (self ? undefined : requireClerk(state, command.actor)),
    () => requirePerson(state, personId),
    () =>
      pget(state.contacts, personId)?.optedOut
        ? refuse('already-revoked', `${personId} has opted out`, { personId })
        : undefined,
  );
  if (error) return error;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('RemindersOptedOut', command.data)];
}

export function establishStandingBody(
  command: CommunityCommandOf<'EstablishStandingBody'>,
  state: CommunityRegistry,
): CommunityDecision {
  const d = command.data;
  const clerk = requireClerk(state, command.actor);
  if (clerk) return clerk;
  if (state.standingBodies[d.bodyId]) {
    return refuse('already-exists', `standing body ${d.bodyId} exists`, { bodyId: d.bodyId });
  }
  for (const partyId of d.partyIds) {
    const party = activeParty(state, partyId);
    if ('code' in party) return party;
  }
  for (const personId of d.memberIds) {
    const missing = requirePerson(state, personId);
    if (missing) return missing;
  }
  if (d.kind === 'residents-council' && d.memberIds.length === 0) {
    return refuse('invalid-command', 'a residents’ council needs its members');
  }
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('StandingBodyEstablished', d)];
}
