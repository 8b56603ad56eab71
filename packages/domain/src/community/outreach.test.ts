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
