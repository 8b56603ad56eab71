import { readFile } from 'node:fs/promises';
import type { AnyDomainEvent } from '@yishi/domain';
import { describe, expect, it } from 'vitest';
import { TIMER_EVENT_TYPES, TimerBook } from './timers.ts';

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

describe('minutes awaiting signatures', () => {
  const drafted = (version: number, at: string) =>
    event(version === 1 ? 'MinutesDrafted' : 'MinutesAmended', { version, at, by });
  const signers = (book: TimerBook, now: string) =>
    book.due(new Date(now)).filter((t) => t.kind === 'remind-signers');

  it('reminds the missing signers three days after a version is written, once', () => {
    const book = new TimerBook();
    const sid = 'session-c1.s1';
    book.apply(sid, drafted(1, '2026-03-10T02:00:00.000Z'));
    expect(signers(book, '2026-03-13T01:59:59.000Z')).toEqual([]);
    expect(signers(book, '2026-03-13T02:00:00.000Z')).toEqual([
      {
        kind: 'remind-signers',
        communityId: 'c1',
        streamId: sid,
        dueAt: '2026-03-13T02:00:00.000Z',
        version: 1,
      },
    ]);
    book.apply(sid, event('SignersReminded', { version: 1, at: '2026-03-13T02:00:01.000Z', by }));
    expect(signers(book, '2026-03-20T00:00:00.000Z')).toEqual([]);
    // A new version starts its own wait.
    book.apply(sid, drafted(2, '2026-03-14T02:00:00.000Z'));
    expect(signers(book, '2026-03-17T02:00:00.000Z')).toMatchObject([{ version: 2 }]);
    // Final: nothing to remind.
    book.apply(sid, event('MinutesFinalised', { version: 2, at: '2026-03-15T00:00:00.000Z', by }));
    expect(signers(book, '2026-03-20T00:00:00.000Z')).toEqual([]);
  });
});

describe('the event types a start-up read asks for', () => {
  it('are every type the book reacts to', async () => {
    // Read from the book's source: a type added to `apply` but not to the list would be
    // skipped by the first catch-up of every restart.
    const source = await readFile(new URL('./timers.ts', import.meta.url), 'utf8');
    const applied = source.slice(
      source.indexOf('  apply('),
      source.indexOf('  /** Every timer due'),
    );
    const read = new Set(
      [...applied.matchAll(/(?:case |event\.type [!=]== )'(\w+)'/g)].map((m) => m[1]!),
    );
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((t) => !TIMER_EVENT_TYPES.includes(t))).toEqual([]);
    expect(TIMER_EVENT_TYPES.filter((t) => !read.has(t))).toEqual([]);
  });
});

describe('regular meetings of a changed or dissolved body', () => {
  const setUp = () => {
    const book = new TimerBook();
    book.apply(
      'community-c1',
      event('StandingBodyEstablished', {
        bodyId: 'council',
        name: '议事会',
        kind: 'residents-council',
        partyIds: ['jwh'],
        memberIds: ['m1'],
        venue: '议事厅',
        schedule: { kind: 'days-of-month', days: [4, 14, 24], time: '19:00' },
        at: '2026-03-01T02:00:00.000Z',
        by,
      }),
    );
    book.apply('proposal-c1.a', event('ProposalSubmitted', { title: 'a' }));
    book.apply(
      'proposal-c1.a',
      event('ProposalAcceptedOntoAgenda', {
        concernedPartyIds: [],
        at: '2026-03-01T03:00:00.000Z',
        by,
      }),
    );
    return book;
  };
  const meetings = (book: TimerBook, now: string) =>
    book.due(new Date(now)).filter((t) => t.kind === 'regular-meeting');

  it('meets on the new schedule, at the new venue', () => {
    const book = setUp();
    book.apply(
      'community-c1',
      event('StandingBodyChanged', {
        bodyId: 'council',
        name: '议事会（第二届）',
        partyIds: ['jwh'],
        memberIds: ['m1', 'm2'],
        venue: '活动中心',
        // The 10th at 19:30 China time.
        schedule: { kind: 'days-of-month', days: [10], time: '19:30' },
        reason: '换届',
        at: '2026-03-02T02:00:00.000Z',
        by,
      }),
    );
    expect(meetings(book, '2026-03-09T00:00:00.000Z')).toEqual([]);
    const [next] = meetings(book, '2026-03-10T11:30:00.000Z');
    expect(next).toMatchObject({ dueAt: '2026-03-10T11:30:00.000Z' });
    expect(next?.kind === 'regular-meeting' && next.body).toMatchObject({
      venue: '活动中心',
      memberIds: ['m1', 'm2'],
    });
  });

  it('meets no more once dissolved', () => {
    const book = setUp();
    expect(meetings(book, '2026-03-04T11:00:00.000Z')).toHaveLength(1);
    book.apply(
      'community-c1',
      event('StandingBodyDissolved', {
        bodyId: 'council',
        reason: '并入联席会议',
        at: '2026-03-03T02:00:00.000Z',
        by,
      }),
    );
    expect(meetings(book, '2026-03-30T00:00:00.000Z')).toEqual([]);
  });
});

