import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signature, verifySignature, webhookKey, webhookSecret } from './webhooks.ts';

const secret = new TextEncoder().encode('a-webhook-secret-of-32-characters!!');

describe('webhook signatures', () => {
  it('derives each webhook’s key from the deployment secret and its identity', () => {
    const key = webhookKey(secret, 'c1', 'sms');
    expect(key).toBe(createHmac('sha256', secret).update('c1:sms').digest('hex'));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(webhookKey(secret, 'c1', 'sms2')).not.toBe(key);
    expect(webhookKey(secret, 'c2', 'sms')).not.toBe(key);
  });

  it('signs timestamp "." body with the key text, and a gateway can check it', () => {
    const key = webhookKey(secret, 'c1', 'sms');
    const body = '{"deliveryId":"812.sms","kind":"vote-opened"}';
    const sig = signature(key, '1767225600', body);
    expect(sig).toBe(
      `sha256=${createHmac('sha256', key).update(`1767225600.${body}`).digest('hex')}`,
    );
    const headers = { timestamp: '1767225600', signature: sig };
    expect(verifySignature(key, headers, body, { now: 1767225700 })).toBe(true);
    expect(verifySignature(key, headers, `${body} `, { now: 1767225700 })).toBe(false);
    expect(verifySignature(webhookKey(secret, 'c1', 'x'), headers, body, { now: 1767225700 })).toBe(
      false,
    );
    // A replay after the tolerance (5 minutes) is refused.
    expect(verifySignature(key, headers, body, { now: 1767225600 + 301 })).toBe(false);
    expect(verifySignature(key, { timestamp: null, signature: sig }, body)).toBe(false);
  });

  it('uses WEBHOOK_SECRET, else a secret derived from (not equal to) the JWT secret', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yishi-webhook-'));
    const jwt = 'a-jwt-secret-a-jwt-secret-a-jwt-secret';
    const configured = 'w'.repeat(40);
    expect(
      Buffer.from(webhookSecret({ WEBHOOK_SECRET: configured, JWT_SECRET: jwt, DATA_DIR: dir })),
    ).toEqual(Buffer.from(configured));
    const derived = webhookSecret({ JWT_SECRET: jwt, DATA_DIR: dir });
    expect(Buffer.from(derived)).toEqual(
      createHmac('sha256', jwt).update('yishi webhook secret v1').digest(),
    );
    expect(Buffer.from(derived).toString()).not.toContain(jwt);
    // Without any configured secret: the generated local JWT secret, the same on every call.
    const local = webhookSecret({ DATA_DIR: dir });
    expect(Buffer.from(webhookSecret({ DATA_DIR: dir }))).toEqual(Buffer.from(local));
  });
});
