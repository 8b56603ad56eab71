/** Folded stream states by stream id, least recently used evicted first. */
export class StateCache {
  private readonly entries = new Map<string, { version: number; state: unknown }>();
  constructor(private readonly limit: number) {}

  get(streamId: string): { version: number; state: unknown } | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, entry: { version: number; state: unknown }): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }
}
