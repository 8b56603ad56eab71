export type EventStoreErrorCode =
  | 'version-conflict'
  | 'invalid-stream-id'
  | 'invalid-event'
  | 'event-too-large'
  /** A read argument (checkpoint, batch size, range) is out of range. */
  | 'invalid-argument'
  /** The store could not be reached or was closed; an append's outcome is then unknown, and
   * retrying it with the same command id is safe. */
  | 'store-unavailable';

/** A refusal of the event store: a value with a stable code, never a bare Error. */
export class EventStoreError extends Error {
  readonly code: EventStoreErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: EventStoreErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'EventStoreError';
    this.code = code;
    this.details = details;
  }
}

export class VersionConflictError extends EventStoreError {
  readonly streamId: string;
  readonly expected: string;
  /** The stream's version when the append was refused (0 = no stream). */
  readonly actual: number;
  constructor(streamId: string, expected: string, actual: number) {
    super(
      'version-conflict',
      `stream ${streamId}: expected version ${expected}, actual ${actual}`,
      {
        streamId,
        expected,
        actual,
      },
    );
    this.name = 'VersionConflictError';
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

export function isVersionConflict(error: unknown): error is VersionConflictError {
  return error instanceof VersionConflictError;
}

export function isEventStoreError(error: unknown): error is EventStoreError {
  return error instanceof EventStoreError;
}
