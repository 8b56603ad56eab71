import { sql } from 'kysely';
import { type IdentityDb, tables } from './db.ts';

// Fixed-window counters in PostgreSQL, shared by every console instance: a request counts
// against a bucket (a phone number's HMAC, a client address) in the window it falls in.

export interface Limit {
  /** Requests allowed per window. */
  max: number;
  windowSeconds: number;
}

/**
 * Counts one request against each bucket and says whether all of them still allow it. Every
 * bucket is counted even when an earlier one refuses, so the work (and its time) is the same.
 */
export async function withinLimits(
  db: IdentityDb,
  now: Date,
  buckets: readonly { bucket: string; limit: Limit }[],
): Promise<boolean> {
  let allowed = true;
  for (const { bucket, limit } of buckets) {
    const windowMs = limit.windowSeconds * 1000;
    const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
    const row = await tables(db)
      .insertInto('rate_limits')
      .values({ bucket, window_start: windowStart, count: 1 })
      .onConflict((oc) =>
        oc.columns(['bucket', 'window_start']).doUpdateSet({ count: sql`rate_limits.count + 1` }),
      )
      .returning('count')
      .executeTakeFirstOrThrow();
    if (row.count > limit.max) allowed = false;
  }
  return allowed;
}

/** Drops windows that ended before `before` (called now and then). */
export async function forgetOldWindows(db: IdentityDb, before: Date): Promise<void> {
  await tables(db).deleteFrom('rate_limits').where('window_start', '<', before).execute();
}
