import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseTimestamptz } from './timestamp.ts';

const reference = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (
  text: string,
) => Date;

describe('parseTimestamptz', () => {
  it('agrees with the default parser on ISO output with any offset and precision', () => {
    const samples = [
      '2026-11-21 08:00:00+00',
      '2026-11-21 08:00:00.1+00',
      '2026-11-21 08:00:00.123456+00',
      '2026-11-21 08:00:00.999999+00',
      '2026-02-28 23:59:59.5-08',
      '2024-02-29 12:00:00.000123+05:30',
      '1970-01-01 00:00:00+00',
      '1969-12-31 23:59:59.999-00:30',
      '1901-12-13 20:45:52+00:09:21',
      '2100-06-15 00:00:00+14',
      '0099-01-01 00:00:00+00',
      '0044-03-15 12:00:00+00 BC',
      'infinity',
      '-infinity',
    ];
    for (const s of samples) {
      expect(parseTimestamptz(s), s).toEqual(reference(s));
    }
    for (let k = 0; k < 2000; k++) {
      const ms = Math.floor((Math.random() - 0.3) * 4e12);
      const d = new Date(ms);
      const offsetMin = Math.floor(Math.random() * 28 - 14) * 60 + (Math.random() < 0.2 ? 30 : 0);
      const local = new Date(ms + offsetMin * 60_000);
      const pad = (v: number, w = 2) => String(Math.abs(v)).padStart(w, '0');
      const frac = String(
        local.getUTCMilliseconds() * 1000 + Math.floor(Math.random() * 1000),
      ).padStart(6, '0');
      const sign = offsetMin < 0 ? '-' : '+';
      const oh = Math.floor(Math.abs(offsetMin) / 60);
      const om = Math.abs(offsetMin) % 60;
      const text =
        `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
        `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${frac}` +
        `${sign}${pad(oh)}${om ? `:${pad(om)}` : ''}`;
      expect(parseTimestamptz(text).getTime(), text).toBe(reference(text).getTime());
      expect(parseTimestamptz(text).getTime(), text).toBe(d.getTime());
    }
  });
});
