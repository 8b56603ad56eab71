// Times: the console shows and reads China Standard Time (UTC+8, no daylight saving), the
// time of the communities it serves. The services keep ISO 8601 UTC instants.

const OFFSET_MS = 8 * 60 * 60 * 1000;

/** "2026-03-17 16:00" in China time, or the input when it is not a time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** "2026-03-17" in China time. */
export function formatDate(iso: string | null | undefined): string {
  return formatTime(iso).slice(0, 10);
}

/** A `datetime-local` value (China time) as an ISO instant, or undefined. */
export function localInputToIso(value: string | undefined): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const withSeconds = value.length === 16 ? `${value}:00` : value;
  const ms = Date.parse(`${withSeconds}+08:00`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** An ISO instant as a `datetime-local` value in China time. */
export function isoToLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? '' : new Date(ms + OFFSET_MS).toISOString().slice(0, 16);
}

/** The end of a China-time day, as an `asOf` the projection service accepts. */
export function endOfDay(date: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T23:59:59+08:00` : undefined;
}
