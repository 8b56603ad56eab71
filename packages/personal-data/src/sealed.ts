// The stored form of a personal field: `pii:v1:<keyId>:<base64url(iv|ciphertext|tag)>`, a
// string, so event schemas keep their string fields. The key id names the person's data key;
// the additional data is the subject and the field, so a value cannot be moved to another
// person or field. A string without the prefix is clear text (stored before sealing began).

export const SEALED_PREFIX = 'pii:v1:';
const SEALED = /^pii:v1:([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_-]+)$/;

export interface SealedParts {
  keyId: string;
  blob: Buffer;
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

/** The key id and blob of a sealed value; undefined for anything else (clear text). */
export function parseSealed(value: string): SealedParts | undefined {
  const match = SEALED.exec(value);
  return match ? { keyId: match[1]!, blob: Buffer.from(match[2]!, 'base64url') } : undefined;
}

export function formatSealed(keyId: string, blob: Buffer): string {
  return `${SEALED_PREFIX}${keyId}:${blob.toString('base64url')}`;
}

/** The additional data of a field's value: the subject and the field, NUL-separated. */
export const fieldAad = (subject: string, field: string) => `${subject}\u0000${field}`;
