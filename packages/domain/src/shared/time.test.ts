import { describe, expect, it } from 'vitest';
import { addDays, atOrAfter, before, isAdultOn } from './time.ts';

describe('time from commands', () => {
  it('is 18 on the eighteenth birthday, by the date as written', () => {
    expect(isAdultOn('2008-03-01', '2026-02-28T23:59:00+08:00')).toBe(false);
    expect(isAdultOn('2008-03-01', '2026-03-01T00:00:00+08:00')).toBe(true);
  });
  it('born on 29 February: of age on 1 March in a common year', () => {
    expect(isAdultOn('2008-02-29', '2026-02-28T12:00:00Z')).toBe(false);
    expect(isAdultOn('2008-02-29', '2026-03-01T12:00:00Z')).toBe(true);
  });
  it('compares and shifts ISO times with offsets', () => {
    expect(addDays('2026-01-01T09:00:00+08:00', 15)).toBe('2026-01-16T01:00:00.000Z');
    expect(atOrAfter('2026-01-16T09:00:00+08:00', '2026-01-16T01:00:00.000Z')).toBe(true);
    expect(before('2026-01-16T08:59:59+08:00', '2026-01-16T01:00:00.000Z')).toBe(true);
    expect(() => addDays('not a time', 1)).toThrow(RangeError);
  });
});
