import { canonicalJson, JsonProblem } from './canonical.ts';
import { EventStoreError } from './errors.ts';
import { templateTail } from './hash.ts';
import type { Checkpoint, ExpectedVersion, JsonObject, NewEvent } from './types.ts';

/** `<category>-<id>`: lowercase category, then id characters; no spaces or control chars. */
const STREAM_ID = /^[a-z][a-z0-9_]*-[A-Za-z0-9_.:-]{1,200}$/;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.]{0,127}$/;
/** Printable ASCII without spaces: safe in every adapter (and as an EventStoreDB stream name). */
const COMMAND_ID = /^[\x21-\x7e]{1,200}$/;
/**
 * data + metadata of one event, as JSON text. Large because a vote freezes its whole
 * electorate in the vote-opened event (about 100 bytes a voter: 8 MiB holds ~80,000 voters).
 * EventStoreDB's default MaxAppendSize (1 MiB) must be raised to match (infra/README.md).
 */
export const MAX_EVENT_BYTES = 8 * 1024 * 1024;
/** All events of one append together. */
export const MAX_APPEND_BYTES = 16 * 1024 * 1024;
export const MAX_EVENTS_PER_APPEND = 10_000;
export const MAX_BATCH_SIZE = 10_000;
const MAX_XID8 = 2n ** 64n - 1n;
const MAX_INT8 = 2n ** 63n - 1n;

export function assertStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || !STREAM_ID.test(streamId)) {
    throw new EventStoreError(
      'invalid-stream-id',
      `invalid stream id: ${JSON.stringify(String(streamId)).slice(0, 250)}`,
      { streamId: typeof streamId === 'string' ? streamId.slice(0, 250) : String(streamId) },
    );
  }
}

export function isValidStreamId(streamId: unknown): boolean {
  return typeof streamId === 'string' && STREAM_ID.test(streamId);
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A validated event, with the canonical JSON of its parts (see `templateOf`). */
export interface PreparedEvent {
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: JsonObject;
  /** The template after data and metadata (see `templateTail`). */
  tail: string;
  canonicalData: string;
  canonicalMetadata: string;
  /** The command id on the last event of its command; null elsewhere. */
  commandId: string | null;
  /** UTF-8 bytes of data and metadata (the size limits). */
  size: number;
}

/** An adapter that hashes in-process: the event's canonical JSON with the version mark. */
export function templateOfPrepared(event: PreparedEvent): string {
  return `{"data":${event.canonicalData},"metadata":${event.canonicalMetadata}${event.tail}`;
}

function invalidEvent(streamId: string, index: number, message: string): EventStoreError {
  return new EventStoreError('invalid-event', `event ${index}: ${message}`, { streamId, index });
}

function canonicalPart(
  streamId: string,
  index: number,
  part: 'data' | 'metadata',
  value: JsonObject,
): string {
  try {
    return canonicalJson(value);
  } catch (error) {
    if (!(error instanceof JsonProblem)) throw error;
    throw invalidEvent(streamId, index, `${part}${error.path}: ${error.problem}`);
  }
}

// Module functions, not closures made per event: an append of a batch prepares many.
function prepareEvent(streamId: string, event: unknown, index: number): PreparedEvent {
  if (!isJsonObject(event)) throw invalidEvent(streamId, index, 'not an object');
  const { type, data, metadata } = event;
  if (typeof type !== 'string' || !EVENT_TYPE.test(type)) {
    throw invalidEvent(streamId, index, 'invalid type');
  }
  const schemaVersion = event.schemaVersion ?? 1;
  if (
    typeof schemaVersion !== 'number' ||
    !Number.isInteger(schemaVersion) ||
    schemaVersion < 1 ||
    schemaVersion > 1000
  ) {
    throw invalidEvent(streamId, index, 'invalid schemaVersion');
  }
  if (!isJsonObject(data)) throw invalidEvent(streamId, index, 'data must be a JSON object');
  if (!isJsonObject(metadata)) {
    throw invalidEvent(streamId, index, 'metadata must be a JSON object');
  }
  const dataText = canonicalPart(streamId, index, 'data', data);
  const metadataText = canonicalPart(streamId, index, 'metadata', metadata);
  const size = Buffer.byteLength(dataText) + Buffer.byteLength(metadataText);
  if (size > MAX_EVENT_BYTES) {
    throw new EventStoreError(
      'event-too-large',
      `event ${index}: ${size} bytes > ${MAX_EVENT_BYTES}`,
      { streamId, index, size, limit: MAX_EVENT_BYTES },
    );
  }
  return {
    type,
    schemaVersion,
    data,
    metadata,
    tail: templateTail(streamId, type, schemaVersion),
    canonicalData: dataText,
    canonicalMetadata: metadataText,
    commandId: null,
    size,
  };
}

/** Checks every event before anything is written. */
export function assertEvents(streamId: string, events: unknown): asserts events is NewEvent[] {
  prepareAppend(streamId, [{ events }]);
}

export function assertCommandId(commandId: unknown): void {
  if (commandId === undefined) return;
  if (typeof commandId !== 'string' || !COMMAND_ID.test(commandId)) {
    throw new EventStoreError(
      'invalid-event',
      'invalid command id: 1 to 200 printable ASCII characters',
      {},
    );
  }
}

/**
 * Checks a whole append before anything is written: groups non-empty, command ids valid and
 * distinct, every event valid plain JSON within the size limits. Returns the events in order,
 * each with the canonical JSON of its parts and the command id on its command's last event.
 */
export function prepareAppend(streamId: string, groups: unknown): PreparedEvent[] {
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new EventStoreError('invalid-event', 'an append needs at least one event', { streamId });
  }
  const seen = new Set<string>();
  const prepared: PreparedEvent[] = [];
  let total = 0;
  for (const group of groups as unknown[]) {
    if (!isJsonObject(group) || !Array.isArray(group.events) || group.events.length === 0) {
      throw new EventStoreError('invalid-event', 'an append needs at least one event', {
        streamId,
      });
    }
    const commandId = group.commandId;
    assertCommandId(commandId);
    if (typeof commandId === 'string') {
      if (seen.has(commandId)) {
        throw new EventStoreError('invalid-event', 'a command id appears twice in one append', {
          streamId,
          commandId,
        });
      }
      seen.add(commandId);
    }
    const events = group.events as unknown[];
    if (prepared.length + events.length > MAX_EVENTS_PER_APPEND) {
      throw new EventStoreError(
        'invalid-event',
        `at most ${MAX_EVENTS_PER_APPEND} events per append`,
        { streamId },
      );
    }
    for (let i = 0; i < events.length; i++) {
      const event = prepareEvent(streamId, events[i], prepared.length);
      if (i === events.length - 1 && typeof commandId === 'string') event.commandId = commandId;
      total += event.size;
      if (total > MAX_APPEND_BYTES) {
        throw new EventStoreError(
          'event-too-large',
          `append of more than ${MAX_APPEND_BYTES} bytes`,
          { streamId, limit: MAX_APPEND_BYTES },
        );
      }
      prepared.push(event);
    }
  }
  return prepared;
}

