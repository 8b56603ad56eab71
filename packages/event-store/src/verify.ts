import { chainHash, GENESIS_HASH } from './hash.ts';
import type { RecordedEvent, VerifyResult } from './types.ts';

type Broken = NonNullable<VerifyResult['firstBroken']>;

/**
 * Recomputes hash chains from events fed in stream order (streams may interleave, as in a global
 * read). Keeps one head per stream seen; `forget` drops one when its stream is known complete.
 */
export class ChainVerifier {
  private readonly heads = new Map<string, { version: number; hash: string }>();
  private streamCount = 0;
  private eventCount = 0;
  private broken: Broken | undefined;

  /** Feeds one event exactly as stored (not upcast). Returns false once a break was found. */
  add(event: RecordedEvent): boolean {
    if (this.broken) return false;
    this.eventCount += 1;
    let head = this.heads.get(event.streamId);
    if (!head) {
      this.streamCount += 1;
      head = { version: 0, hash: GENESIS_HASH };
    }
    const fail = (reason: string) => {
      this.broken = { streamId: event.streamId, streamVersion: event.streamVersion, reason };
      return false;
    };
    if (event.streamVersion !== head.version + 1) {
      return fail(`expected version ${head.version + 1}, found ${event.streamVersion}`);
    }
    if (event.prevHash !== head.hash) return fail('prev_hash does not match the previous event');
    let hash: string;
    try {
      hash = chainHash(head.hash, event);
    } catch {
      return fail('content is not canonical JSON');
    }
    if (hash !== event.hash) return fail('content does not match its hash');
    this.heads.set(event.streamId, { version: event.streamVersion, hash });
    return true;
  }

  /** Declares a stream complete: its last event must be `head`, when given. */
  finishStream(streamId: string, head?: { version: number; hash: string }): boolean {
    if (this.broken) return false;
    const seen = this.heads.get(streamId);
    if (head && (!seen || seen.version !== head.version || seen.hash !== head.hash)) {
      this.broken = {
        streamId,
        streamVersion: (seen?.version ?? 0) + 1,
        reason: `stream ends before its recorded head (version ${head.version})`,
      };
      return false;
    }
    this.heads.delete(streamId);
    return true;
  }

  result(): VerifyResult {
    return this.broken
      ? {
          ok: false,
          streams: this.streamCount,
          events: this.eventCount,
          firstBroken: this.broken,
        }
      : { ok: true, streams: this.streamCount, events: this.eventCount };
  }
}

/** Recomputes each stream's hash chain and names the first event that does not match. */
export function verifyChain(streams: readonly (readonly RecordedEvent[])[]): VerifyResult {
  const verifier = new ChainVerifier();
  for (const stream of streams) {
    for (const event of stream) {
      if (!verifier.add(event)) return verifier.result();
    }
    const first = stream[0];
    if (first) verifier.finishStream(first.streamId);
  }
  return verifier.result();
}
