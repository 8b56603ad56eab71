import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Hono } from 'hono';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  AuthError,
  authConfigFrom,
  createVerifier,
  issueToken,
  mayActOn,
  VerifiedTokens,
} from './auth.ts';
import { loadConfig } from './config.ts';
import { authenticate } from './http.ts';

// The identity provider's JWKS endpoint is a system we do not run: msw stands in for it.
const JWKS_URL = 'https://idp.example.org/.well-known/jwks.json';
const server = setupServer();
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let signingKey: PrivateKey;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  signingKey = privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  // The initial handlers: resetHandlers() comes back to this key set.
  server.resetHandlers(http.get(JWKS_URL, () => HttpResponse.json({ keys: [jwk] })));
  server.listen({ onUnhandledRequest: 'error' });
});
afterAll(() => server.close());

const claims = { role: 'official', communities: ['c1', 'c2'] };

function signEs256(key: PrivateKey, payload: Record<string, unknown> = claims) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject('off-1')
    .setIssuer('yishi')
    .setAudience('yishi')
    .setExpirationTime('5m')
    .sign(key);
}

describe('JWT verification', () => {
  const jwksVerifier = createVerifier({ issuer: 'yishi', audience: 'yishi', jwksUrl: JWKS_URL });

  it('accepts an ES256 token signed by a key of the JWKS', async () => {
    const principal = await jwksVerifier(await signEs256(signingKey));
    expect(principal).toEqual({ personId: 'off-1', role: 'official', communities: ['c1', 'c2'] });
    expect(mayActOn(principal, 'c2')).toBe(true);
    expect(mayActOn(principal, 'c3')).toBe(false);
  });

  it('refuses a token signed by another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    await expect(jwksVerifier(await signEs256(privateKey))).rejects.toBeInstanceOf(AuthError);
  });

  it('refuses an HS256 token when keys come from a JWKS (no algorithm confusion)', async () => {
    const secret = new TextEncoder().encode('x'.repeat(40));
    const token = await issueToken(
      { issuer: 'yishi', audience: 'yishi', secret },
      { personId: 'p', role: 'admin', communities: ['*'] },
    );
    await expect(jwksVerifier(token)).rejects.toBeInstanceOf(AuthError);
  });

  it('beside a JWKS, accepts the console’s HS256 tokens of the secret, and maps the provider’s person claim', async () => {
    const secret = new TextEncoder().encode('z'.repeat(40));
    const both = createVerifier({
      issuer: 'yishi',
      audience: 'yishi',
      jwksUrl: JWKS_URL,
      secret,
      personClaim: 'yishi_person',
    });
    const own = await issueToken(
      { issuer: 'yishi', audience: 'yishi', secret },
      { personId: 'k1', role: 'clerk', communities: ['c1'] },
    );
    await expect(both(own)).resolves.toMatchObject({ personId: 'k1', role: 'clerk' });
    const forged = await issueToken(
      { issuer: 'yishi', audience: 'yishi', secret: new TextEncoder().encode('w'.repeat(40)) },
      { personId: 'k1', role: 'admin', communities: ['*'] },
    );
    await expect(both(forged)).rejects.toThrow(/signature/);
    // The provider's subject is its own; the person is in the configured claim.
    const mapped = await signEs256(signingKey, { ...claims, yishi_person: 'off-7' });
    await expect(both(mapped)).resolves.toMatchObject({ personId: 'off-7', role: 'official' });
    await expect(both(await signEs256(signingKey))).rejects.toThrow(/yishi_person/);
    const odd = await signEs256(signingKey, { ...claims, yishi_person: 'a b' });
    await expect(both(odd)).rejects.toThrow(/yishi_person/);
  });

  it('refuses an ES256 token without exp, or living longer than the cap', async () => {
    const unsigned = () =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject('off-1')
        .setIssuer('yishi')
        .setAudience('yishi');
    await expect(jwksVerifier(await unsigned().sign(signingKey))).rejects.toThrow(/"exp"/);
    await expect(
      jwksVerifier(await unsigned().setIssuedAt(0).setExpirationTime('1h').sign(signingKey)),
    ).rejects.toThrow(/lifetime/);
    await expect(
      jwksVerifier(await unsigned().setExpirationTime('25h').sign(signingKey)),
    ).rejects.toThrow(/lifetime/);
    const capped = createVerifier({
      issuer: 'yishi',
      audience: 'yishi',
      jwksUrl: JWKS_URL,
      maxLifetimeSeconds: 600,
    });
    await expect(
      capped(await unsigned().setIssuedAt().setExpirationTime('11m').sign(signingKey)),
    ).rejects.toThrow(/lifetime/);
    await expect(
      capped(await unsigned().setIssuedAt().setExpirationTime('10m').sign(signingKey)),
    ).resolves.toMatchObject({ personId: 'off-1' });
  });

  it('refuses tokens with missing claims, a wrong audience or an unknown role', async () => {
    await expect(jwksVerifier(await signEs256(signingKey, { role: 'official' }))).rejects.toThrow(
      /claims/,
    );
    await expect(
      jwksVerifier(await signEs256(signingKey, { ...claims, role: 'mayor' })),
    ).rejects.toThrow(/claims/);
    const secret = new TextEncoder().encode('y'.repeat(40));
    const hs = createVerifier({ issuer: 'yishi', audience: 'other', secret });
    const token = await issueToken(
      { issuer: 'yishi', audience: 'yishi', secret },
      { personId: 'p', role: 'clerk', communities: ['c1'] },
    );
    await expect(hs(token)).rejects.toBeInstanceOf(AuthError);
  });
});

