import { createHmac, timingSafeEqual } from 'node:crypto';
import { localSecret } from './auth.ts';
import type { Config } from './config.ts';

// Webhook signatures (the projection service's notifications). No key is ever stored or put in
// an event: each webhook's key is derived from one deployment secret and the webhook's identity,
// so the service and `pnpm webhook-secret` compute the same key, and an admin hands it on.

/**
 * The deployment secret keys are derived from: `WEBHOOK_SECRET`, else derived from the JWT
 * secret (set `WEBHOOK_SECRET` in production: rotating the JWT secret would change every key).
 */
export function webhookSecret(
  config: Pick<Config, 'WEBHOOK_SECRET' | 'JWT_SECRET' | 'DATA_DIR'>,
): Uint8Array {
  if (config.WEBHOOK_SECRET) return new TextEncoder().encode(config.WEBHOOK_SECRET);
  // A separate derivation, so the JWT secret itself never signs a webhook.
  return createHmac('sha256', localSecret(config.DATA_DIR, config.JWT_SECRET))
    .update('yishi webhook secret v1')
    .digest();
}

/**
 * A webhook's signing key: HMAC-SHA256(secret, `<communityId>:<webhookId>`) as 64 hex digits.
 * The gateway uses this text as it is (its UTF-8 bytes) as the HMAC key.
 */
export function webhookKey(secret: Uint8Array, communityId: string, webhookId: string): string {
  return createHmac('sha256', secret).update(`${communityId}:${webhookId}`).digest('hex');
}

/** `sha256=<hex HMAC-SHA256(key, "<timestamp>.<body>")>`: the `X-Yishi-Signature` header. */
export function signature(key: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The headers of one signed webhook request (`X-Yishi-*`): what a gateway reads to recognise a
 * repeat (the delivery id), the kind of message, and the signature over `<timestamp>.<body>`.
 */
export function webhookHeaders(request: {
  key: string;
  deliveryId: string;
  kind: string;
  attempt: number;
  body: string;
  /** Seconds since the epoch. */
  timestamp: number;
  userAgent: string;
}): Record<string, string> {
  const timestamp = String(request.timestamp);
  return {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': request.userAgent,
    'x-yishi-delivery': request.deliveryId,
    'x-yishi-event': request.kind,
    'x-yishi-attempt': String(request.attempt),
    'x-yishi-timestamp': timestamp,
    'x-yishi-signature': signature(request.key, timestamp, request.body),
  };
}

/**
 * What a gateway does (here for tests and as the reference): recompute the signature over the
 * raw body, compare in constant time, and refuse old timestamps (replays).
 */
export function verifySignature(
  key: string,
  headers: { timestamp: string | null; signature: string | null },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const { timestamp, signature: given } = headers;
  if (!timestamp || !given || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signature(key, timestamp, body));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
