import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// AES-256-GCM, the one cipher of this package: data keys under the master key, personal
// fields under data keys. A sealed blob is iv (12 bytes) | ciphertext | tag (16 bytes); the
// additional data binds it to where it belongs (a subject, a subject's field).

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export function encrypt(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = cipher.update(plaintext);
  cipher.final(); // GCM holds nothing back: the tag is all that final() completes
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function decipherOf(key: Buffer, blob: Buffer, aad: string) {
  if (blob.length < IV_BYTES + TAG_BYTES) throw new Error('sealed data too short');
  const decipher = createDecipheriv(ALGORITHM, key, blob.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
  return { decipher, body: blob.subarray(IV_BYTES, blob.length - TAG_BYTES) };
}

/** The plaintext; throws when the blob was altered or belongs elsewhere (another key or aad). */
export function decrypt(key: Buffer, blob: Buffer, aad: string): Buffer {
  const { decipher, body } = decipherOf(key, blob, aad);
  const plaintext = decipher.update(body);
  decipher.final(); // checks the tag
  return plaintext;
}

/** `decrypt` of UTF-8 text, without copying it through another buffer. */
export function decryptText(key: Buffer, blob: Buffer, aad: string): string {
  const { decipher, body } = decipherOf(key, blob, aad);
  const text = decipher.update(body, undefined, 'utf8');
  return text + decipher.final('utf8');
}
