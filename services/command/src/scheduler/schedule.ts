const DAY_MS = 86_400_000;

/** The time `days` days before `iso` (a reminder before a vote closes). */
export const daysBefore = (iso: string, days: number) =>
  new Date(Date.parse(iso) - days * DAY_MS).toISOString();
