import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { JsonObject } from './types.ts';

// The package is CommonJS whose typings claim a default export; load it as what it is.
const canonicalize = createRequire(import.meta.url)('canonicalize') as (
  input: unknown,
) => string | undefined;

export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: JsonObject;
}

/** RFC 8785 canonical JSON of what an event says (its stream position included). */
export function canonicalEvent(fields: HashedFields): string {
  const text = canonicalize({
    streamId: fields.streamId,
    streamVersion: fields.streamVersion,
    type: fields.type,
    schemaVersion: fields.schemaVersion,
    data: fields.data,
    metadata: fields.metadata,
  });
  if (text === undefined) throw new Error('event is not serialisable');
  return text;
}

/** hash = sha256(prev_hash ‖ canonical_json(event)), hex. */
export function chainHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256').update(prevHash).update(canonicalEvent(fields)).digest('hex');
}
