/**
 * FAULT INJECTION, for tests: wraps a `KurrentClient` (the simulation, or a real client talking
 * to a test server) and makes chosen calls fail the ways a network and a cluster make them fail.
 *
 * - `loseNextAnswer(match)`: the next matching append reaches the server and is carried out; its
 *   caller gets a deadline error instead of the answer (a timeout, a leader change, a dropped
 *   connection after the write).
 * - `failNext(match, error)`: the next matching append fails before it reaches the server.
 * - `dropSubscriptions()`: every live subscription opened through this client fails with
 *   `unavailable`, as when the connection or the leader goes.
 * - `jitterMs`: every call waits a random 0..jitter ms before it reaches the server and again
 *   before it answers, so concurrent calls land, and answer, in other orders than they were made;
 *   subscriptions deliver in irregular bursts. Seeded: a failing run can be replayed.
 */
import { Readable } from 'node:stream';
import {
  type AllStreamResolvedEvent,
  type AppendToStreamOptions,
  DeadlineExceededError,
  type AppendResult as EsdbAppendResult,
  type EventData,
  type GetStreamMetadataResult,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ResolvedEvent,
  type SubscribeToAllOptions,
  UnavailableError,
} from '@eventstore/db-client';
import { seededRandom } from '../seeded-random.ts';
import type { KurrentClient, KurrentSubscription } from './client.ts';

type StreamMatch = (streamName: string) => boolean;

interface Fault {
  match: StreamMatch;
  kind: 'lose-answer' | 'fail-before';
  error: () => Error;
}

export class FaultInjectingClient implements KurrentClient {
  private readonly faults: Fault[] = [];
  private readonly subscriptions = new Set<RelayedSubscription>();
  private readonly random: () => number;
  /** Appends whose answer was lost, and appends failed before the server: for assertions. */
  readonly injected = { lostAnswers: 0, failedBefore: 0, drops: 0 };

  constructor(
    readonly inner: KurrentClient,
    private readonly options: { jitterMs?: number; seed?: number } = {},
  ) {
    this.random = seededRandom(options.seed ?? 1);
  }

  loseNextAnswer(match: StreamMatch = () => true): void {
    this.faults.push({
      match,
      kind: 'lose-answer',
      error: () =>
        new DeadlineExceededError(undefined, 'Deadline exceeded (injected: answer lost)'),
    });
  }

  failNext(
    match: StreamMatch = () => true,
    error: () => Error = () => new UnavailableError(undefined, 'Unavailable (injected)'),
  ): void {
    this.faults.push({ match, kind: 'fail-before', error });
  }

  dropSubscriptions(): void {
    for (const subscription of [...this.subscriptions]) {
      this.injected.drops += 1;
      subscription.fail(new UnavailableError(undefined, 'Unavailable (injected: connection lost)'));
    }
  }

  async appendToStream(
    streamName: string,
    events: EventData | EventData[],
    options?: AppendToStreamOptions,
  ): Promise<EsdbAppendResult> {
    const index = this.faults.findIndex((f) => f.match(streamName));
    const fault = index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
    await this.jitter();
    if (fault?.kind === 'fail-before') {
      this.injected.failedBefore += 1;
      throw fault.error();
    }
    let result: EsdbAppendResult | undefined;
    let failure: unknown;
    try {
      result = await this.inner.appendToStream(streamName, events, options);
    } catch (error) {
      failure = error;
    }
    await this.jitter();
    if (fault) {
      this.injected.lostAnswers += 1;
      throw fault.error();
    }
    if (failure !== undefined) throw failure;
    return result!;
  }

  readStream(streamName: string, options?: ReadStreamOptions): AsyncIterable<ResolvedEvent> {
    return this.delayed(() => this.inner.readStream(streamName, options));
  }

  readAll(options?: ReadAllOptions): AsyncIterable<AllStreamResolvedEvent> {
    return this.delayed(() => this.inner.readAll(options));
  }

  subscribeToAll(options?: SubscribeToAllOptions): KurrentSubscription {
    const max = this.options.jitterMs ?? 0;
    const relayed = new RelayedSubscription(
      this.inner.subscribeToAll(options),
      max > 0 ? { random: this.random, maxMs: max } : undefined,
      () => this.subscriptions.delete(relayed),
    );
    this.subscriptions.add(relayed);
    return relayed;
  }

  async getStreamMetadata(streamName: string): Promise<GetStreamMetadataResult> {
    await this.jitter();
    return this.inner.getStreamMetadata(streamName);
  }

  async dispose(): Promise<void> {
    for (const subscription of this.subscriptions) await subscription.unsubscribe();
    await this.inner.dispose();
  }

  private delayed<T>(read: () => AsyncIterable<T>): AsyncIterable<T> {
    const jitter = () => this.jitter();
    return {
      async *[Symbol.asyncIterator]() {
        await jitter();
        yield* read();
      },
    };
  }

  private async jitter(): Promise<void> {
    const max = this.options.jitterMs ?? 0;
    if (max > 0) await new Promise((resolve) => setTimeout(resolve, this.random() * max));
  }
}

/** A subscription passed through, that can be dropped and can deliver in bursts. */
class RelayedSubscription extends Readable implements KurrentSubscription {
  private ended = false;

  constructor(
    private readonly inner: KurrentSubscription,
    bursts: { random: () => number; maxMs: number } | undefined,
    private readonly onEnd: () => void,
  ) {
    super({ objectMode: true, read() {} });
    inner.on('data', (item: unknown) => {
      this.push(item);
      if (bursts && bursts.random() < 0.2) {
        inner.pause();
        setTimeout(() => inner.resume(), bursts.random() * bursts.maxMs);
      }
    });
    inner.on('error', (error: Error) => this.fail(error));
    inner.on('end', () => this.finish());
    inner.on('close', () => this.finish());
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    void this.inner.unsubscribe().catch(() => {});
    this.destroy(error);
  }

  async unsubscribe(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    await this.inner.unsubscribe().catch(() => {});
    this.destroy();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    this.push(null);
  }
}
