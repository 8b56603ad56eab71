import { chainHash, GENESIS_HASH } from './hash.ts';
import type { RecordedEvent, VerifyResult } from './types.ts';

/** Recomputes each stream's hash chain and names the first event that does not match. */
export function verifyChain(streams: readonly (readonly RecordedEvent[])[]): VerifyResult {
  let events = 0;
  for (const stream of streams) {
    let prev = GENESIS_HASH;
    let expectedVersion = 1;
    for (const event of stream) {
      events += 1;
      const broken = (reason: string): VerifyResult => ({
        ok: false,
        streams: streams.length,
        events,
        firstBroken: { streamId: event.streamId, streamVersion: event.streamVersion, reason },
      });
      if (event.streamVersion !== expectedVersion)
        return broken(`expected version ${expectedVersion}`);
      if (event.prevHash !== prev) return broken('prev_hash does not match the previous event');
      const hash = chainHash(prev, event);
      if (hash !== event.hash) return broken('content does not match its hash');
      prev = hash;
      expectedVersion += 1;
    }
  }
  return { ok: true, streams: streams.length, events };
}
