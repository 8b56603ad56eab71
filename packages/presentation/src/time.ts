// Times as people here read them: China Standard Time (UTC+8, no daylight saving), the time of
// the communities served. The services keep ISO 8601 UTC instants.

export const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** "2026-03-17 16:00" in China time, or the input when it is not a time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

/** "2026-03-17" in China time. */
export function formatDate(iso: string | null | undefined): string {
  return formatTime(iso).slice(0, 10);
}
