import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, createVerifier, issueToken, mayActOn } from './auth.ts';

// The identity provider's JWKS endpoint is a system we do not run: msw stands in for it.
const JWKS_URL = 'https://idp.example.org/.well-known/jwks.json';
const server = setupServer();
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let signingKey: PrivateKey;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  signingKey = privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  server.use(http.get(JWKS_URL, () => HttpResponse.json({ keys: [jwk] })));
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