describe('crowdfunding: closed for refunds without waiting for anyone', () => {
  const campaign = (optionId?: string) => {
    const book = new TimerBook();
    book.apply('proposal-c1.yard', event('ProposalSubmitted', { title: '院落改造' }));
    book.apply(
      'crowdfunding-c1.cf',
      event('CrowdfundingOpened', {
        campaignId: 'cf',
        proposalId: 'yard',
        itemId: 'plan',
        ...(optionId ? { optionId } : {}),
        targetFen: 500_000,
        deadline: '2026-06-30T10:00:00.000Z',
        at: '2026-06-01T02:00:00.000Z',
        by,
      }),
    );
    return book;
  };
  const pledge = (book: TimerBook, amountFen: number) =>
    book.apply('crowdfunding-c1.cf', event('PledgeMade', { amountFen, at: '', by }));
  const decided = (book: TimerBook, items: unknown[]) =>
    book.apply(
      'proposal-c1.yard',
      event('ProposalDecided', { items, at: '2026-06-10T02:00:00.000Z', by }),
    );
  const closing = (book: TimerBook, now: string) =>
    book
      .due(new Date(now))
      .filter((t) => t.kind === 'close-crowdfunding')
      .map((t) => t.kind === 'close-crowdfunding' && [t.reason, t.dueAt]);

  it('closes at the deadline when the pledges fall short, not a moment before', () => {
    const book = campaign();
    pledge(book, 499_999);
    expect(closing(book, '2026-06-30T09:59:59.999Z')).toEqual([]);
    expect(closing(book, '2026-06-30T10:00:00.000Z')).toEqual([
      ['target-missed', '2026-06-30T10:00:00.000Z'],
    ]);
  });

  it('leaves a campaign that reached its target to its convener', () => {
    const book = campaign();
    pledge(book, 300_000);
    pledge(book, 200_000);
    expect(closing(book, '2026-07-30T00:00:00.000Z')).toEqual([]);
  });

  it('closes when the item is rejected, or another plan chosen; not when the plan is adopted', () => {
    const rejected = campaign();
    decided(rejected, [{ itemId: 'plan', outcome: 'rejected', result: {} }]);
    expect(closing(rejected, '2026-06-10T02:00:00.000Z')).toEqual([
      ['not-adopted', '2026-06-10T02:00:00.000Z'],
    ]);
    const other = campaign('A');
    decided(other, [{ itemId: 'plan', outcome: 'adopted', result: { chosen: 'B' } }]);
    expect(closing(other, '2026-06-11T00:00:00.000Z')).toEqual([
      ['not-adopted', '2026-06-10T02:00:00.000Z'],
    ]);
    const chosen = campaign('A');
    decided(chosen, [{ itemId: 'plan', outcome: 'adopted', result: { chosen: 'A' } }]);
    expect(closing(chosen, '2026-06-11T00:00:00.000Z')).toEqual([]);
    // Returned to an earlier stage: the decision no longer stands.
    rejected.apply('proposal-c1.yard', event('ProposalReturned', { at: '', by }));
    expect(closing(rejected, '2026-06-11T00:00:00.000Z')).toEqual([]);
  });

  it('has nothing left to do once the campaign is closed, whoever closed it', () => {
    const book = campaign();
    book.apply(
      'proposal-c1.yard',
      event('ProposalWithdrawn', { reason: '撤回', at: '2026-06-05T00:00:00.000Z', by }),
    );
    expect(closing(book, '2026-06-05T00:00:00.000Z')).toHaveLength(1);
    book.apply('crowdfunding-c1.cf', event('CrowdfundingClosed', { outcome: 'refunding', by }));
    expect(closing(book, '2026-07-05T00:00:00.000Z')).toEqual([]);
  });
});
