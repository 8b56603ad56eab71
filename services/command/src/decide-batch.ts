import {
  type DomainEventType,
  eventCatalog,
  eventSchemaVersion,
  isDomainError,
} from '@yishi/domain';
import type { AppendGroup, JsonObject } from '@yishi/event-store';
import type { CommandOutcome, Pending } from './command-handler.ts';
import type { AnyDecider } from './state-reader.ts';

// Deciding a batch of commands for one stream, in order, each against the state the ones
// before it left: the group commit's synchronous part, apart so that it compiles on its own.

/** What deciding a batch in order against the evolving state gave. */
export interface DecidedBatch {
  /** The events of each accepted command, in order, as they are appended. */
  groups: AppendGroup[];
  /** The commands of `groups`, in the same order. */
  appended: Pending[];
  /** Commands answered without an append (refused, or their `If-Match` no longer holds). */
  decided: Map<Pending, CommandOutcome>;
  /** The state and version after every accepted command. */
  current: unknown;
  currentVersion: number;
}

/**
 * Decides every command of a batch in order, each against the state the ones before it left.
 * Synchronous and apart from `processBatch`: the hot loop of a burst, compiled on its own. Its
 * arrays are built by `push`: V8's optimised `map` makes holey arrays where the interpreter's
 * makes packed ones, and code compiled for one kind is deoptimised by the other (#21).
 */
export function decideBatch(
  firsts: readonly Pending[],
  decider: AnyDecider,
  state: unknown,
  version: number,
  at: string,
  simulated: boolean,
): DecidedBatch {
  let current = state;
  let currentVersion = version;
  const groups: AppendGroup[] = [];
  const appended: Pending[] = [];
  const decided = new Map<Pending, CommandOutcome>();
  for (const pending of firsts) {
    const { input } = pending;
    if (input.expectedVersion !== undefined && input.expectedVersion !== currentVersion) {
      decided.set(pending, { kind: 'precondition-failed', actual: currentVersion });
      continue;
    }
    const result = (input.decider as AnyDecider).decide(input.command(at), current);
    if (isDomainError(result)) {
      decided.set(pending, { kind: 'refused', error: result });
      continue;
    }
    if (result.length === 0) continue;
    for (const event of result) current = decider.evolve(current, event);
    currentVersion += result.length;
    const events: AppendGroup['events'] = [];
    for (const event of result) {
      events.push({
        type: event.type,
        schemaVersion: schemaVersionOf(event.type),
        data: event.data as JsonObject,
        metadata: metadataOf(pending, at, simulated),
      });
    }
    groups.push({ commandId: pending.commandId, events });
    appended.push(pending);
  }
  return { groups, appended, decided, current, currentVersion };
}

/** The schema version stored with a new event (1 for types outside the domain catalogue). */
function schemaVersionOf(type: string): number {
  return Object.hasOwn(eventCatalog, type) ? eventSchemaVersion(type as DomainEventType) : 1;
}

function metadataOf(pending: Pending, at: string, simulated: boolean): JsonObject {
  const { input } = pending;
  // Members in canonical (sorted) order, so the event store's sort moves none; optional ones
  // assigned rather than spread: no throwaway object per member and event.
  const metadata: JsonObject = { actorId: input.actor.personId };
  if (input.actor.partyId) metadata.actorPartyId = input.actor.partyId;
  metadata.actorRole = input.actor.role;
  // The scheduler's commands: the history shows them as automatic (自动).
  if (input.actor.role === 'system') metadata.automatic = true;
  metadata.causationId = pending.commandId;
  metadata.commandId = pending.commandId;
  metadata.communityId = input.communityId;
  metadata.correlationId = input.requestId;
  if (input.idempotencyKey) metadata.idempotencyKey = input.idempotencyKey;
  metadata.occurredAt = at;
  if (input.idempotencyKey && input.requestDigest) metadata.requestDigest = input.requestDigest;
  if (simulated) metadata.simulatedClock = true;
  return metadata;
}
