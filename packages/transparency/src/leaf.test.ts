import { createHash } from 'node:crypto';
import { canonicalJson } from '@yishi/event-store';
import { describe, expect, it } from 'vitest';
import { eventLeafHash, leafData } from './leaf.ts';

// The leaves of every log already kept are these bytes: any change to them changes every root
// and breaks every saved checkpoint's consistency. Pinned here, computed when they were defined.
describe('a leaf', () => {
  const event = {
    streamId: 'proposal-c1.p-7',
    streamVersion: 12,
    type: 'BallotCast',
    hash: 'ab'.repeat(32),
  };

  it('is the canonical JSON of stream, version, type and chain hash, hashed as RFC 9162 says', () => {
    expect(leafData(event).toString('utf8')).toBe(
      `{"hash":"${'ab'.repeat(32)}","streamId":"proposal-c1.p-7","streamVersion":12,"type":"BallotCast"}`,
    );
    expect(eventLeafHash(event).toString('hex')).toBe(
      '22a9d3dfc7aa5e784367e7dcefae522866b0291a3d4fda55a24c5491225dc4b6',
    );
    const rfc = createHash('sha256').update(Buffer.of(0)).update(leafData(event)).digest();
    expect(eventLeafHash(event).equals(rfc)).toBe(true);
  });

  it('escapes as RFC 8785 does, and reads nothing else of the event', () => {
    const odd = {
      streamId: 'proposal-c1.议事"\\\u0001',
      streamVersion: 1,
      type: 'T\u2028',
      hash: '00'.repeat(32),
    };
    expect(leafData(odd).toString('utf8')).toBe(canonicalJson(odd));
    expect(eventLeafHash(odd).toString('hex')).toBe(
      '46f66204b5c2d02eaa2d43e56d628b4e9c3bc7a79a233ecc2860b747d7008053',
    );
    const whole = { ...event, data: { n: 1 }, metadata: { actorId: 'a' }, prevHash: 'cd' };
    expect(eventLeafHash(whole).equals(eventLeafHash(event))).toBe(true);
  });
});
