import { createHash, randomUUID } from 'node:crypto';
import { type Actor, type Decider, type DomainError, isDomainError } from '@yishi/domain';
import {
  type AppendResult,
  type EventStore,
  formatCheckpoint,
  isVersionConflict,
  type JsonObject,
  type RecordedEvent,
} from '@yishi/event-store';
import { StreamLocks } from './stream-lock.ts';

export interface CommandDeps {
  store: EventStore;
  clock: () => Date;
  newId: () => string;
}

export interface CommandInput<TCommand, TEvent, TState> {
  communityId: string;
  streamId: string;
  decider: Decider<TCommand, TEvent, TState>;
  /** Builds the command from the state-independent parts; `at` comes from the clock. */
  command: (at: string) => TCommand;
  actor: Actor;
  idempotencyKey: string | undefined;
  requestId: string;
  /** From `If-Match`: the stream version the client saw. */
  expectedVersion?: number;
}

export type CommandOutcome =
  | { kind: 'ok'; result: AppendResult; duplicate: boolean }
  | { kind: 'refused'; error: DomainError }
  | { kind: 'precondition-failed'; actual: number }
  | { kind: 'conflict'; actual: number };

const MAX_ATTEMPTS = 5;

/** The command id: an Idempotency-Key is scoped to the community and the person sending it. */
export function commandIdFor(
  communityId: string,
  personId: string,
  key: string | undefined,
): string {
  if (!key) return `cmd-${randomUUID()}`;
  const digest = createHash('sha256')
    .update(`${communityId}\u0000${personId}\u0000${key}`)
    .digest('hex');
  return `idem-${digest.slice(0, 48)}`;
}

export function responseOf(result: AppendResult) {
  return {
    streamId: result.streamId,
    version: result.nextExpectedVersion,
    position: formatCheckpoint(result.checkpoint),
  };
}

/**
 * Read, fold, decide, append. Commands on one stream are serialised in-process; a version
 * conflict (another instance appended) is retried a bounded number of times.
 */
export class CommandHandler {
  private readonly locks = new StreamLocks();
  constructor(private readonly deps: CommandDeps) {}

  async handle<TCommand, TEvent extends { type: string; data: unknown }, TState>(
    input: CommandInput<TCommand, TEvent, TState>,
  ): Promise<CommandOutcome> {
    const commandId = commandIdFor(input.communityId, input.actor.personId, input.idempotencyKey);
    if (input.idempotencyKey) {
      const earlier = await this.deps.store.findCommand(commandId);
      if (earlier) return { kind: 'ok', result: earlier, duplicate: true };
    }
    return this.locks.run(input.streamId, async () => {
      for (let attempt = 1; ; attempt++) {
        const events = await this.deps.store.readStream(input.streamId);
        const version = events.length;
        if (input.expectedVersion !== undefined && input.expectedVersion !== version) {
          return { kind: 'precondition-failed', actual: version };
        }
        let state = input.decider.initialState();
        for (const event of events)
          state = input.decider.evolve(state, toDomainEvent<TEvent>(event));
        const at = this.deps.clock().toISOString();
        const decided = input.decider.decide(input.command(at), state);
        if (isDomainError(decided)) return { kind: 'refused', error: decided };
        const metadata: JsonObject = {
          commandId,
          actorId: input.actor.personId,
          actorRole: input.actor.role,
          ...(input.actor.partyId ? { actorPartyId: input.actor.partyId } : {}),
          occurredAt: at,
          correlationId: input.requestId,
          causationId: commandId,
          communityId: input.communityId,
        };
        try {
          const result = await this.deps.store.append(
            input.streamId,
            decided.map((event) => ({
              type: event.type,
              data: event.data as JsonObject,
              metadata,
            })),
            { expected: version, commandId },
          );
          return { kind: 'ok', result, duplicate: result.duplicate };
        } catch (error) {
          if (isVersionConflict(error) && attempt < MAX_ATTEMPTS) continue;
          if (isVersionConflict(error)) return { kind: 'conflict', actual: error.actual };
          throw error;
        }
      }
    });
  }
}

export function toDomainEvent<TEvent>(event: RecordedEvent): TEvent {
  return { type: event.type, data: event.data } as TEvent;
}
