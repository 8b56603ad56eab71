import type { AnyDomainEvent } from '@yishi/domain';
import { describe, expect, it } from 'vitest';
import { TimerBook } from './timers.ts';

// An accepted item whose event a reader sees only after a meeting was convened (its commit
// became visible late) goes on the next meeting's agenda, never off the list.

const event = (type: string, data: Record<string, unknown>) =>
  ({ type, data }) as unknown as AnyDomainEvent;
const by = { personId: 'k1', role: 'clerk' };

describe('regular meetings: the agenda', () => {
  it('keeps an item seen after the meeting it was accepted before for the next meeting', () => {
    const book = new TimerBook();
    book.apply(
      'community-c1',
      event('StandingBodyEstablished', {
        bodyId: 'council',
        name: '议事会',
        kind: 'residents-council',
        partyIds: [],
        memberIds: ['m1'],
        venue: '议事厅',
        schedule: { kind: 'days-of-month', days: [4, 14, 24], time: '19:00' },
        at: '2026-03-01T02:00:00.000Z',
        by,
      }),
    );
    for (const pid of ['a', 'b']) {
      book.apply(`proposal-c1.${pid}`, event('ProposalSubmitted', { title: pid }));
    }
    const accept = (pid: string) =>
      book.apply(
        `proposal-c1.${pid}`,
        event('ProposalAcceptedOntoAgenda', {
          concernedPartyIds: [],
          at: '2026-03-01T03:00:00.000Z',
          by,
        }),
      );
    accept('a');
    // The meeting of the 4th was convened with `a` alone: `b`'s acceptance was not seen yet.
    book.apply(
      'session-c1.council-20260304',
      event('SessionConvened', {
        standingBodyId: 'council',
        scheduledAt: '2026-03-04T11:00:00.000Z',
        agenda: [{ itemId: 'a', proposalId: 'a' }],
      }),
    );
    accept('b');
    const [next] = book
      .due(new Date('2026-03-14T11:00:00.000Z'))
      .filter((t) => t.kind === 'regular-meeting');
    expect(next).toMatchObject({ dueAt: '2026-03-14T11:00:00.000Z' });
    expect(next?.kind === 'regular-meeting' && next.agenda.map((a) => a.proposalId)).toEqual(['b']);
  });
});
