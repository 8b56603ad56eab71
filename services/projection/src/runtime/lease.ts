import type { Kysely } from 'kysely';
import type pg from 'pg';
import { poolOf } from '../db.ts';
import type { Database } from '../tables.ts';
import { LOCK_NAMESPACE, lockKey } from './generations.ts';

// One active instance per projector: a session advisory lock held on a dedicated connection
// while active. Other instances wait and take over when it drops (the holder stopped, crashed,
// or lost its connection). A heartbeat on the same connection is the lease: if it fails or is
// late, the holder stops projecting at once. The checkpoint compare-and-set in every batch
// transaction fences a holder that has not noticed yet, so no event is applied twice.

export interface Lease {
  /** Resolves when the lease ends: lost (connection error, heartbeat failed or late) or released. */
  readonly ended: Promise<void>;
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** How often a waiting instance tries to take the lock (ms). */
  retryMs: number;
  heartbeatMs: number;
  /** A heartbeat slower than this loses the lease (ms). */
  leaseMs: number;
  signal: AbortSignal;
  /** Called while waiting, before each retry; returning false gives up waiting. */
  onWait?: () => Promise<boolean>;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  Promise.race([promise, sleep(ms).then(() => 'timeout' as const)]);

/**
 * Waits for the lock on `name`; undefined when `signal` aborts or `onWait` gives up. The
 * connection stays checked out of the pool, with its own error handler, while the lease is held.
 */
export async function acquireLease(
  db: Kysely<Database>,
  name: string,
  options: LeaseOptions,
): Promise<Lease | undefined> {
  const key = lockKey(name);
  const client = await poolOf(db).connect();
  let broken: Error | undefined;
  let endLease: () => void = () => {};
  const ended = new Promise<void>((r) => {
    endLease = r;
  });
  // A checked-out client has no listener of the pool's: an error must end the lease, not the process.
  const onError = (error: Error) => {
    broken = error;
    endLease();
  };
  client.on('error', onError);
  /** Back to the pool; a broken or discarded connection is destroyed instead. */
  const giveBack = (discard?: Error) => {
    client.removeListener('error', onError);
    const reason = discard ?? broken;
    // A dead connection's late errors go nowhere.
    if (reason) client.on('error', () => {});
    client.release(reason ?? false);
  };
  try {
    for (;;) {
      if (options.signal.aborted || broken) {
        giveBack();
        return undefined;
      }
      const { rows } = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1, $2) AS locked',
        [LOCK_NAMESPACE, key],
      );
      if (rows[0]?.locked) break;
      if (options.onWait && !(await options.onWait())) {
        giveBack();
        return undefined;
      }
      await sleep(options.retryMs, options.signal);
    }
  } catch (error) {
    broken ??= error instanceof Error ? error : new Error(String(error));
    giveBack();
    throw error;
  }
  return holdLease(client, key, options, { ended, endLease, giveBack, isBroken: () => broken });
}

function holdLease(
  client: pg.PoolClient,
  key: number,
  options: LeaseOptions,
  state: {
    ended: Promise<void>;
    endLease: () => void;
    giveBack: (discard?: Error) => void;
    isBroken: () => Error | undefined;
  },
): Lease {
  let releaseWanted = false;
  let wake: () => void = () => {};
  const held = (async () => {
    let late = false;
    while (!releaseWanted && !state.isBroken()) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, options.heartbeatMs);
        wake = () => {
          clearTimeout(timer);
          r();
        };
        void state.ended.then(wake);
      });
      if (releaseWanted || state.isBroken()) break;
      const beat = client.query('SELECT 1').then(
        () => true,
        () => false,
      );
      const result = await withTimeout(beat, options.leaseMs);
      if (result !== true) {
        // Late or failed: stop now; the connection is not given back while a query is pending.
        late = true;
        state.endLease();
        await beat;
        break;
      }
    }
    state.endLease();
    if (!state.isBroken() && !late) {
      await client
        .query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, key])
        .catch(() => {});
      state.giveBack();
    } else {
      // Destroy the connection: the server then drops whatever lock it still holds.
      client.removeAllListeners('error');
      client.on('error', () => {});
      client.release(new Error('lease connection discarded'));
    }
  })();
  return {
    ended: state.ended,
    release: async () => {
      releaseWanted = true;
      wake();
      await held;
    },
  };
}
