import { canonicalJson } from '@yishi/event-store';
import { leafHash } from './merkle.ts';

/**
 * What a leaf commits to: the event's stream, its version, its type and its stored per-stream
 * chain hash. The chain hash covers the event's data, metadata and schema version and every
 * earlier event of its stream, so the leaf commits to all of it without carrying it; stream,
 * version and type are repeated so that a leaf (or a proof) names its event in plain terms.
 * Not the position or the time recorded: they belong to the store (EventStoreDB numbers
 * positions otherwise) and the chain does not cover them.
 */
export interface LoggedEvent {
  streamId: string;
  streamVersion: number;
  type: string;
  /** The per-stream chain hash as stored (hex). */
  hash: string;
}

/** The leaf's data: RFC 8785 canonical JSON of the four fields, as UTF-8. */
export function leafData(event: LoggedEvent): Buffer {
  return Buffer.from(
    canonicalJson({
      hash: event.hash,
      streamId: event.streamId,
      streamVersion: event.streamVersion,
      type: event.type,
    }),
    'utf8',
  );
}

/** SHA-256(0x00 ‖ leaf data). */
export function eventLeafHash(event: LoggedEvent): Buffer {
  return leafHash(leafData(event));
}
