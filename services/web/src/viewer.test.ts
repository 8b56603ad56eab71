import { describe, expect, it } from 'vitest';
import { may, mayRead, type Viewer } from './viewer.ts';

const capacity = {
  kind: 'party-representative',
  role: 'party_representative',
  communityId: 'c1',
  personId: 'r3',
  partyId: 'ywh',
  communities: ['c1'],
} as const;
const viewer: Viewer = {
  token: 't',
  personId: 'r3',
  role: 'party_representative',
  communities: ['c1'],
  partyId: 'ywh',
  capacity,
  held: [capacity],
  sessionKey: 'k',
};

describe('the signed-in viewer', () => {
  it('may send what its capacity’s role may, and read its communities', () => {
    expect(may(viewer, 'SignMinutes')).toBe(true);
    expect(may(viewer, 'OpenVoting')).toBe(false);
    expect(may(undefined, 'SignMinutes')).toBe(false);
    expect(mayRead(viewer, 'c1')).toBe(true);
    expect(mayRead(viewer, 'c2')).toBe(false);
  });
});
