import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Config, localSecret } from '@yishi/platform';

// The sign-in's keys, derived from the deployment secret as the webhook and form keys are:
// one for HMACs of phone numbers and codes (so a stolen table is of no use without the secret).

export function identityKey(config: Pick<Config, 'JWT_SECRET' | 'DATA_DIR'>): Uint8Array {
  return createHmac('sha256', localSecret(config.DATA_DIR, config.JWT_SECRET))
    .update('yishi identity key v1')
    .digest();
}

/** HMAC-SHA256 of a labelled value, hex: `label` keeps phone and code hashes apart. */
export function keyed(key: Uint8Array, label: string, value: string): string {
  return createHmac('sha256', key).update(`${label}\u0000${value}`).digest('hex');
}

export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A random secret for a cookie or a link: 32 bytes, base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** How a session id or other bearer secret is stored: its SHA-256. */
export function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
