import { describe, expect, it } from 'vitest';
import type { Actor } from '../shared/decider.ts';
import { pget } from '../shared/pmap.ts';
import { commandsOf, day, history, specFor } from '../testing/spec.ts';
import {
  type CommunityCommand,
  type CommunityRegistry,
  communityDecider,
  communityEventSchemas,
} from './community.ts';

const admin: Actor = { personId: 'admin', role: 'admin' };
const clerk: Actor = { personId: 'clerk', role: 'clerk' };
const c = commandsOf<CommunityCommand>();
const spec = specFor(communityDecider, communityEventSchemas);

const registry = history(communityDecider, [
  c('RegisterCommunity', { communityId: 'hp', name: '和平社区', kind: 'urban' }, admin, day(0)),
  c('RegisterPerson', { personId: 'clerk', name: '李文书', adult: true }, admin, day(0)),
  c('AppointClerk', { personId: 'clerk' }, admin, day(0)),
  c('RegisterPerson', { personId: 'wang', name: '王', adult: true }, clerk, day(0)),
  c(
    'RegisterParty',
    { partyId: 'jwh', kind: 'residents-committee', name: '居委会' },
    clerk,
    day(0),
  ),
]);

describe('consent and opt-out', () => {
  it('records consent by the clerk, and an opt-out by the person themselves', () => {
    const consented = history(
      communityDecider,
      [
        c(
          'RecordContactConsent',
          { personId: 'wang', channels: ['sms', 'wechat-work'] },
          clerk,
          day(1),
        ),
      ],
      registry,
    );
    const state = spec
      .given(consented)
      .when(
        c('OptOutOfReminders', { personId: 'wang' }, { personId: 'wang', role: 'owner' }, day(2)),
      )
      .thenState() as CommunityRegistry;
    expect(pget(state.contacts, 'wang')).toEqual({
      channels: ['sms', 'wechat-work'],
      optedOut: true,
    });
  });

  it('refuses an opt-out for someone else, and consent for an unknown person', () => {
    spec
      .given(registry)
      .when(c('OptOutOfReminders', { personId: 'wang' }, { personId: 'li', role: 'owner' }, day(1)))
      .thenRefused('not-authorised');
    spec
      .given(registry)
      .when(c('RecordContactConsent', { personId: 'nobody', channels: ['sms'] }, clerk, day(1)))
      .thenRefused('not-found');
  });
});

describe('EstablishStandingBody', () => {
  const body = {
    bodyId: 'yishihui',
    name: '居民议事会',
    kind: 'residents-council' as const,
    partyIds: ['jwh'],
    memberIds: ['wang'],
    venue: '社区议事厅',
    schedule: { kind: 'days-of-month' as const, days: [4, 14, 24], time: '19:00' },
  };
  it('establishes a council with members, venue and schedule', () => {
    spec
      .given(registry)
      .when(c('EstablishStandingBody', body, clerk, day(1)))
      .then([{ type: 'StandingBodyEstablished', data: { ...body, at: day(1), by: clerk } }]);
  });
  it('refuses a council without members, or an unknown party', () => {
    spec
      .given(registry)
      .when(c('EstablishStandingBody', { ...body, memberIds: [] }, clerk, day(1)))
      .thenRefused('invalid-command');
    spec
      .given(registry)
      .when(c('EstablishStandingBody', { ...body, partyIds: ['nope'] }, clerk, day(1)))
      .thenRefused('not-found');
  });
});

describe('ChangeStandingBody and DissolveStandingBody', () => {
  const body = {
    bodyId: 'yishihui',
    name: '居民议事会',
    kind: 'residents-council' as const,
    partyIds: ['jwh'],
    memberIds: ['wang'],
    venue: '社区议事厅',
    schedule: { kind: 'days-of-month' as const, days: [4, 14, 24], time: '19:00' },
  };
  const established = [
    ...registry,
    {
      type: 'StandingBodyEstablished',
      data: { ...body, at: day(1), by: clerk },
    } as (typeof registry)[number],
  ];
  const change = {
    bodyId: 'yishihui',
    name: '居民议事会（第二届）',
    partyIds: ['jwh'],
    memberIds: ['wang', 'clerk'],
    venue: '社区活动中心二楼',
    schedule: { kind: 'weekday-of-month' as const, weekday: 1, nth: 1, time: '19:30' },
    reason: '换届',
  };
  it('changes members, venue and schedule, with a reason; the kind stays', () => {
    spec
      .given(established)
      .when(c('ChangeStandingBody', change, clerk, day(2)))
      .then([{ type: 'StandingBodyChanged', data: { ...change, at: day(2), by: clerk } }]);
  });
  it('refuses a change to an unknown or dissolved body, a council left without members, an unknown person', () => {
    spec
      .given(registry)
      .when(c('ChangeStandingBody', change, clerk, day(2)))
      .thenRefused('not-found');
    spec
      .given(established)
      .when(c('ChangeStandingBody', { ...change, memberIds: [] }, clerk, day(2)))
      .thenRefused('invalid-command');
    spec
      .given(established)
      .when(c('ChangeStandingBody', { ...change, memberIds: ['nobody'] }, clerk, day(2)))
      .thenRefused('not-found');
    spec
      .given(established)
      .when(c('ChangeStandingBody', change, { personId: 'li', role: 'owner' }, day(2)))
      .thenRefused('not-authorised');
    const dissolved = [
      ...established,
      {
        type: 'StandingBodyDissolved',
        data: { bodyId: 'yishihui', reason: '合并', at: day(3), by: clerk },
      } as (typeof registry)[number],
    ];
    spec
      .given(dissolved)
      .when(c('ChangeStandingBody', change, clerk, day(4)))
      .thenRefused('already-revoked');
    spec
      .given(dissolved)
      .when(c('DissolveStandingBody', { bodyId: 'yishihui', reason: '再次' }, clerk, day(4)))
      .thenRefused('already-revoked');
    // Its id is not free again: the record keeps the dissolved body.
    spec
      .given(dissolved)
      .when(c('EstablishStandingBody', body, clerk, day(4)))
      .thenRefused('already-exists');
  });
  it('dissolves a body with a reason', () => {
    spec
      .given(established)
      .when(
        c('DissolveStandingBody', { bodyId: 'yishihui', reason: '并入联席会议' }, clerk, day(3)),
      )
      .then([
        {
          type: 'StandingBodyDissolved',
          data: { bodyId: 'yishihui', reason: '并入联席会议', at: day(3), by: clerk },
        },
      ]);
    spec
      .given(registry)
      .when(c('DissolveStandingBody', { bodyId: 'nope', reason: 'x' }, clerk, day(3)))
      .thenRefused('not-found');
  });
});
