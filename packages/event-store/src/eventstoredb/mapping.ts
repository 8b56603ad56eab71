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
 *
 * Bookkeeping streams (never port streams; their categories are refused as stream ids):
 *   yishi_cmd-<sha256(command id)>   one `CommandReserved` record per attempt to append a command
 *   yishi_dir-<scope>                one `StreamCreated` record per stream of a scope ("proposal-c1.")
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
import { type PreparedEvent, templateOfPrepared } from '../validation.ts';

export const ANY = 'any';
export const NO_STREAM = 'no_stream';
export const STREAM_EXISTS = 'stream_exists';

/** Category of the streams that record the attempts to append each command (one stream each). */
export const COMMAND_CATEGORY = 'yishi_cmd';
/** Category of the streams that list the streams of one scope, for scoped verification. */
export const DIRECTORY_CATEGORY = 'yishi_dir';

/**
 * A server-side stream-name filter for `$all` that keeps what may be the port's: no system
 * streams (`$…`) and no bookkeeping streams, so those never travel to a subscriber.
 */
export const PORT_STREAMS_REGEX = `^(?![$]|${COMMAND_CATEGORY}-|${DIRECTORY_CATEGORY}-)`;

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
 * A UUID (RFC 4122 layout, version 5 bits, from SHA-256) derived from the command id, the attempt
 * (the revision of its `CommandReserved` record) and the event's index in the command: every
 * attempt sends ids of its own, so KurrentDB never takes an attempt for another one's duplicate
 * (its idempotency compares ids only at exact revisions, and drops a duplicate of a write not yet
 * indexed), and the attempt's events are found by id at the revisions it reserved.
 * Without a command id: a random UUID.
 */
export function eventIdFor(commandId: string | undefined, attempt: number, index: number): string {
  if (commandId === undefined) return randomUUID();
  const bytes = createHash('sha256').update(`yishi:${commandId}:${attempt}:${index}`).digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Streams the adapter writes for its own bookkeeping (never port streams). */
export function isAdapterStream(streamId: string): boolean {
  return (
    streamId.startsWith(`${COMMAND_CATEGORY}-`) || streamId.startsWith(`${DIRECTORY_CATEGORY}-`)
  );
}

/** The stream recording one command id's attempts (hashed: any printable id, fixed length). */
export function commandStreamOf(commandId: string): string {
  return `${COMMAND_CATEGORY}-${createHash('sha256').update(commandId).digest('hex')}`;
}

/**
 * The scope a stream is listed under: its id up to and including the first '.' after the
 * category ("proposal-c1." for "proposal-c1.p7"), where a community's streams are told apart.
 * Streams without one are not listed.
 */
export function scopeOfStream(streamId: string): string | undefined {
  const dot = streamId.indexOf('.', streamId.indexOf('-') + 1);
  return dot < 0 ? undefined : streamId.slice(0, dot + 1);
}

/** The listed scope that holds every stream under `prefix`, when there is one. */
export function scopeOfPrefix(prefix: string): string | undefined {
  const dash = prefix.indexOf('-');
  if (dash <= 0) return undefined;
  const dot = prefix.indexOf('.', dash + 1);
  return dot < 0 ? undefined : prefix.slice(0, dot + 1);
}

export function directoryStreamOf(scope: string): string {
  return `${DIRECTORY_CATEGORY}-${scope}`;
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
    !isAdapterStream(event.streamId) &&
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

/**
 * What a `CommandReserved` record says: where one attempt to append a command puts its events.
 * Written before the events; the attempt landed when the stream holds, at versions
 * `first`..`first + count - 1`, the ids of that attempt (see `eventIdFor`).
 */
export interface Reservation {
  streamId: string;
  /** The stream's version the append expects (exactly: every append is sent with a revision). */
  base: number;
  /** Version of the command's first event. */
  first: number;
  /** Events of the command. */
  count: number;
  /** Events of the whole append (a group commit holds several commands). */
  total: number;
}

export function isReservation(value: unknown): value is Reservation {
  if (!isObject(value) || typeof value.streamId !== 'string') return false;
  const { base, first, count, total } = value;
  return (
    [base, first, count, total].every((n) => Number.isSafeInteger(n) && (n as number) >= 0) &&
    (first as number) > (base as number) &&
    (count as number) >= 1 &&
    (first as number) + (count as number) - 1 <= (base as number) + (total as number)
  );
}

/** The stream-id check of an adapter stream's record: `StreamCreated` in a directory. */
export function isStreamCreated(value: unknown): value is { streamId: string } {
  return isObject(value) && typeof value.streamId === 'string';
}

/** An event as this adapter sends it (the client's `jsonEvent` input). */
export interface OutgoingEvent {
  id: string;
  type: string;
  data: JsonObject;
  metadata: StoredMetadata;
}

/**
 * The events of one append, chained from the stream's `head`, with the given ids (one per event,
 * in order): hashes over the canonical JSON at the version each will get.
 */
export function chainEvents(
  head: StreamHead,
  prepared: PreparedEvent[],
  ids: string[],
): { events: OutgoingEvent[]; lastHash: string } {
  let prev = head.hash;
  const events = prepared.map((event, index) => {
    const hash = chainHashOfText(
      prev,
      fillTemplate(templateOfPrepared(event), head.version + index + 1),
    );
    const outgoing: OutgoingEvent = {
      id: ids[index]!,
      type: event.type,
      // Parsed back from canonical JSON: exactly what the hash covers.
      data: JSON.parse(event.canonicalData) as JsonObject,
      metadata: storedMetadata(JSON.parse(event.canonicalMetadata) as JsonObject, {
        schemaVersion: event.schemaVersion,
        prevHash: prev,
        hash,
        commandId: event.commandId,
      }),
    };
    prev = hash;
    return outgoing;
  });
  return { events, lastHash: prev };
}
