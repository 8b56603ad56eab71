/**
 * Pure mappings between the port and EventStoreDB (KurrentDB), kept apart so they can be tested
 * without a server.
 *
 * Numbering: the port counts events; a stream's version is its number of events and an event's
 * `streamVersion` is 1-based. EventStoreDB revisions are 0-based. So
 *   port event version v     == ESDB event revision v - 1
 *   port stream version n    == ESDB stream revision n - 1 (n = 0: the stream does not exist)
 *   expected exact n (n > 0) == expectedRevision BigInt(n - 1)
 *   expected exact 0 / noStream == NO_STREAM; streamExists == STREAM_EXISTS; any == ANY
 *
 * Global order: a `$all` position is (commit, prepare). The port's Checkpoint is mapped as
 *   transactionId  = commit position
 *   globalPosition = prepare position
 * which keeps `checkpointReached` (commit first, then prepare) equal to `$all` order.
 * START (0, 0) is the start of `$all`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AppendExpectedRevision, CurrentRevision, Position } from '@eventstore/db-client';
import { chainHashOfText, fillTemplate } from '../hash.ts';
import type {
  Checkpoint,
  ExpectedVersion,
  JsonObject,
  RecordedEvent,
  StreamHead,
} from '../types.ts';
import type { PreparedEvent } from '../validation.ts';

export const ANY = 'any';
export const NO_STREAM = 'no_stream';
export const STREAM_EXISTS = 'stream_exists';

/** Category of the streams that record which command ids were appended (one stream each). */
export const COMMAND_CATEGORY = 'yishi_cmd';

export function toExpectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'noStream' || expected === 0) return NO_STREAM;
  if (expected === 'streamExists') return STREAM_EXISTS;
  return BigInt(expected - 1);
}

/** Stream version (number of events) of a stream whose last revision is `revision`. */
export function versionOfRevision(revision: bigint): number {
  return Number(revision) + 1;
}

export function versionOfCurrent(current: CurrentRevision): number {
  return current === NO_STREAM ? 0 : versionOfRevision(current as bigint);
}

export function checkpointOfPosition(position: Position): Checkpoint {
  return { transactionId: position.commit, globalPosition: position.prepare };
}

export function positionOfCheckpoint(checkpoint: Checkpoint): Position {
  return { commit: checkpoint.transactionId, prepare: checkpoint.globalPosition };
}

export function isStart(checkpoint: Checkpoint): boolean {
  return checkpoint.transactionId === 0n && checkpoint.globalPosition === 0n;
}

/** Is `position` strictly after `checkpoint` in `$all` order? (Reads from a position include it.) */
export function isAfter(position: Position, checkpoint: Checkpoint): boolean {
  return (
    position.commit > checkpoint.transactionId ||
    (position.commit === checkpoint.transactionId && position.prepare > checkpoint.globalPosition)
  );
}

/**
 * A UUID derived from the command id and the event's index in the command (RFC 4122 layout,
 * version 5 bits, from SHA-256): a retried command sends the same event ids, so EventStoreDB's
 * idempotent-write check recognises it. Without a command id: a random UUID.
 */
