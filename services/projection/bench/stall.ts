// How long readers of the event store's global order stand still: they read only transactions
// older than every one still running (`pg_snapshot_xmin`), so a transaction that writes holds
// them back for as long as it runs. A probe commits a tiny transaction every few milliseconds,
// outside the events table (a probe event would reach the projections), and notes when the
// snapshot's xmin passes it: from its commit to then, no reader could have read an event
// committed with it. The longest such wait is the stall.
import pg from 'pg';

export interface StallWatch {
  /**
   * Stops probing; the longest wait seen (ms), when it began (ms after the watch began), and
   * the statement of the transaction that held it back, as last seen during it.
   */
  stop(): Promise<{ longest: number; at: number; holder: string }>;
}

export async function watchReaderStall(url: string, everyMs = 5): Promise<StallWatch> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE TABLE IF NOT EXISTS bench_stall_probe (id bigserial PRIMARY KEY)');
  let stopped = false;
  let longest = 0;
  let longestAt = 0;
  let holder = '';
  let holding = '';
  const started = performance.now();
  const pending: { xid: bigint; at: number }[] = [];
  const loop = (async () => {
    while (!stopped) {
      const inserted = await client.query<{ xid: string }>(
        'INSERT INTO bench_stall_probe DEFAULT VALUES RETURNING pg_current_xact_id()::text AS xid',
      );
      pending.push({ xid: BigInt(inserted.rows[0]!.xid), at: performance.now() });
      const { rows } = await client.query<{ xmin: string }>(
        'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
      );
      const xmin = BigInt(rows[0]!.xmin);
      const now = performance.now();
      if (pending[0] && pending[0].xid >= xmin && now - pending[0].at > 50) {
        const oldest = await client.query<{ query: string }>(
          `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS query FROM pg_stat_activity
            WHERE backend_xid IS NOT NULL ORDER BY age(backend_xid) DESC LIMIT 1`,
        );
        holding = oldest.rows[0]?.query ?? holding;
      }
      while (pending[0] && pending[0].xid < xmin) {
        const probe = pending.shift()!;
        if (now - probe.at > longest) {
          longest = now - probe.at;
          longestAt = probe.at - started;
          holder = holding;
        }
      }
      if (!pending[0]) holding = '';
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await client.query('DROP TABLE bench_stall_probe');
      await client.end();
      return { longest, at: longestAt, holder };
    },
  };
}
