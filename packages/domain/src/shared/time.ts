// Time comes only from `command.at` (ISO 8601). These helpers compare and shift such strings;
// they never read a clock.

const DAY_MS = 86_400_000;

export function ms(iso: string): number {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new RangeError(`not an ISO time: ${iso}`);
  return value;
}

/** `a` is at or after `b`. */
export function atOrAfter(a: string, b: string): boolean {
  return ms(a) >= ms(b);
}

export function before(a: string, b: string): boolean {
  return ms(a) < ms(b);
}

/** ISO time `days` calendar days (of 24 h) after `iso`, in UTC. */
export function addDays(iso: string, days: number): string {
  return new Date(ms(iso) + days * DAY_MS).toISOString();
}

/**
 * 18 years of age on the calendar date of `asOf` as written (its own offset, e.g. +08:00).
 * Born 29 February: of age on 1 March in a common year.
 */
export function isAdultOn(birthDate: string, asOf: string): boolean {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const eighteenth = new Date(Date.UTC(y + 18, m - 1, d)).toISOString().slice(0, 10);
  return asOf.slice(0, 10) >= eighteenth;
}
