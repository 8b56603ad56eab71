import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.ts';
import type { JsonObject } from './types.ts';

export { canonicalJson } from './canonical.ts';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Stands where the stream version goes in an event's canonical JSON template. RFC 8785 escapes
 * every control character inside strings, so this raw character cannot occur anywhere else.
 */
export const VERSION_MARK = '\u0001';

export interface HashedFields {
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: JsonObject;
}

/**
 * The canonical JSON of an event with {@link VERSION_MARK} in place of its stream version.
 * RFC 8785 is compositional (members sorted by key, each value canonical), so this equals
 * `canonicalJson({ data, metadata, schemaVersion, streamId, streamVersion, type })` once the
 * mark is replaced by the version's decimal digits. The postgres adapter sends this template,
 * and the database fills in the version it assigns and hashes the result in the same statement.
 */
export function canonicalEventTemplate(fields: Omit<HashedFields, 'streamVersion'>): string {
  return templateOf(
    fields.streamId,
    fields.type,
    fields.schemaVersion,
    canonicalJson(fields.data),
    canonicalJson(fields.metadata),
  );
}

/** The template from the canonical JSON of data and metadata (already computed). */
export function templateOf(
  streamId: string,
  type: string,
  schemaVersion: number,
  canonicalData: string,
  canonicalMetadata: string,
): string {
  return `{"data":${canonicalData},"metadata":${canonicalMetadata}${templateTail(streamId, type, schemaVersion)}`;
}

/**
 * What follows data and metadata in the template: the postgres adapter sends data, metadata and
 * this tail apart, and the database hashes `{"data":` ‖ data ‖ `,"metadata":` ‖ metadata ‖ tail
 * (version filled in) while storing data and metadata as the canonical text they are.
 */
export function templateTail(streamId: string, type: string, schemaVersion: number): string {
  return (
    `,"schemaVersion":${canonicalJson(schemaVersion)},"streamId":${canonicalJson(streamId)}` +
    `,"streamVersion":${VERSION_MARK},"type":${canonicalJson(type)}}`
  );
}

/** Fills a template's version mark. */
export function fillTemplate(template: string, streamVersion: number): string {
  return template.replace(VERSION_MARK, String(streamVersion));
}

/** RFC 8785 canonical JSON of what an event says (its stream position included). */
export function canonicalEvent(fields: HashedFields): string {
  return fillTemplate(canonicalEventTemplate(fields), fields.streamVersion);
}

/** sha256(prev_hash ‖ text), hex; the text is hashed as UTF-8. */
export function chainHashOfText(prevHash: string, canonicalText: string): string {
  return createHash('sha256').update(prevHash).update(canonicalText).digest('hex');
}

/** hash = sha256(prev_hash ‖ canonical_json(event)), hex. */
export function chainHash(prevHash: string, fields: HashedFields): string {
  return chainHashOfText(prevHash, canonicalEvent(fields));
}
