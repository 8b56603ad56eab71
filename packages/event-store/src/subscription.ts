import type {
  BatchHandler,
  Checkpoint,
  ReadAllResult,
  SubscribeOptions,
  Subscription,
} from './types.ts';

export interface PollingSubscriptionInput {
  from: Checkpoint;
  handler: BatchHandler;
  options: SubscribeOptions;
  readAll(from: Checkpoint, batchSize: number): Promise<ReadAllResult>;
  /** Registers a wake-up callback (a notification hint); returns its removal. */
  onWake?(wake: () => void): () => void;
}

/**
 * Catch-up then live: read batches until none is left, then wait for a wake-up hint or the
 * poll interval. The handler runs one batch at a time; its failure stops the subscription.
 */
export function pollingSubscription(input: PollingSubscriptionInput): Subscription {
  const batchSize = input.options.batchSize ?? 1000;
  const pollMs = input.options.pollIntervalMs ?? 1000;
  const prefixes = input.options.streamPrefixes;
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  let woken = false;
  const wake = () => {
    woken = true;
    wakeUp?.();
  };
  const removeWaker = input.onWake?.(wake);

  const sleep = () =>
    new Promise<void>((resolve) => {
      if (woken || stopped) {
        woken = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, pollMs);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });

  const run = async () => {
    let checkpoint = input.from;
    while (!stopped) {
      woken = false;
      const batch = await input.readAll(checkpoint, batchSize);
      if (batch.events.length === 0) {
        await sleep();
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
  return {
    done,
    async stop() {
      stopped = true;
      wakeUp?.();
      await done.catch(() => {});
    },
  };
}
