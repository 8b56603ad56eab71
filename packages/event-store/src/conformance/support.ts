/** Helpers shared by the conformance suite's files. */
import { expect } from 'vitest';
import { EventStoreError } from '../errors.ts';
import type {
  Checkpoint,
  EventHeader,
  EventStore,
  JsonObject,
  NewEvent,
  ReadAllResult,
  RecordedEvent,
} from '../types.ts';
import { checkpointReached } from '../types.ts';

export const meta = (commandId: string, extra: JsonObject = {}): JsonObject => ({
  commandId,
  actorId: 'owner-1',
  actorRole: 'owner',
  occurredAt: '2026-11-21T08:00:00.000Z',
  correlationId: `corr-${commandId}`,
  causationId: commandId,
  ...extra,
});

export const event = (
  type: string,
  data: JsonObject,
  commandId = 'c',
  schemaVersion?: number,
): NewEvent => ({
  type,
  data,
  metadata: meta(commandId),
  ...(schemaVersion === undefined ? {} : { schemaVersion }),
});

/** Rejects with an EventStoreError of this code (and optionally more properties). */
export async function expectCode(promise: Promise<unknown>, code: string, more: object = {}) {
  await expect(promise).rejects.toBeInstanceOf(EventStoreError);
  await expect(promise).rejects.toMatchObject({ code, ...more });
}

export function expectCodeSync(fn: () => unknown, code: string) {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(EventStoreError);
  expect(thrown).toMatchObject({ code });
}

/** Reads the global order from `from` until `until` is reached, keeping events of `prefix`. */
export function readAllBetween(
  store: EventStore,
  from: Checkpoint,
  until: Checkpoint,
  prefix: string,
  batchSize = 7,
): Promise<{ events: RecordedEvent[]; batches: number }> {
  return readBetween((cp, n) => store.readAll(cp, n), from, until, prefix, batchSize);
}

/** `readAllBetween` with another read of the global order (`readHeaders`). */
export async function readBetween<E extends EventHeader>(
  read: (from: Checkpoint, batchSize: number) => Promise<ReadAllResult<E>>,
  from: Checkpoint,
  until: Checkpoint,
  prefix: string,
  batchSize = 7,
): Promise<{ events: E[]; batches: number }> {
  const events: E[] = [];
  let checkpoint = from;
  let batches = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    if (checkpointReached(checkpoint, until)) break;
    const batch = await read(checkpoint, batchSize);
    batches += 1;
    if (batch.events.length === 0) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    expect(checkpointReached(batch.checkpoint, checkpoint)).toBe(true);
    checkpoint = batch.checkpoint;
    events.push(...batch.events.filter((e) => e.streamId.startsWith(prefix)));
  }
  return { events, batches };
}

export async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Reads the global order from `from` until `n` events matching `keep` arrived (or 20 s). */
export async function readUntil(
  store: EventStore,
  from: Checkpoint,
  keep: (e: RecordedEvent) => boolean,
  n: number,
): Promise<RecordedEvent[]> {
  const found: RecordedEvent[] = [];
  let checkpoint = from;
  const deadline = Date.now() + 20_000;
  while (found.length < n && Date.now() < deadline) {
    const batch = await store.readAll(checkpoint, 1000);
    if (batch.events.length === 0) {
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    found.push(...batch.events.filter(keep));
    checkpoint = batch.checkpoint;
  }
  return found;
}

export function readToEnd(store: EventStore, from: Checkpoint) {
  return readOrderToEnd((cp, n) => store.readAll(cp, n), from);
}

/** `readToEnd` with another read of the global order (`readHeaders`). */
export async function readOrderToEnd<E extends EventHeader>(
  read: (from: Checkpoint, batchSize: number) => Promise<ReadAllResult<E>>,
  from: Checkpoint,
): Promise<{ events: E[]; checkpoint: Checkpoint }> {
  let checkpoint = from;
  const events: E[] = [];
  for (;;) {
    const batch = await read(checkpoint, 1000);
    if (batch.events.length === 0) return { events, checkpoint };
    events.push(...batch.events);
    checkpoint = batch.checkpoint;
  }
}

/**
 * Makes the store's next append (or group append) land and then reject with store-unavailable,
 * as when its answer is lost. At the port, for adapters that keep no state between calls
 * (memory, PostgreSQL): for them a lost answer leaves the same store as a received one.
 */
export function loseNextAnswerAtPort(store: EventStore): void {
  const target = store as unknown as Record<string, unknown>;
  const names = ['append', 'appendGroups'] as const;
  const originals = names.map((name) => store[name]);
  const restore = () => {
    for (const name of names) delete target[name];
  };
  names.forEach((name, i) => {
    target[name] = async (...args: unknown[]) => {
      restore(); // nested calls (append through appendGroups) pass through
      await (originals[i] as (...a: unknown[]) => Promise<unknown>).apply(store, args);
      throw new EventStoreError(
        'store-unavailable',
        'simulated: the events were written and the answer was lost',
      );
    };
  });
}