export function assertExpected(expected: unknown): asserts expected is ExpectedVersion {
  if (expected === 'any' || expected === 'noStream' || expected === 'streamExists') return;
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
    throw new EventStoreError('invalid-event', `invalid expected version: ${String(expected)}`);
  }
}

export function describeExpected(expected: ExpectedVersion): string {
  return typeof expected === 'number' ? String(expected) : expected;
}

/** Does a stream at `version` satisfy `expected`? */
export function satisfies(expected: ExpectedVersion, version: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'noStream') return version === 0;
  if (expected === 'streamExists') return version > 0;
  return version === expected;
}

export function assertCheckpoint(checkpoint: unknown): asserts checkpoint is Checkpoint {
  const cp = checkpoint as Partial<Checkpoint> | null | undefined;
  if (
    typeof cp !== 'object' ||
    cp === null ||
    typeof cp.transactionId !== 'bigint' ||
    typeof cp.globalPosition !== 'bigint' ||
    cp.transactionId < 0n ||
    cp.globalPosition < 0n ||
    cp.transactionId > MAX_XID8 ||
    cp.globalPosition > MAX_INT8
  ) {
    throw new EventStoreError('invalid-argument', 'invalid checkpoint');
  }
}

export function assertBatchSize(batchSize: unknown): asserts batchSize is number {
  if (
    typeof batchSize !== 'number' ||
    !Number.isInteger(batchSize) ||
    batchSize < 1 ||
    batchSize > MAX_BATCH_SIZE
  ) {
    throw new EventStoreError(
      'invalid-argument',
      `batch size must be an integer from 1 to ${MAX_BATCH_SIZE}`,
    );
  }
}

/** Normalised readStream options: first version (>= 1) and optional count (>= 0). */
export function readStreamRange(
  options: { fromVersion?: unknown; maxCount?: unknown } | null | undefined,
): {
  from: number;
  maxCount: number | undefined;
} {
  if (options !== undefined && options !== null && typeof options !== 'object') {
    throw new EventStoreError('invalid-argument', 'readStream options must be an object');
  }
  const from = options?.fromVersion ?? 1;
  if (typeof from !== 'number' || !Number.isSafeInteger(from) || from < 0) {
    throw new EventStoreError('invalid-argument', 'fromVersion must be a non-negative integer');
  }
  const max = options?.maxCount;
  if (max !== undefined && (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0)) {
    throw new EventStoreError('invalid-argument', 'maxCount must be a non-negative integer');
  }
  return { from: Math.max(1, from), maxCount: max };
}
