import { describe, expect, it } from 'vitest';
import { notificationsProjection } from '../notifications/projection.ts';
import type { Projection } from '../projections/projection.ts';
import { proposalsProjection } from '../projections/proposals.ts';
import { unreadByAll } from './rebuild.ts';

const reader = (name: string, types: string[], unread?: Projection['unread']): Projection =>
  ({
    ...proposalsProjection,
    name,
    eventTypes: types,
    unread,
  }) as Projection;

describe('members a rebuild may leave out', () => {
  it('only those that no projection reading the type reads', () => {
    expect(
      unreadByAll([
        reader('a', ['Opened', 'Closed'], { Opened: ['electorate', 'notes'], Closed: ['x'] }),
        reader('b', ['Opened'], { Opened: ['electorate'] }),
        reader('c', ['Closed']),
      ]),
    ).toEqual({ Opened: ['electorate'] });
  });

  it("the electorate of an opening vote, for the proposals' and notifications' reads", () => {
    expect(unreadByAll([proposalsProjection, notificationsProjection])).toEqual({
      VotingOpened: ['electorate'],
    });
  });
});
