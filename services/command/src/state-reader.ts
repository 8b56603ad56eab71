import { type Decider, upcastEvent } from '@yishi/domain';
import type { EventStore, RecordedEvent } from '@yishi/event-store';
import { openEvents, type Vault } from '@yishi/personal-data';
import { StateCache } from './state-cache.ts';

export type AnyDecider = Decider<unknown, { type: string; data: unknown }, unknown>;

/**
 * Folds streams with their decider, caching each folded state by stream and version, so a
 * read costs only the events appended since the last one. Personal fields are opened first
 * (one key lookup per batch of events): the deciders see clear values.
 */
export class StateReader {
  private readonly cache = new StateCache(10_000);
  constructor(
    private readonly store: EventStore,
    /** Stored event to domain event: upcast to the current schema and validate. */
    private readonly upcast: (event: RecordedEvent) => { type: string; data: unknown } = (e) =>
      upcastEvent({ type: e.type, data: e.data, schemaVersion: e.schemaVersion }),
    /** Opens sealed personal fields; without it, events are folded as stored. */
    private readonly personalData?: Vault,
  ) {}

  async read(streamId: string, decider: AnyDecider): Promise<{ version: number; state: unknown }> {
    const cached = this.cache.get(streamId);
    let version = cached?.version ?? 0;
    let state = cached ? cached.state : decider.initialState();
    const stored = await this.store.readStream(streamId, { fromVersion: version + 1 });
    const events = this.personalData ? await openEvents(this.personalData, stored) : stored;
    for (const event of events) {
      state = decider.evolve(state, this.upcast(event));
      version = event.streamVersion;
    }
    if (events.length > 0) this.cache.set(streamId, { version, state });
    return { version, state };
  }

  /**
   * The cached state without asking the store (optimistic: an append with its version fails
   * if another instance wrote since), or a fresh read when nothing is cached.
   */
  async cachedOrRead(
    streamId: string,
    decider: AnyDecider,
  ): Promise<{ version: number; state: unknown }> {
    return this.cache.get(streamId) ?? this.read(streamId, decider);
  }

  /** Records a state the handler just produced by appending (no read needed next time). */
  remember(streamId: string, version: number, state: unknown): void {
    this.cache.set(streamId, { version, state });
  }

  forget(streamId: string): void {
    this.cache.delete(streamId);
  }
}
