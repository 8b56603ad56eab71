import { eventsFor } from '../shared/decider.ts';
import { type DomainError, refuse } from '../shared/errors.ts';
import { pget } from '../shared/pmap.ts';
import { activeParty, requireAll, requireClerk, requirePerson } from './guards.ts';
import type {
  CommunityCommandOf,
  CommunityDecision,
  CommunityEvent,
  CommunityRegistry,
  StandingBody,
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
  const invalid = checkMembership(state, d.kind, d);
  if (invalid) return invalid;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('StandingBodyEstablished', d)];
}

/** 换届 or a new venue or schedule: the body's kind stays; a dissolved body changes no more. */
export function changeStandingBody(
  command: CommunityCommandOf<'ChangeStandingBody'>,
  state: CommunityRegistry,
): CommunityDecision {
  const d = command.data;
  const body = activeBody(state, command.actor, d.bodyId);
  if ('code' in body) return body;
  const invalid = checkMembership(state, body.kind, d);
  if (invalid) return invalid;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('StandingBodyChanged', d)];
}

export function dissolveStandingBody(
  command: CommunityCommandOf<'DissolveStandingBody'>,
  state: CommunityRegistry,
): CommunityDecision {
  const body = activeBody(state, command.actor, command.data.bodyId);
  if ('code' in body) return body;
  const emit = eventsFor<CommunityEvent>(command);
  return [emit('StandingBodyDissolved', command.data)];
}

/** The body a clerk changes or dissolves: known and not dissolved. */
function activeBody(
  state: CommunityRegistry,
  actor: CommunityCommandOf<'DissolveStandingBody'>['actor'],
  bodyId: string,
): StandingBody | DomainError {
  const clerk = requireClerk(state, actor);
  if (clerk) return clerk;
  const body = state.standingBodies[bodyId];
  if (!body) return refuse('not-found', `no standing body ${bodyId}`, { bodyId });
  if (body.dissolvedAt !== undefined) {
    return refuse('already-revoked', `standing body ${bodyId} was dissolved`, { bodyId });
  }
  return body;
}

/** Its parties active, its members registered, and a council not without members. */
function checkMembership(
  state: CommunityRegistry,
  kind: StandingBody['kind'],
  d: { partyIds: readonly string[]; memberIds: readonly string[] },
): DomainError | undefined {
  for (const partyId of d.partyIds) {
    const party = activeParty(state, partyId);
    if ('code' in party) return party;
  }
  for (const personId of d.memberIds) {
    const missing = requirePerson(state, personId);
    if (missing) return missing;
  }
  if (kind === 'residents-council' && d.memberIds.length === 0) {
    return refuse('invalid-command', 'a residents’ council needs its members');
  }
  return undefined;
}