describe('HS256 verification (node:crypto) and the verified-token cache', () => {
  const secret = new TextEncoder().encode('z'.repeat(40));
  const config = { issuer: 'yishi', audience: 'yishi', secret };
  const clerk = { personId: 'clerk-1', role: 'clerk', communities: ['c1'] } as const;
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const sign = (input: string, key = secret) =>
    createHmac('sha256', key).update(input).digest('base64url');
  /** A token with any header and claims, signed with the secret (or another key). */
  function handMade(
    header: Record<string, unknown>,
    payload: Record<string, unknown>,
    key = secret,
  ): string {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${sign(input, key)}`;
  }
  const now = () => Math.floor(Date.now() / 1000);
  const good = () => ({
    sub: 'p1',
    role: 'owner',
    communities: ['c1'],
    iss: 'yishi',
    aud: 'yishi',
    iat: now(),
    exp: now() + 600,
  });

  afterEach(() => vi.useRealTimers());

  it('accepts what issueToken signs, as jose does', async () => {
    const token = await issueToken(config, clerk);
    expect(await createVerifier(config)(token)).toEqual(clerk);
    await expect(
      jwtVerify(token, secret, { issuer: 'yishi', audience: 'yishi' }),
    ).resolves.toBeTruthy();
  });

  it('accepts an audience array that includes ours and crit b64 true, like jose', async () => {
    const verify = createVerifier({ ...config, cacheSize: 0 });
    await expect(
      verify(handMade({ alg: 'HS256' }, { ...good(), aud: ['x', 'yishi'] })),
    ).resolves.toMatchObject({ personId: 'p1' });
    await expect(
      verify(handMade({ alg: 'HS256', crit: ['b64'], b64: true }, good())),
    ).resolves.toMatchObject({ personId: 'p1' });
  });

  it.each([
    [
      'a wrong signature',
      handMade({ alg: 'HS256' }, good(), new TextEncoder().encode('w'.repeat(40))),
    ],
    ['alg none', `${b64({ alg: 'none' })}.${b64(good())}.`],
    ['alg HS512', handMade({ alg: 'HS512' }, good())],
    ['no alg', handMade({}, good())],
    ['an unknown crit', handMade({ alg: 'HS256', crit: ['exp'], exp: 1 }, good())],
    [
      'an unencoded payload (b64 false)',
      handMade({ alg: 'HS256', crit: ['b64'], b64: false }, good()),
    ],
    ['an expired token', handMade({ alg: 'HS256' }, { ...good(), exp: now() - 1 })],
    ['exp equal to now', handMade({ alg: 'HS256' }, { ...good(), exp: now() })],
    ['a token not yet valid', handMade({ alg: 'HS256' }, { ...good(), nbf: now() + 60 })],
    ['exp as a string', handMade({ alg: 'HS256' }, { ...good(), exp: String(now() + 600) })],
    ['iat as a string', handMade({ alg: 'HS256' }, { ...good(), iat: 'yesterday' })],
    ['another issuer', handMade({ alg: 'HS256' }, { ...good(), iss: 'evil' })],
    ['no issuer', handMade({ alg: 'HS256' }, { ...good(), iss: undefined })],
    ['another audience', handMade({ alg: 'HS256' }, { ...good(), aud: ['x'] })],
    ['no audience', handMade({ alg: 'HS256' }, { ...good(), aud: undefined })],
    [
      'claims that are an array',
      (() => {
        const input = `${b64({ alg: 'HS256' })}.${Buffer.from('[1]').toString('base64url')}`;
        return `${input}.${sign(input)}`;
      })(),
    ],
    ['two segments', `${b64({ alg: 'HS256' })}.${b64(good())}`],
  ])('refuses %s, as jose does', async (_, token) => {
    await expect(createVerifier(config)(token)).rejects.toBeInstanceOf(AuthError);
    await expect(
      jwtVerify(token, secret, {
        issuer: 'yishi',
        audience: 'yishi',
        algorithms: ['HS256'],
      }),
    ).rejects.toThrow();
  });

  it('checks every header it has not accepted, whatever header it accepted before', async () => {
    const verify = createVerifier({ ...config, cacheSize: 0 });
    const accepted = handMade({ alg: 'HS256' }, good());
    await expect(verify(accepted)).resolves.toMatchObject({ personId: 'p1' });
    for (const header of [
      { alg: 'HS512' },
      { alg: 'HS256', crit: ['exp'], exp: 1 },
      { alg: 'HS256', crit: ['b64'], b64: false },
      {},
    ]) {
      await expect(verify(handMade(header, good()))).rejects.toBeInstanceOf(AuthError);
    }
    await expect(verify(`${b64({ alg: 'none' })}.${b64(good())}.`)).rejects.toThrow(AuthError);
    await expect(verify(handMade({ alg: 'HS256' }, good()))).resolves.toMatchObject({
      personId: 'p1',
    });
    // An accepted header does not make a wrong signature under it any better.
    const forged = handMade({ alg: 'HS256' }, good(), new TextEncoder().encode('w'.repeat(40)));
    await expect(verify(forged)).rejects.toThrow('signature verification failed');
  });

  it.each([
    ['no exp', { ...good(), exp: undefined }],
    ['no exp and iat 0', { ...good(), exp: undefined, iat: 0 }],
    ['iat 0 and exp in ten minutes', { ...good(), iat: 0 }],
    ['exp 25 hours after iat', { ...good(), exp: now() + 25 * 3600 }],
    ['exp 25 hours ahead and no iat', { ...good(), iat: undefined, exp: now() + 25 * 3600 }],
  ])('refuses a token with %s (every token expires, within 24 h by default)', async (_, claims) => {
    const verify = createVerifier({ ...config, cacheSize: 0 });
    await expect(verify(handMade({ alg: 'HS256' }, claims))).rejects.toThrow(/"exp"|lifetime/);
  });

  it('takes the cap from JWT_MAX_LIFETIME_SECONDS; the default admits what issueToken signs', async () => {
    const env = { JWT_SECRET: 'z'.repeat(40), DATA_DIR: '/nonexistent' };
    const defaults = authConfigFrom(loadConfig(env));
    expect(defaults.maxLifetimeSeconds).toBe(24 * 3600);
    expect(await createVerifier(defaults)(await issueToken(config, clerk))).toEqual(clerk);
    const hour = authConfigFrom(loadConfig({ ...env, JWT_MAX_LIFETIME_SECONDS: '3600' }));
    expect(hour.maxLifetimeSeconds).toBe(3600);
    const verify = createVerifier(hour);
    await expect(verify(await issueToken(config, clerk, '2h'))).rejects.toThrow(/lifetime/);
    expect(await verify(await issueToken(config, clerk, '1h'))).toEqual(clerk);
    expect(() => loadConfig({ ...env, JWT_MAX_LIFETIME_SECONDS: '0' })).toThrow(
      /JWT_MAX_LIFETIME_SECONDS/,
    );
  });

  it('answers a token without exp with 401 problem+json naming why', async () => {
    const app = new Hono();
    app.use('*', authenticate(createVerifier(config)));
    app.get('/x', (c) => c.text('ok'));
    const res = await app.request('/x', {
      headers: {
        authorization: `Bearer ${handMade({ alg: 'HS256' }, { ...good(), exp: undefined })}`,
      },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({
      code: 'invalid-token',
      detail: expect.stringContaining('"exp"'),
    });
  });

  it('refuses a padded or non-canonical signature (jose would take either: same bytes)', async () => {
    const token = handMade({ alg: 'HS256' }, good());
    const last = token.at(-1)!;
    // The last of 43 characters carries 2 unused bits: a neighbour decodes to the same bytes.
    const twin = token.slice(0, -1) + String.fromCharCode(last.charCodeAt(0) + 1);
    const verify = createVerifier(config);
    await expect(verify(`${token}=`)).rejects.toThrow(/signature/);
    const bytes = (t: string) => Buffer.from(t.split('.')[2]!, 'base64url');
    expect(bytes(twin).equals(bytes(token))).toBe(true);
    await expect(verify(twin)).rejects.toThrow(/signature/);
    expect(await verify(token)).toMatchObject({ personId: 'p1' });
  });

  it('never remembers a token with a bad signature', async () => {
    const verify = createVerifier(config);
    const token = await issueToken(config, clerk);
    const [h, p, s] = token.split('.') as [string, string, string];
    const forged = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`;
    for (let i = 0; i < 2; i++) await expect(verify(forged)).rejects.toBeInstanceOf(AuthError);
    // The genuine token still verifies, and the forged one is still refused after it.
    expect(await verify(token)).toEqual(clerk);
    await expect(verify(forged)).rejects.toBeInstanceOf(AuthError);
  });

  it('refuses a remembered token once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T08:00:00.000Z'));
    const verify = createVerifier(config);
    const token = await issueToken(config, clerk, '2m');
    expect(await verify(token)).toEqual(clerk);
    vi.setSystemTime(new Date('2026-03-01T08:01:59.000Z'));
    expect(await verify(token)).toEqual(clerk);
    vi.setSystemTime(new Date('2026-03-01T08:02:00.000Z'));
    await expect(verify(token)).rejects.toThrow(/exp/);
  });

  it('stops honouring a remembered token once its key left the JWKS (jose refetches it)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T08:00:00.000Z'));
    const verify = createVerifier({ issuer: 'yishi', audience: 'yishi', jwksUrl: JWKS_URL });
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('off-1')
      .setIssuer('yishi')
      .setAudience('yishi')
      .setExpirationTime('1h')
      .sign(signingKey);
    expect(await verify(token)).toMatchObject({ personId: 'off-1' });
    // The identity provider withdraws k1.
    const { publicKey } = await generateKeyPair('ES256', { extractable: true });
    const other = { ...(await exportJWK(publicKey)), kid: 'k2', alg: 'ES256', use: 'sig' };
    server.use(http.get(JWKS_URL, () => HttpResponse.json({ keys: [other] })));
    try {
      vi.setSystemTime(new Date('2026-03-01T08:04:00.000Z'));
      expect(await verify(token)).toMatchObject({ personId: 'off-1' });
      vi.setSystemTime(new Date('2026-03-01T08:11:00.000Z'));
      await expect(verify(token)).rejects.toBeInstanceOf(AuthError);
    } finally {
      server.resetHandlers();
    }
  });

  it('a remembered token for community A still cannot act on community B', async () => {
    const verify = createVerifier(config);
    const token = await issueToken(config, clerk);
    await verify(token);
    const again = await verify(token);
    expect(mayActOn(again, 'c1')).toBe(true);
    expect(mayActOn(again, 'c2')).toBe(false);
    expect(Object.isFrozen(again) && Object.isFrozen(again.communities)).toBe(true);
  });

  it('keeps at most cacheSize tokens, the least recently used evicted first', async () => {
    const cache = new VerifiedTokens(2);
    const principal = { personId: 'p', role: 'owner', communities: ['c1'] } as const;
    const entry = { principal, exp: undefined, nbf: undefined, until: Date.now() + 60_000 };
    cache.set('a', entry);
    cache.set('b', entry);
    expect(cache.get('a', Date.now())).toBe(principal);
    cache.set('c', entry);
    expect(cache.size).toBe(2);
    expect(cache.get('b', Date.now())).toBeUndefined();
    expect(cache.get('a', Date.now())).toBe(principal);
    const none = new VerifiedTokens(0);
    none.set('a', entry);
    expect(none.size).toBe(0);
    // Eviction never changes an answer: an evicted token is verified afresh.
    const verify = createVerifier({ ...config, cacheSize: 2 });
    const tokens = await Promise.all(
      ['a', 'b', 'c'].map((id) => issueToken(config, { ...clerk, personId: id })),
    );
    for (const t of tokens) await verify(t);
    for (const t of tokens) await expect(verify(t)).resolves.toMatchObject({ role: 'clerk' });
  });

  it('evicts exactly as a least-recently-used list would, over any sequence of uses', () => {
    const principal = { personId: 'p', role: 'owner', communities: ['c1'] } as const;
    const op = fc.oneof(
      fc.record({ set: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), stale: fc.boolean() }),
      fc.record({ get: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { maxLength: 200 }),
        (limit, ops) => {
          const cache = new VerifiedTokens(limit);
          // The model: keys from least to most recently used, and which were stored stale.
          let order: string[] = [];
          const stale = new Map<string, boolean>();
          for (const o of ops) {
            if ('set' in o) {
              const until = o.stale ? 0 : 2_000;
              cache.set(o.set, { principal, exp: undefined, nbf: undefined, until });
              order = [...order.filter((k) => k !== o.set), o.set];
              stale.set(o.set, o.stale);
              if (order.length > limit) order.shift();
            } else {
              const known = order.includes(o.get);
              const fresh = known && !stale.get(o.get);
              expect(cache.get(o.get, 1_000)).toBe(fresh ? principal : undefined);
              order = order.filter((k) => k !== o.get);
              if (fresh) order.push(o.get);
            }
            expect(cache.size).toBe(order.length);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
