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
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** The plaintext; throws when the blob was altered or belongs elsewhere (another key or aad). */
export function decrypt(key: Buffer, blob: Buffer, aad: string): Buffer {
  if (blob.length < IV_BYTES + TAG_BYTES) throw new Error('sealed data too short');
  const decipher = createDecipheriv(ALGORITHM, key, blob.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(blob.subarray(IV_BYTES, blob.length - TAG_BYTES)),
    decipher.final(),
  ]);
}
