import { type BlobStore, checkBlob } from '@yishi/attachments';
import type { EventStore, VerifyResult } from '@yishi/event-store';
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';

// Verification (核验): recompute each stream's hash chain in the store and name the first event
// that does not match. Where the read side witnessed a stream (the timeline keeps every hash it
// projected), the stored hashes must still be those: this catches an event that was altered
// and its chain recomputed, and a stream that was cut short. Attachments' bytes must still hash
// to the SHA-256 their events recorded.

export interface BrokenEvent {
  streamId: string;
  streamVersion: number;
  reason: string;
}

export interface VerificationReport {
  ok: boolean;
  scope: string;
  streams: number;
  events: number;
  firstBroken?: BrokenEvent;
  /** Whether stored hashes were also compared with those the read side recorded. */
  witnessed: boolean;
}

export type Scope =
  | { kind: 'stream'; streamId: string }
  | { kind: 'community'; communityId: string }
  | { kind: 'all' };

export function describeScope(scope: Scope): string {
  switch (scope.kind) {
    case 'stream':
      return `stream ${scope.streamId}`;
    case 'community':
      return `community ${scope.communityId}`;
    case 'all':
      return 'all streams';
    default: {
      const _exhaustive: never = scope;
      return 'unknown';
    }
  }
}

/** The timeline's record of the hashes it projected, for one generation schema. */
export interface Witness {
  db: Kysely<Database>;
  schema: string;
}

/** The categories a community's streams use (see the domain's `streams`). */
const CATEGORIES = ['proposal', 'session', 'attachment'];

export async function verifyScope(
  store: EventStore,
  scope: Scope,
  witness?: Witness,
  /** Attachments' bytes: each must still hash to the SHA-256 its event recorded. */
  blobs?: BlobStore,
): Promise<VerificationReport> {
  const results: VerifyResult[] = [];
  switch (scope.kind) {
    case 'stream':
      results.push(await store.verifyStream(scope.streamId));
      break;
    case 'community':
      results.push(await store.verifyStream(`community-${scope.communityId}`));
      for (const category of CATEGORIES) {
        if (results.some((r) => !r.ok)) break;
        results.push(await store.verifyAll({ streamPrefix: `${category}-${scope.communityId}.` }));
      }
      break;
    case 'all':
      results.push(await store.verifyAll());
      break;
    default: {
      const _exhaustive: never = scope;
    }
  }
  const report: VerificationReport = {
    ok: true,
    scope: describeScope(scope),
    streams: 0,
    events: 0,
    witnessed: witness !== undefined,
  };
  for (const result of results) {
    report.streams += result.streams;
    report.events += result.events;
    if (!result.ok && report.ok) {
      report.ok = false;
      if (result.firstBroken) report.firstBroken = result.firstBroken;
    }
  }
  if (report.ok && witness) {
    const broken = await compareWithWitness(store, scope, witness);
    if (broken) {
      report.ok = false;
      report.firstBroken = broken;
    }
  }
  if (report.ok && blobs) {
    const broken = await checkAttachments(store, scope, blobs, witness);
    if (broken) {
      report.ok = false;
      report.firstBroken = broken;
    }
  }
  return report;
}

/**
 * The attachment streams in scope. The store lists no streams by prefix, so the read side's
 * timeline (which recorded every event it projected) names them; one stream names itself.
 */
async function attachmentStreams(scope: Scope, witness: Witness | undefined): Promise<string[]> {
  if (scope.kind === 'stream') {
    return scope.streamId.startsWith('attachment-') ? [scope.streamId] : [];
  }
  if (!witness) return [];
  let query = witness.db
    .withSchema(witness.schema)
    .selectFrom('timeline')
    .select('stream_id')
    .where('type', '=', 'AttachmentUploaded')
    .orderBy('stream_id');
  if (scope.kind === 'community') query = query.where('community_id', '=', scope.communityId);
  return (await query.execute()).map((r) => r.stream_id);
}

/** The first attachment whose bytes are missing or no longer hash to what was recorded. */
async function checkAttachments(
  store: EventStore,
  scope: Scope,
  blobs: BlobStore,
  witness: Witness | undefined,
): Promise<BrokenEvent | undefined> {
  for (const streamId of await attachmentStreams(scope, witness)) {
    const [event] = await store.readStream(streamId, { maxCount: 1 });
    const sha256 = event?.type === 'AttachmentUploaded' ? event.data.sha256 : undefined;
    if (typeof sha256 !== 'string') continue;
    const found = await checkBlob(blobs, sha256);
    if (found === 'ok') continue;
    return {
      streamId,
      streamVersion: event!.streamVersion,
      reason:
        found === 'missing'
          ? `attachment ${sha256}: its bytes are missing from the store`
          : `attachment ${sha256}: the stored bytes no longer hash to the recorded SHA-256`,
    };
  }
  return undefined;
}

async function compareWithWitness(
  store: EventStore,
  scope: Scope,
  witness: Witness,
): Promise<BrokenEvent | undefined> {
  const rm = witness.db.withSchema(witness.schema);
  let streamsQuery = rm.selectFrom('timeline').select('stream_id').distinct().orderBy('stream_id');
  if (scope.kind === 'stream') streamsQuery = streamsQuery.where('stream_id', '=', scope.streamId);
  if (scope.kind === 'community') {
    streamsQuery = streamsQuery.where('community_id', '=', scope.communityId);
  }
  const streams = await streamsQuery.execute();
  for (const { stream_id: streamId } of streams) {
    const witnessed = await rm
      .selectFrom('timeline')
      .select(['stream_version', 'hash'])
      .where('stream_id', '=', streamId)
      .orderBy('stream_version')
      .execute();
    const stored = await store.readStream(streamId);
    for (const { stream_version: version, hash } of witnessed) {
      const event = stored[version - 1];
      if (!event || event.streamVersion !== version) {
        return {
          streamId,
          streamVersion: version,
          reason: 'event missing: the stream was cut short',
        };
      }
      if (event.hash !== hash) {
        return {
          streamId,
          streamVersion: version,
          reason: 'hash differs from the one recorded when the event was projected',
        };
      }
    }
  }
  return undefined;
}
