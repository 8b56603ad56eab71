import type { MeetingSchedule } from './schemas.ts';

// When a standing body meets. Schedules speak China Standard Time (UTC+8, no daylight saving):
// 逢四说事 at 19:00 is 11:00Z on the 4th, 14th and 24th. The scheduler convenes the meeting
// due; the read side shows the next one.

const CST_MS = 8 * 3_600_000;

/** The meetings of a month (year, month 0-11, in CST) as UTC instants, in order. */
function meetingsOf(schedule: MeetingSchedule, year: number, month: number): Date[] {
  const [hours, minutes] = schedule.time.split(':').map(Number) as [number, number];
  const at = (day: number) => new Date(Date.UTC(year, month, day, hours, minutes) - CST_MS);
  if (schedule.kind === 'days-of-month') {
    return [...new Set(schedule.days)].sort((a, b) => a - b).map(at);
  }
  // ISO weekday of the 1st (1 = Monday), then the n-th given weekday.
  const firstWeekday = ((new Date(Date.UTC(year, month, 1)).getUTCDay() + 6) % 7) + 1;
  const day = 1 + ((schedule.weekday - firstWeekday + 7) % 7) + (schedule.nth - 1) * 7;
  return [at(day)];
}

/**
 * The latest meeting time after `after` and at or before `now`, if any: meetings missed while
 * the service was down are one meeting, not a burst of them.
 */
export function dueMeeting(schedule: MeetingSchedule, after: Date, now: Date): Date | undefined {
  if (now <= after) return undefined;
  const cstNow = new Date(now.getTime() + CST_MS);
  let year = cstNow.getUTCFullYear();
  let month = cstNow.getUTCMonth();
  // Back month by month from now until past `after` (a month holds at least one meeting).
  for (let i = 0; i < 1200; i++) {
    const due = meetingsOf(schedule, year, month)
      .filter((t) => t > after && t <= now)
      .pop();
    if (due) return due;
    const first = new Date(Date.UTC(year, month, 1) - CST_MS);
    if (first.getTime() <= after.getTime()) return undefined;
    month -= 1;
    if (month < 0) {
      month = 11;
      year -= 1;
    }
  }
  return undefined;
}

/** The first meeting time after `after` (every month holds one, so the next month has it). */
export function nextMeeting(schedule: MeetingSchedule, after: Date): Date {
  const cst = new Date(after.getTime() + CST_MS);
  const year = cst.getUTCFullYear();
  const month = cst.getUTCMonth();
  const next = [
    ...meetingsOf(schedule, year, month),
    ...meetingsOf(schedule, month === 11 ? year + 1 : year, (month + 1) % 12),
  ].find((t) => t > after);
  // Unreachable: the next month's meetings all lie after `after`.
  return next ?? after;
}

/** The CST calendar date of an instant, `YYYYMMDD` (a regular meeting's session id). */
export function cstDate(at: Date): string {
  return new Date(at.getTime() + CST_MS).toISOString().slice(0, 10).replaceAll('-', '');
}
