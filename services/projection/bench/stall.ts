// How long readers of the event store's global order stand still: they read only transactions
// older than every one still running that may append (`VISIBLE_HORIZON_SQL`), so a transaction
// that appends holds them back for as long as it runs. A probe commits a tiny transaction every
// few milliseconds, outside the events table (a probe event would reach the projections), and
// notes when the readers' horizon passes it: from its commit to then, no reader could have read
// an event committed with it. The longest such wait is the stall.
import { VISIBLE_HORIZON_SQL } from '@yishi/event-store';
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
      const { rows } = await client.query<{ horizon: string }>({
        name: 'bench_horizon',
        text: `SELECT ${VISIBLE_HORIZON_SQL}::text AS horizon`,
      });
      const horizon = BigInt(rows[0]!.horizon);
      const now = performance.now();
      if (pending[0] && pending[0].xid >= horizon && now - pending[0].at > 50) {
        const oldest = await client.query<{ query: string }>(
          `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 100) AS query FROM pg_stat_activity a
            WHERE backend_xid IS NOT NULL
              AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'relation'
                           AND l.relation = 'es_events'::regclass AND l.mode = 'RowExclusiveLock')
            ORDER BY age(backend_xid) DESC LIMIT 1`,
        );
        holding = oldest.rows[0]?.query ?? holding;
      }
      while (pending[0] && pending[0].xid < horizon) {
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
