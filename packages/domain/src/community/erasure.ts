import { eventsFor } from '../shared/decider.ts';
import { type DomainError, refuse } from '../shared/errors.ts';
import { pget } from '../shared/pmap.ts';
import { requireAll, requireClerk, requirePerson } from './guards.ts';
import { isAdult } from './queries.ts';
import type {
  CommunityCommandOf,
  CommunityDecision,
  CommunityEvent,
  CommunityRegistry,
} from './state.ts';

// Erasure of a person's personal data (删除个人信息, PIPL Art. 47). The event records the legal
// ground and the approval; the service then destroys the person's data key, so the sealed
// name, birth date and phone in earlier events can no longer be opened (crypto-shredding).
// The person stays, by id: units, areas, households and every vote they were counted in.

/** Refused once a person's personal data is erased: it cannot be entered again under that id. */
export function notErased(state: CommunityRegistry, personId: string): DomainError | undefined {
  return pget(state.persons, personId)?.erased
    ? refuse('personal-data-erased', `the personal data of ${personId} was erased`, { personId })
    : undefined;
}

export function erasePersonalData(
  command: CommunityCommandOf<'ErasePersonalData'>,
  state: CommunityRegistry,
): CommunityDecision {
  const { personId, approvedBy } = command.data;
  const error = requireAll(
    () => requireClerk(state, command.actor),
    () => requirePerson(state, personId),
    () => notErased(state, personId),
    () => requirePerson(state, approvedBy),
    () =>
      approvedBy === command.actor.personId
        ? refuse('invalid-command', 'the erasure is approved by someone other than its recorder', {
            approvedBy,
          })
        : undefined,
  );
  if (error) return error;
  const person = pget(state.persons, personId)!;
  const known = person.birthDate !== undefined || person.adult !== undefined;
  const emit = eventsFor<CommunityEvent>(command);
  return [
    emit('PersonalDataErased', {
      ...command.data,
      ...(known ? { adult: isAdult(person, command.at) } : {}),
    }),
  ];
}
