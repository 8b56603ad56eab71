import { EventStoreError } from '../errors.ts';

// PostgreSQL's errors as the store's: what a caller can act on gets a code.

const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);

const codeOf = (error: unknown): string | undefined => (error as { code?: string }).code;

/**
 * An append that lost to a concurrent one: a unique key taken (the stream's next version, or
 * the command id), or a serialisation failure or deadlock on the way.
 */
export function lostRace(error: unknown): boolean {
  const code = codeOf(error);
  return code === '23505' || code === '40001' || code === '40P01';
}

/** Whether the key taken was a command id: that command was appended before. */
export function commandIdTaken(error: unknown): boolean {
  return (error as { constraint?: string }).constraint === 'es_events_command_id';
}

/** Typed errors for what the caller can act on; anything else is a bug and stays as it is. */
export function mapError(error: unknown): Error {
  if (error instanceof EventStoreError) return error;
  const code = codeOf(error) ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (
    code.startsWith('08') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === '53300' ||
    UNAVAILABLE_ERRNO.has(code) ||
    /Connection terminated|connection error|after calling end on the pool|timeout exceeded when trying to connect/i.test(
      message,
    )
  ) {
    return new EventStoreError('store-unavailable', `event store unavailable: ${message}`, {
      cause: code || undefined,
    });
  }
  // Invalid text, untranslatable character, bad encoding, too complex: refused input.
  if (code === '22P02' || code === '22P05' || code === '22021' || code === '54000') {
    return new EventStoreError('invalid-event', `event rejected by the store: ${message}`);
  }
  return error instanceof Error ? error : new Error(message);
}