export function eventIdFor(commandId: string | undefined, index: number): string {
  if (commandId === undefined) return randomUUID();
  const bytes = createHash('sha256').update(`yishi:${commandId}:${index}`).digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The stream recording one command id (hashed: any printable command id, fixed length). */
export function commandStreamOf(commandId: string): string {
  return `${COMMAND_CATEGORY}-${createHash('sha256').update(commandId).digest('hex')}`;
}

/** What this adapter writes as an event's EventStoreDB metadata. */
export interface StoredMetadata {
  /** The port's metadata, untouched. */
  metadata: JsonObject;
  yishi: {
    schemaVersion: number;
    prevHash: string;
    hash: string;
    commandId?: string;
  };
  /** Copied from the port's metadata for EventStoreDB's own projections, when present. */
  $correlationId?: string;
  $causationId?: string;
}

export function storedMetadata(
  metadata: JsonObject,
  chain: { schemaVersion: number; prevHash: string; hash: string; commandId: string | null },
): StoredMetadata {
  const stored: StoredMetadata = {
    metadata,
    yishi: {
      schemaVersion: chain.schemaVersion,
      prevHash: chain.prevHash,
      hash: chain.hash,
      ...(chain.commandId === null ? {} : { commandId: chain.commandId }),
    },
  };
  if (typeof metadata.correlationId === 'string') stored.$correlationId = metadata.correlationId;
  if (typeof metadata.causationId === 'string') stored.$causationId = metadata.causationId;
  return stored;
}

/** The parts of an EventStoreDB recorded event this adapter reads. */
export interface EsdbRecorded {
  streamId: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  created: Date;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Is this an event the port shows (not a system, link, marker or foreign event)? */
export function isPortEvent(event: EsdbRecorded): boolean {
  return (
    !event.streamId.startsWith('$') &&
    !event.type.startsWith('$') &&
    !event.streamId.startsWith(`${COMMAND_CATEGORY}-`) &&
    event.isJson &&
    isObject(event.data) &&
    isObject(event.metadata) &&
    isObject(event.metadata.yishi) &&
    isObject(event.metadata.metadata)
  );
}

/** The port's view of an event written by this adapter; undefined for anything else. */
export function toRecordedEvent(event: EsdbRecorded): RecordedEvent | undefined {
  if (!isPortEvent(event)) return undefined;
  const stored = event.metadata as unknown as StoredMetadata;
  const position = event.position ?? { commit: 0n, prepare: 0n };
  return {
    streamId: event.streamId,
    streamVersion: versionOfRevision(event.revision),
    globalPosition: position.prepare,
    transactionId: position.commit,
    type: event.type,
    schemaVersion: stored.yishi.schemaVersion,
    data: event.data as JsonObject,
    metadata: stored.metadata,
    recordedAt: event.created,
    prevHash: stored.yishi.prevHash,
    hash: stored.yishi.hash,
  };
}

/** What a command marker stream's single event says. */
export interface CommandRecord {
  streamId: string;
  /** Stream version after the command's last event. */
  version: number;
  commit: string;
  prepare: string;
  /** Random per append call: recognises one's own marker. */
  writer?: string;
}

export function isCommandRecord(value: unknown): value is CommandRecord {
  return (
    isObject(value) &&
    typeof value.streamId === 'string' &&
    typeof value.version === 'number' &&
    typeof value.commit === 'string' &&
    /^\d+$/.test(value.commit) &&
    typeof value.prepare === 'string' &&
    /^\d+$/.test(value.prepare)
  );
}

/** An event as this adapter sends it (the client's `jsonEvent` input). */
export interface OutgoingEvent {
  id: string;
  type: string;
  data: JsonObject;
  metadata: StoredMetadata;
}

/**
 * The events of one append, chained from the stream's `head`: ids from each command id and the
 * event's index in its command, hashes over the canonical JSON at the version each will get.
 */
export function chainEvents(
  head: StreamHead,
  groups: { commandId?: string | undefined; events: unknown[] }[],
  prepared: PreparedEvent[],
): { events: OutgoingEvent[]; lastHash: string } {
  let prev = head.hash;
  let index = 0;
  const events: OutgoingEvent[] = [];
  for (const group of groups) {
    for (let k = 0; k < group.events.length; k++) {
      const event = prepared[index++]!;
      const hash = chainHashOfText(prev, fillTemplate(event.template, head.version + index));
      events.push({
        id: eventIdFor(group.commandId, k),
        type: event.type,
        // Parsed back from canonical JSON: exactly what the hash covers.
        data: JSON.parse(event.canonicalData) as JsonObject,
        metadata: storedMetadata(JSON.parse(event.canonicalMetadata) as JsonObject, {
          schemaVersion: event.schemaVersion,
          prevHash: prev,
          hash,
          commandId: event.commandId,
        }),
      });
      prev = hash;
    }
  }
  return { events, lastHash: prev };
}
