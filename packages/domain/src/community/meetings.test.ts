import { describe, expect, it } from 'vitest';
import { cstDate, dueMeeting, nextMeeting } from './meetings.ts';

const 逢四说事 = { kind: 'days-of-month' as const, days: [4, 14, 24], time: '19:00' };
const firstMonday = { kind: 'weekday-of-month' as const, weekday: 1, nth: 1, time: '09:30' };
const d = (iso: string) => new Date(iso);

describe('dueMeeting', () => {
  it('finds 逢四说事 at 19:00 China time (11:00Z)', () => {
    expect(dueMeeting(逢四说事, d('2026-06-01T00:00:00Z'), d('2026-06-04T11:00:00Z'))).toEqual(
      d('2026-06-04T11:00:00Z'),
    );
    expect(dueMeeting(逢四说事, d('2026-06-01T00:00:00Z'), d('2026-06-04T10:59:00Z'))).toBe(
      undefined,
    );
  });

  it('collapses meetings missed while down into the latest one', () => {
    expect(dueMeeting(逢四说事, d('2026-06-04T11:00:00Z'), d('2026-07-20T00:00:00Z'))).toEqual(
      d('2026-07-14T11:00:00Z'),
    );
  });

  it('finds every first Monday, across a year', () => {
    // 2026-06-01 and 2027-02-01 are Mondays; 2026-07-06 is July's first.
    expect(dueMeeting(firstMonday, d('2026-05-31T00:00:00Z'), d('2026-06-02T00:00:00Z'))).toEqual(
      d('2026-06-01T01:30:00Z'),
    );
    expect(dueMeeting(firstMonday, d('2026-06-02T00:00:00Z'), d('2026-07-31T00:00:00Z'))).toEqual(
      d('2026-07-06T01:30:00Z'),
    );
    expect(dueMeeting(firstMonday, d('2027-01-10T00:00:00Z'), d('2027-02-02T00:00:00Z'))).toEqual(
      d('2027-02-01T01:30:00Z'),
    );
  });

  it('names the China date, which may be the next UTC day', () => {
    expect(cstDate(d('2026-06-04T17:00:00Z'))).toBe('20260605');
  });
});

describe('nextMeeting', () => {
  it('finds the next 逢四说事 after a time, into the next month and year', () => {
    expect(nextMeeting(逢四说事, d('2026-06-04T11:00:00Z'))).toEqual(d('2026-06-14T11:00:00Z'));
    expect(nextMeeting(逢四说事, d('2026-06-04T10:59:00Z'))).toEqual(d('2026-06-04T11:00:00Z'));
    expect(nextMeeting(逢四说事, d('2026-12-24T11:00:00Z'))).toEqual(d('2027-01-04T11:00:00Z'));
  });

  it('finds the next first Monday, after this month’s has passed', () => {
    expect(nextMeeting(firstMonday, d('2026-06-01T01:30:00Z'))).toEqual(d('2026-07-06T01:30:00Z'));
  });
});
