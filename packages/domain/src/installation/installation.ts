import {
  type CommandsOf,
  type Decider,
  type Decision,
  type EventsOf,
  eventsFor,
  type OfType,
} from '../shared/decider.ts';
import { type DomainError, refuse } from '../shared/errors.ts';
import type { installationCommandSchemas, installationEventSchemas } from './schemas.ts';

export * from './schemas.ts';

// The installation (stream `installation`): its administrators and its officials. The first
// administrator is bootstrapped once, with the one-time code `pnpm start` prints; every later
// administrator and every official is appointed by an administrator.

export type InstallationCommand = CommandsOf<typeof installationCommandSchemas>;
export type InstallationEvent = EventsOf<typeof installationEventSchemas>;
export type InstallationCommandType = InstallationCommand['type'];
export type InstallationEventType = InstallationEvent['type'];
type CommandOf<T extends InstallationCommandType> = OfType<InstallationCommand, T>;

export interface Official {
  readonly personId: string;
  readonly communities: readonly string[];
  readonly office: string;
}

export interface InstallationState {
  /** Whether an administrator was ever bootstrapped: it happens once. */
  readonly bootstrapped: boolean;
  readonly adminIds: readonly string[];
  readonly officials: Readonly<Record<string, Official>>;
}

const initialState = (): InstallationState => ({
  bootstrapped: false,
  adminIds: [],
  officials: {},
});

function evolve(state: InstallationState, event: InstallationEvent): InstallationState {
  switch (event.type) {
    case 'AdminBootstrapped':
      return { ...state, bootstrapped: true, adminIds: [...state.adminIds, event.data.personId] };
    case 'AdminAppointed':
      return { ...state, adminIds: [...state.adminIds, event.data.personId] };
    case 'AdminRevoked':
      return { ...state, adminIds: state.adminIds.filter((id) => id !== event.data.personId) };
    case 'OfficialAppointed': {
      const { personId, communities, office } = event.data;
      return {
        ...state,
        officials: { ...state.officials, [personId]: { personId, communities, office } },
      };
    }
    case 'OfficialRevoked': {
      const { [event.data.personId]: _, ...officials } = state.officials;
      return { ...state, officials };
    }
    default: {
      const _exhaustive: never = event;
      return state;
    }
  }
}

/** Only an administrator of this installation manages it (a token's role alone is not enough). */
function requireAdmin(
  command: InstallationCommand,
  state: InstallationState,
): DomainError | undefined {
  const { personId, role } = command.actor;
  return role === 'admin' && state.adminIds.includes(personId)
    ? undefined
    : refuse('not-authorised', 'only an administrator of this installation manages it', {
        personId,
      });
}

function bootstrapAdmin(
  command: CommandOf<'BootstrapAdmin'>,
  state: InstallationState,
): Decision<InstallationEvent> {
  if (state.bootstrapped) {
    return refuse('already-exists', 'the first administrator was bootstrapped already');
  }
  // The bootstrapped administrator is the one sending the command: no one else exists yet.
  if (command.actor.role !== 'admin' || command.actor.personId !== command.data.personId) {
    return refuse('not-authorised', 'the first administrator bootstraps themselves');
  }
  return [eventsFor<InstallationEvent>(command)('AdminBootstrapped', command.data)];
}

function appointAdmin(
  command: CommandOf<'AppointAdmin'>,
  state: InstallationState,
): Decision<InstallationEvent> {
  const error =
    requireAdmin(command, state) ??
    (state.adminIds.includes(command.data.personId)
      ? refuse('already-exists', `${command.data.personId} is already an administrator`)
      : undefined);
  if (error) return error;
  return [eventsFor<InstallationEvent>(command)('AdminAppointed', command.data)];
}

function revokeAdmin(
  command: CommandOf<'RevokeAdmin'>,
  state: InstallationState,
): Decision<InstallationEvent> {
  const { personId } = command.data;
  const error =
    requireAdmin(command, state) ??
    (state.adminIds.includes(personId)
      ? undefined
      : refuse('not-found', `${personId} is not an administrator`, { personId })) ??
    // Someone must remain to appoint the next one: a second bootstrap never happens.
    (state.adminIds.length === 1
      ? refuse('invalid-command', 'the last administrator cannot be revoked', { personId })
      : undefined);
  if (error) return error;
  return [eventsFor<InstallationEvent>(command)('AdminRevoked', command.data)];
}

function appointOfficial(
  command: CommandOf<'AppointOfficial'>,
  state: InstallationState,
): Decision<InstallationEvent> {
  const error = requireAdmin(command, state);
  if (error) return error;
  const existing = state.officials[command.data.personId];
  if (
    existing &&
    existing.office === command.data.office &&
    existing.communities.length === command.data.communities.length &&
    existing.communities.every((id) => command.data.communities.includes(id))
  ) {
    return refuse('already-exists', `${command.data.personId} is already appointed so`);
  }
  return [
    eventsFor<InstallationEvent>(command)('OfficialAppointed', {
      ...command.data,
      reappointed: existing !== undefined,
    }),
  ];
}

function revokeOfficial(
  command: CommandOf<'RevokeOfficial'>,
  state: InstallationState,
): Decision<InstallationEvent> {
  const { personId } = command.data;
  const error =
    requireAdmin(command, state) ??
    (state.officials[personId]
      ? undefined
      : refuse('not-found', `${personId} is not an official`, { personId }));
  if (error) return error;
  return [eventsFor<InstallationEvent>(command)('OfficialRevoked', command.data)];
}

function decide(
  command: InstallationCommand,
  state: InstallationState,
): Decision<InstallationEvent> {
  switch (command.type) {
    case 'BootstrapAdmin':
      return bootstrapAdmin(command, state);
    case 'AppointAdmin':
      return appointAdmin(command, state);
    case 'RevokeAdmin':
      return revokeAdmin(command, state);
    case 'AppointOfficial':
      return appointOfficial(command, state);
    case 'RevokeOfficial':
      return revokeOfficial(command, state);
    default: {
      const _exhaustive: never = command;
      return refuse('invalid-command', 'unknown command');
    }
  }
}

export const installationDecider: Decider<
  InstallationCommand,
  InstallationEvent,
  InstallationState
> = { initialState, evolve, decide };
