import { describe, expect, it } from 'vitest';
import { clerk, owner, representative, resident } from '../testing/fixtures.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import { PhotoRef, type WishCommand, wishDecider, wishEventSchemas } from './wish.ts';

const spec = specFor(wishDecider, wishEventSchemas);
const c = commandsOf<WishCommand>();
const posted = history(wishDecider, [
  c(
    'PostWish',
    {
      wishId: 'w1',
      communityId: 'hp',
      kind: 'wish',
      category: 'elderly-care',
      title: '想要一副老花镜',
      description: '独居老人，看报吃力',
    },
    resident('grandma'),
    day(0),
  ),
]);
const person = { kind: 'person' as const };
const org = {
  kind: 'party' as const,
  partyId: 'sw',
  partyKind: 'social-organisation' as const,
  name: '阳光社工',
};
const claimed = history(
  wishDecider,
  [c('ClaimWish', { claimant: person }, resident('vol'), day(1))],
  posted,
);
const done = history(
  wishDecider,
  [c('CompleteWish', { photo: 'https://img.example.cn/1.jpg' }, resident('vol'), day(2))],
  claimed,
);

describe('micro-wishes (微心愿)', () => {
  it('goes open → claimed → done → rated', () => {
    spec
      .given(done)
      .when(c('RateWish', { stars: 5, comment: '谢谢' }, resident('grandma'), day(3)))
      .then((events) => {
        expect(events[0]!.type).toBe('WishRated');
      });
  });

  it('is claimed by one claimant at a time, never by its requester', () => {
    spec
      .given(claimed)
      .when(c('ClaimWish', { claimant: person }, owner('b'), day(2)))
      .thenRefused('already-claimed');
    spec
      .given(posted)
      .when(c('ClaimWish', { claimant: person }, resident('grandma'), day(1)))
      .thenRefused('not-eligible');
  });

  it('a party’s claim is held by any of its representatives', () => {
    const byOrg = history(
      wishDecider,
      [c('ClaimWish', { claimant: org }, representative('r1', 'sw'), day(1))],
      posted,
    );
    spec
      .given(byOrg)
      .when(c('CompleteWish', { photo: 'doc:photos/w1.jpg' }, representative('r2', 'sw'), day(2)))
      .then((e) => expect(e).toHaveLength(1));
    spec
      .given(byOrg)
      .when(c('CompleteWish', { photo: 'doc:x' }, resident('r1'), day(2)))
      .thenRefused('not-authorised');
    spec
      .given(posted)
      .when(c('ClaimWish', { claimant: org }, representative('r1', 'other'), day(1)))
      .thenRefused('not-authorised');
  });

  it('unclaiming opens it again; only the claimant or a moderator may', () => {
    spec
      .given(claimed)
      .when(c('UnclaimWish', {}, resident('other'), day(2)))
      .thenRefused('not-authorised');
    const state = spec
      .given(claimed)
      .when(c('UnclaimWish', { reason: '临时出差' }, resident('vol'), day(2)))
      .thenState();
    expect(state.status).toBe('open');
    spec
      .given(posted)
      .when(c('UnclaimWish', {}, clerk, day(2)))
      .thenRefused('not-claimed');
  });

  it('only the requester rates, once, and only help given', () => {
    spec
      .given(done)
      .when(c('RateWish', { stars: 4 }, resident('vol'), day(3)))
      .thenRefused('not-authorised');
    spec
      .given(claimed)
      .when(c('RateWish', { stars: 4 }, resident('grandma'), day(3)))
      .thenRefused('wish-closed');
    const rated = history(
      wishDecider,
      [c('RateWish', { stars: 4 }, resident('grandma'), day(3))],
      done,
    );
    spec
      .given(rated)
      .when(c('RateWish', { stars: 5 }, resident('grandma'), day(4)))
      .thenRefused('already-resolved');
  });

  it('is cancelled before it is done, by the requester or a moderator', () => {
    spec
      .given(claimed)
      .when(c('CancelWish', { reason: '已解决' }, resident('grandma'), day(2)))
      .then((e) => expect(e[0]!.type).toBe('WishCancelled'));
    spec
      .given(done)
      .when(c('CancelWish', { reason: 'x' }, clerk, day(3)))
      .thenRefused('wish-closed');
    spec
      .given(posted)
      .when(c('CancelWish', { reason: 'x' }, resident('vol'), day(3)))
      .thenRefused('not-authorised');
  });

  it('takes a photo as an https URL or a doc: reference only', () => {
    expect(PhotoRef.safeParse('https://img.example.cn/a.jpg').success).toBe(true);
    expect(PhotoRef.safeParse('doc:2026/w1-photo.jpg').success).toBe(true);
    for (const bad of [
      'http://img.example.cn/a.jpg',
      'javascript:alert(1)',
      'https://',
      'doc:',
      'photo.jpg',
    ]) {
      expect(PhotoRef.safeParse(bad).success, bad).toBe(false);
    }
  });
});
