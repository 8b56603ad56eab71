import { verifySignature, webhookKey } from '@yishi/platform';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sendSignInCode } from './sms.ts';

// The SMS gateway is a system we do not run: msw stands in for it and checks the signature from
// the deployment secret alone, as the gateway does with the key `pnpm webhook-secret` gives.

const SECRET = new TextEncoder().encode('sms-test-secret-sms-test-secret-sms');
const URL = 'https://sms.gateway.test/yishi';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe('a sign-in code by SMS', () => {
  it('goes to the community’s gateway as a signed webhook of kind sign-in-code', async () => {
    const received: { body: Record<string, unknown>; signed: boolean; kind: string | null }[] = [];
    server.use(
      http.post(URL, async ({ request }) => {
        const raw = await request.text();
        const key = webhookKey(SECRET, 'c1', 'sms');
        received.push({
          body: JSON.parse(raw) as Record<string, unknown>,
          kind: request.headers.get('x-yishi-event'),
          signed: verifySignature(
            key,
            {
              timestamp: request.headers.get('x-yishi-timestamp'),
              signature: request.headers.get('x-yishi-signature'),
            },
            raw,
          ),
        });
        return HttpResponse.json({ ok: true });
      }),
    );
    const expiresAt = new Date('2026-12-08T02:05:00.000Z');
    const sent = await sendSignInCode(
      { communityId: 'c1', webhookId: 'sms', url: URL },
      '+8613812345678',
      '042137',
      expiresAt,
      { secret: SECRET, allowPrivate: [] },
    );
    expect(sent).toEqual({ ok: true });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      signed: true,
      kind: 'sign-in-code',
      body: {
        communityId: 'c1',
        kind: 'sign-in-code',
        phone: '+8613812345678',
        code: '042137',
        expiresAt: expiresAt.toISOString(),
      },
    });
    expect(received[0]!.body.text).toContain('042137');
  });

  it('says so when the gateway refuses', async () => {
    server.use(http.post(URL, () => new HttpResponse(null, { status: 503 })));
    const sent = await sendSignInCode(
      { communityId: 'c1', webhookId: 'sms', url: URL },
      '+8613812345678',
      '042137',
      new Date(),
      { secret: SECRET, allowPrivate: [] },
    );
    expect(sent).toEqual({ ok: false, error: 'HTTP 503' });
  });
});
