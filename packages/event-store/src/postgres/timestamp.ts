import pg from 'pg';

const defaultParser = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (
  text: string,
) => Date;

const digit = (text: string, i: number) => text.charCodeAt(i) - 48;
const two = (text: string, i: number) => digit(text, i) * 10 + digit(text, i + 1);

/**
 * Parses PostgreSQL's ISO output of a timestamptz (`2026-11-21 08:00:00.123456+00`, any offset)
 * without regular expressions: the default parser is a large part of reading events. Anything
 * else (BC, infinity, another DateStyle, years before 100) goes to the default parser.
 */
export function parseTimestamptz(text: string): Date {
  const n = text.length;
  if (
    n < 22 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 32 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(n - 1) === 67 // "... BC"
  ) {
    return defaultParser(text);
  }
  const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + two(text, 2);
  if (year < 100) return defaultParser(text);
  let i = 19;
  let micros = 0;
  if (text.charCodeAt(i) === 46) {
    i += 1;
    let scale = 100_000;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      micros += (c - 48) * scale;
      scale /= 10;
      i += 1;
    }
  }
  const sign = text.charCodeAt(i);
  if ((sign !== 43 && sign !== 45) || i + 3 > n) return defaultParser(text);
  let offset = two(text, i + 1) * 3600;
  if (text.charCodeAt(i + 3) === 58) offset += two(text, i + 4) * 60;
  if (text.charCodeAt(i + 6) === 58) offset += two(text, i + 7);
  const utc = Date.UTC(
    year,
    two(text, 5) - 1,
    two(text, 8),
    two(text, 11),
    two(text, 14),
    two(text, 17),
    Math.floor(micros / 1000),
  );
  return new Date(utc - (sign === 45 ? -offset : offset) * 1000);
}

/** Type parsers of the store's own pool: the fast timestamptz parser, defaults otherwise. */
export const storeTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.TIMESTAMPTZ && format !== 'binary'
      ? parseTimestamptz
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};
