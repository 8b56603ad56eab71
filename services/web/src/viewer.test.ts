import { issueToken } from '@yishi/platform';
import { describe, expect, it } from 'vitest';
import { isExpired, may, viewerOf } from './viewer.ts';

const secret = new TextEncoder().encode('viewer-test-secret-viewer-test-secret');
const issue = (expiresIn = '1h') =>
  issueToken(
    { issuer: 'yishi', audience: 'yishi', secret },
    { personId: 'r3', role: 'party_representative', communities: ['c1'], partyId: 'ywh' },
    expiresIn,
  );

describe('the signed-in viewer, from the token’s claims', () => {
  it('reads who acts, in which role, for which communities and party', async () => {
    const viewer = viewerOf(`  ${await issue()}\n`)!;
    expect(viewer).toMatchObject({
      personId: 'r3',
      role: 'party_representative',
      communities: ['c1'],
      partyId: 'ywh',
    });
    expect(isExpired(viewer, new Date())).toBe(false);
    expect(isExpired(viewer, new Date(Date.now() + 2 * 3600_000))).toBe(true);
    expect(may(viewer, 'SignMinutes')).toBe(true);
    expect(may(viewer, 'OpenVoting')).toBe(false);
  });

  it('refuses what is not a token the services could accept', () => {
    expect(viewerOf('')).toBeUndefined();
    expect(viewerOf('abc.def.ghi')).toBeUndefined();
    const claims = (c: object) => `x.${Buffer.from(JSON.stringify(c)).toString('base64url')}.y`;
    expect(viewerOf(claims({ sub: 'a', role: 'mayor', communities: ['c1'] }))).toBeUndefined();
    expect(viewerOf(claims({ sub: 'a', role: 'owner', communities: 'c1' }))).toBeUndefined();
    expect(viewerOf(claims({ sub: 'a', role: 'owner', communities: ['c1'] }))?.role).toBe('owner');
  });
});
