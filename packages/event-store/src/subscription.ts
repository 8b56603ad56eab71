import type {
  BatchHandler,
  Checkpoint,
  EventHeader,
  ReadAllResult,
  SubscribeOptions,
  Subscription,
} from './types.ts';
import { assertBatchSize, assertCheckpoint } from './validation.ts';

/** Over whole events (`subscribe`) or their headers (`subscribeHeaders`). */
export interface PollingSubscriptionInput<E extends EventHeader> {
  from: Checkpoint;
  handler: BatchHandler<E>;
  options: SubscribeOptions;
  readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult<E>>;
  /** Registers a wake-up callback (a notification hint); returns its removal. */
  onWake?(wake: () => void): () => void;
}

const MAX_RETRY_DELAY_MS = 5000;

/**
 * Catch-up then live: read batches until none is left, then wait for a wake-up hint or the
 * poll interval. The handler runs one batch at a time, in order; its failure stops the
 * subscription (`done` rejects). A failed read does too, unless `onError` is given: then it is
 * reported and retried from the same checkpoint with a growing delay.
 */
export function pollingSubscription<E extends EventHeader>(
  input: PollingSubscriptionInput<E>,
): Subscription {
  assertCheckpoint(input.from);
  const options = input.options ?? {};
  const batchSize = options.batchSize ?? 1000;
  assertBatchSize(batchSize);
  const pollMs = Math.max(1, Number(options.pollIntervalMs ?? 1000) || 1000);
  const prefixes = Array.isArray(options.streamPrefixes) ? options.streamPrefixes : undefined;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const removeWaker = input.onWake?.(wake);

  const sleep = (ms: number, wakeable: boolean) =>
    new Promise<void>((resolve) => {
      if (stopped || (wakeable && woken)) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        wakeUp = undefined;
        if (wakeable) woken = false;
        resolve();
      }
      wakeUp = wakeable
        ? finish
        : () => {
            if (stopped) finish();
          };
    });

  const run = async () => {
    let checkpoint = input.from;
    let failures = 0;
    while (!stopped) {
      woken = false;
      let batch: ReadAllResult<E>;
      try {
        batch = await input.readAll(checkpoint, batchSize);
        failures = 0;
      } catch (error) {
        if (stopped) break;
        // Without onError, a failed read stops the subscription (the caller decides what next).
        if (!options.onError) throw error;
        failures += 1;
        options.onError(error);
        await sleep(Math.min(MAX_RETRY_DELAY_MS, 50 * 2 ** Math.min(failures, 10)), false);
        continue;
      }
      if (batch.events.length === 0) {
        await sleep(pollMs, true);
        continue;
      }
      checkpoint = batch.checkpoint;
      const events = prefixes
        ? batch.events.filter((e) => prefixes.some((p) => e.streamId.startsWith(p)))
        : batch.events;
      if (stopped) break;
      await input.handler(events, checkpoint);
    }
  };
  const done = run().finally(() => removeWaker?.());
  // The caller observes failures through `done`; never an unhandled rejection.
  done.catch(() => {});
  return {
    done,
    async stop() {
      stopped = true;
      wakeUp?.();
      await done.catch(() => {});
    },
  };
}
