import { EventStoreError } from './errors.ts';
import type { ExpectedVersion, JsonObject, NewEvent } from './types.ts';

/** `<category>-<id>`: lowercase category, then id characters; no spaces or control chars. */
const STREAM_ID = /^[a-z][a-z0-9_]*-[A-Za-z0-9_.:-]{1,200}$/;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.]{0,127}$/;
export const MAX_EVENT_BYTES = 256 * 1024;
export const MAX_EVENTS_PER_APPEND = 10_000;

export function assertStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || !STREAM_ID.test(streamId)) {
    throw new EventStoreError(
      'invalid-stream-id',
      `invalid stream id: ${JSON.stringify(streamId)}`,
      {
        streamId,
      },
    );
  }
}

function isPlainJson(value: unknown, depth: number): boolean {
  if (depth > 64) return false;
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
      return !value.includes('\u0000');
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (Array.isArray(value)) return value.every((v) => isPlainJson(v, depth + 1));
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      return Object.entries(value).every(
        ([k, v]) => !k.includes('\u0000') && isPlainJson(v, depth + 1),
      );
    }
    default:
      return false;
  }
}

function isJsonObject(value: unknown): value is JsonObject {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && isPlainJson(value, 0)
  );
}

/** Checks every event before anything is written; returns each event's JSON size. */
export function assertEvents(streamId: string, events: NewEvent[]): void {
  if (!Array.isArray(events) || events.length === 0) {
    throw new EventStoreError('invalid-event', 'an append needs at least one event', { streamId });
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new EventStoreError(
      'invalid-event',
      `at most ${MAX_EVENTS_PER_APPEND} events per append`,
      {
        streamId,
      },
    );
  }
  events.forEach((event, index) => {
    if (typeof event?.type !== 'string' || !EVENT_TYPE.test(event.type)) {
      throw new EventStoreError('invalid-event', `event ${index}: invalid type`, {
        streamId,
        index,
      });
    }
    const version = event.schemaVersion ?? 1;
    if (!Number.isInteger(version) || version < 1 || version > 1000) {
      throw new EventStoreError('invalid-event', `event ${index}: invalid schemaVersion`, {
        streamId,
        index,
      });
    }
    if (!isJsonObject(event.data) || !isJsonObject(event.metadata)) {
      throw new EventStoreError(
        'invalid-event',
        `event ${index}: data and metadata must be JSON objects`,
        {
          streamId,
          index,
        },
      );
    }
    const size =
      Buffer.byteLength(JSON.stringify(event.data)) +
      Buffer.byteLength(JSON.stringify(event.metadata));
    if (size > MAX_EVENT_BYTES) {
      throw new EventStoreError(
        'event-too-large',
        `event ${index}: ${size} bytes > ${MAX_EVENT_BYTES}`,
        {
          streamId,
          index,
          size,
          limit: MAX_EVENT_BYTES,
        },
      );
    }
  });
}

export function assertExpected(expected: ExpectedVersion): void {
  if (expected === 'any' || expected === 'noStream' || expected === 'streamExists') return;
  if (!Number.isSafeInteger(expected) || expected < 0) {
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
