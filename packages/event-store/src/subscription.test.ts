import { describe, expect, it } from 'vitest';
import { pollingSubscription } from './subscription.ts';
import type { Checkpoint, ReadAllResult, RecordedEvent } from './types.ts';
import { START } from './types.ts';

const event = (n: number): RecordedEvent => ({
  streamId: 'proposal-1',
  streamVersion: n,
  globalPosition: BigInt(n),
  transactionId: BigInt(n),
  type: 'E',
  schemaVersion: 1,
  data: { n },
  metadata: {},
  recordedAt: new Date(0),
  prevHash: '',
  hash: '',
});

/** A log of events; reads fail `failures` times first. */
function source(events: RecordedEvent[], failures = 0) {
  let failing = failures;
  return async (from: Checkpoint, size: number): Promise<ReadAllResult> => {
    if (failing > 0) {
      failing -= 1;
      throw new Error('connection lost');
    }
    const next = events.filter((e) => e.globalPosition > from.globalPosition).slice(0, size);
    const last = next[next.length - 1];
    return {
      events: next,
      checkpoint: last
        ? { transactionId: last.transactionId, globalPosition: last.globalPosition }
        : from,
    };
  };
}

describe('pollingSubscription', () => {
  it('without onError, a failed read stops it and done rejects', async () => {
    const sub = pollingSubscription({
      from: START,
      handler: async () => {},
      options: {},
      readAll: source([event(1)], 1),
    });
    await expect(sub.done).rejects.toThrow('connection lost');
  });

  it('with onError, failed reads are reported and retried from the same checkpoint', async () => {
    const errors: unknown[] = [];
    const seen: number[] = [];
    const sub = pollingSubscription({
      from: START,
      handler: async (events) => {
        for (const e of events) seen.push(e.data.n as number);
      },
      options: { onError: (e) => errors.push(e), batchSize: 2, pollIntervalMs: 10 },
      readAll: source([event(1), event(2), event(3)], 2),
    });
    const deadline = Date.now() + 5000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await sub.stop();
    expect(errors).toHaveLength(2);
    expect(seen).toEqual([1, 2, 3]);
    await expect(sub.done).resolves.toBeUndefined();
  });

  it('a wake-up ends the wait at once; stop ends it too', async () => {
    let wake: (() => void) | undefined;
    const log = [event(1)];
    const seen: number[] = [];
    const sub = pollingSubscription({
      from: START,
      handler: async (events) => {
        for (const e of events) seen.push(e.data.n as number);
      },
      options: { pollIntervalMs: 60_000 },
      readAll: source(log),
      onWake: (w) => {
        wake = w;
        return () => {
          wake = undefined;
        };
      },
    });
    while (seen.length < 1) await new Promise((r) => setTimeout(r, 5));
    log.push(event(2));
    const t0 = Date.now();
    wake?.();
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(Date.now() - t0).toBeLessThan(1000);
    const t1 = Date.now();
    await sub.stop();
    expect(Date.now() - t1).toBeLessThan(1000);
    expect(wake).toBeUndefined();
  });
});
