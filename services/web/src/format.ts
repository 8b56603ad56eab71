import { CHINA_OFFSET_MS as OFFSET_MS } from '@yishi/presentation';

// Times: the console shows and reads China Standard Time (UTC+8, no daylight saving), the
// time of the communities it serves. The services keep ISO 8601 UTC instants. Shown as the
// printed documents show them (@yishi/presentation).

export { formatDate, formatTime } from '@yishi/presentation';

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

/** A time-travel request from the console's forms and links. */
export interface AsOfChoice {
  /** What the projection service is asked: a position or an ISO time with offset. */
  param: string;
  /** How the page names it. */
  label: string;
  /** The form's values, to show them again. */
  date: string;
  time: string;
}

const POSITION = /^\d{1,20}:\d{1,20}$/;

/**
 * `asOf` from the query: a position "txid:pos" (one event of a timeline), or a China-time
 * date with an optional time (without one: the end of that day).
 */
export function asOfChoice(
  asOf: string | undefined,
  time: string | undefined,
): AsOfChoice | undefined {
  if (!asOf) return undefined;
  if (POSITION.test(asOf)) return { param: asOf, label: `#${asOf}`, date: '', time: '' };
  if (time && /^\d{2}:\d{2}$/.test(time)) {
    const iso = localInputToIso(`${asOf}T${time}`);
    return iso
      ? { param: `${asOf}T${time}:00+08:00`, label: `${asOf} ${time}`, date: asOf, time }
      : undefined;
  }
  const end = endOfDay(asOf);
  return end ? { param: end, label: `${asOf} 24:00`, date: asOf, time: '' } : undefined;
}
