/**
 * Verifying hash chains in KurrentDB: one stream; the streams listed for a scope
 * ("proposal-c1.", `yishi_dir-<scope>`), without reading `$all`; or all of `$all`.
 */
import type { VerifyResult } from '../types.ts';
import { ChainVerifier } from '../verify.ts';
import type { KurrentClient } from './client.ts';
import {
  directoryStreamOf,
  isStreamCreated,
  toRecordedEvent,
  versionOfRevision,
} from './mapping.ts';
import { gapBefore, readAllEvents, readRaw } from './reading.ts';

export async function verifyStreamIn(
  client: KurrentClient,
  streamId: string,
): Promise<VerifyResult> {
  const raw = await readRaw(client, streamId, 1, undefined);
  const broken = (streamVersion: number, reason: string): VerifyResult => ({
    ok: false,
    streams: 1,
    events: 0,
    firstBroken: { streamId, streamVersion, reason },
  });
  const gap = await gapBefore(client, streamId, 1, raw);
  if (gap) return broken(1, `deleted or truncated in KurrentDB: ${gap}`);
  const verifier = new ChainVerifier();
  for (const r of raw) {
    const event = toRecordedEvent(r);
    if (!event) return broken(versionOfRevision(r.revision), 'not an event of this store');
    if (!verifier.add(event)) break;
  }
  return verifier.result();
}

/** The streams listed for `scope` whose id starts with `prefix`, one by one, in id order. */
export async function verifyScope(
  client: KurrentClient,
  scope: string,
  prefix: string,
): Promise<VerifyResult> {
  const listed = await readRaw(client, directoryStreamOf(scope), 1, undefined);
  const streams = [
    ...new Set(
      listed.flatMap((r) =>
        isStreamCreated(r.data) && r.data.streamId.startsWith(prefix) ? [r.data.streamId] : [],
      ),
    ),
  ].sort();
  const total: VerifyResult = { ok: true, streams: 0, events: 0 };
  for (const streamId of streams) {
    const result = await verifyStreamIn(client, streamId);
    total.streams += result.streams;
    total.events += result.events;
    if (!result.ok) return { ...total, ok: false, firstBroken: result.firstBroken! };
  }
  return total;
}

/** Every stream under `prefix`, by reading all of `$all` (so: slow on a large store). */
export async function verifyAllOfAll(client: KurrentClient, prefix: string): Promise<VerifyResult> {
  const verifier = new ChainVerifier();
  let checkpoint = { transactionId: 0n, globalPosition: 0n };
  for (;;) {
    const batch = await readAllEvents(client, checkpoint, 1000, (e) => e);
    if (batch.events.length === 0) break;
    for (const event of batch.events) {
      if (event.streamId.startsWith(prefix) && !verifier.add(event)) return verifier.result();
    }
    checkpoint = batch.checkpoint;
  }
  return verifier.result();
}
