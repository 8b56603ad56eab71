import { isDeepStrictEqual } from 'node:util';
import {
  attachmentRefsIn,
  ItemResultSchema,
  PlanMethod,
  type ProposalEvent,
  streams as streamIds,
  upcastEvent,
  VoteRule,
  verifyDecisions,
} from '@yishi/domain';
import {
  type Checkpoint,
  chainHash,
  checkpointReached,
  type EventStore,
  GENESIS_HASH,
  type Json,
  type JsonObject,
  type RecordedEvent,
} from '@yishi/event-store';
import {
  eventLeafHash,
  type PublicKey,
  type VerifiedCheckpoint,
  verifyCheckpoint,
  verifyInclusion,
} from '@yishi/transparency';
import { z } from 'zod';
import type { LogProofs } from '../transparency/proofs.ts';
import type { BrokenEvent } from './verify.ts';

// 议题档案: everything an official needs to check a proposal without our database. Every event
// of the proposal's stream (and of the sessions it went through, and the uploads of the
// attachments their documents name, such as paper-ballot scans) with its hash and its proof of
// inclusion in the log to one signed checkpoint, and the rule and figures of each decision as
// the events state them. `pnpm verify dossier.json` recomputes the chains and the decision
// summary offline, and checks each event's proof and the checkpoint's signature with a key the
// official trusts (never one the dossier carries): whoever rewrites events and recomputes every
// hash cannot sign a checkpoint over them.

export const DOSSIER_FORMAT = 'yishi-dossier/2';
/** Dossiers exported before the log: chains only, nothing proves they are the record. */
const UNPROVEN_FORMAT = 'yishi-dossier/1';

const DossierEvent = z.object({
  streamVersion: z.number().int().positive(),
  globalPosition: z.string().regex(/^\d+$/),
  transactionId: z.string().regex(/^\d+$/),
  type: z.string(),
  schemaVersion: z.number().int().positive(),
  data: z.record(z.string(), z.json()),
  metadata: z.record(z.string(), z.json()),
  recordedAt: z.string(),
  prevHash: z.string(),
  hash: z.string(),
  /** The event's place in the log, and the proof that it is there (base64 hashes). */
  leafIndex: z.number().int().nonnegative(),
  inclusionProof: z.array(z.string().max(64)).max(64),
});
export type DossierEvent = z.infer<typeof DossierEvent>;

const DossierStream = z.object({ streamId: z.string(), events: z.array(DossierEvent) });

const DossierAttachment = z.object({
  sha256: z.string(),
  size: z.number().int(),
  mediaType: z.string(),
  streamId: z.string(),
});

export const Dossier = z.object({
  format: z.literal(DOSSIER_FORMAT),
  communityId: z.string(),
  proposalId: z.string(),
  exportedAt: z.string(),
  /** The position the dossier stands at (`asOf`), or the head when exported. */
  position: z.string().nullable(),
  log: z.object({
    /** The signed checkpoint every event is proven to (a signed note). */
    checkpoint: z.string().max(10_000),
    /** SHA-256 of the public key that signed it: which key the verifier needs. */
    keyFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  streams: z.array(DossierStream).min(1),
  /** Derived from the events; offline verification derives it again and compares. */
  decisions: z.array(z.record(z.string(), z.json())),
  /**
   * The attachments the events name (`attachment:<sha256>`): their upload events are among the
   * streams; a reader holding a file checks it by its SHA-256. Derived and compared as above.
   */
  attachments: z.array(DossierAttachment).optional(),
});
export type Dossier = z.infer<typeof Dossier>;

/**
 * The dossier as the query API describes it: `Dossier` (what offline verification reads) with
 * each decision's shape, as decisionsOf() derives it from the events.
 */
export const DossierAnswer = Dossier.extend({
  // Event data as an object of any JSON (z.json() recurses without end in the generator).
  streams: z.array(
    DossierStream.extend({
      events: z.array(
        DossierEvent.extend({
          data: z.record(z.string(), z.unknown()),
          metadata: z.record(z.string(), z.unknown()),
        }),
      ),
    }),
  ),
  decisions: z.array(
    z.object({
      stageId: z.string().nullable(),
      outcome: z.string().nullable(),
      decidedAt: z.string().nullable(),
      vote: z
        .object({
          voteId: z.string(),
          rule: VoteRule.nullable(),
          totals: z.record(z.string(), z.number()).nullable(),
          closesAt: z.string().nullable(),
          allowBallotChange: z.boolean().nullable(),
          planMethod: PlanMethod.nullable(),
        })
        .nullable(),
      sessionId: z.string().nullable(),
      sessionItemId: z.string().nullable(),
      items: z.array(ItemResultSchema),
      publications: z.array(
        z.object({
          subject: z.string().nullable(),
          at: z.string().nullable(),
          endsAt: z.string().nullable(),
          deadline: z.string().nullable(),
          onTime: z.boolean().nullable(),
        }),
      ),
    }),
  ),
}).meta({ id: 'Dossier' });

type StoredEvent = Omit<DossierEvent, 'leafIndex' | 'inclusionProof'>;

function toDossierEvent(event: RecordedEvent): StoredEvent {
  return {
    streamVersion: event.streamVersion,
    globalPosition: event.globalPosition.toString(),
    transactionId: event.transactionId.toString(),
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
    prevHash: event.prevHash,
    hash: event.hash,
  };
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** Session ids the proposal's events refer to (joint sessions that deliberated or resolved it). */
function sessionsOf(events: readonly RecordedEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of events) {
    const id = str(event.data.sessionId);
    if (id) ids.add(id);
  }
  return [...ids].sort();
}

/**
 * Each decision with the rule applied and every figure, as the events state them: the vote's
 * frozen rule and totals, the outcome of each item with its tests and figures, and when it
 * was published.
 */
export function decisionsOf(
  events: readonly { type: string; data: JsonObject; recordedAt: string }[],
): JsonObject[] {
  const votes = new Map<string, JsonObject>();
  const decisions: JsonObject[] = [];
  for (const event of events) {
    const d = event.data;
    if (event.type === 'VotingOpened') {
      const voteId = str(d.voteId);
      if (voteId) {
        votes.set(voteId, {
          voteId,
          rule: d.rule ?? null,
          totals: d.totals ?? null,
          closesAt: d.closesAt ?? null,
          allowBallotChange: d.allowBallotChange ?? null,
          planMethod: d.planMethod ?? null,
        });
      }
    } else if (event.type === 'ProposalDecided') {
      const voteId = str(d.voteId);
      decisions.push({
        stageId: d.stageId ?? null,
        outcome: d.outcome ?? null,
        decidedAt: d.at ?? null,
        vote: (voteId && votes.get(voteId)) || null,
        sessionId: d.sessionId ?? null,
        sessionItemId: d.sessionItemId ?? null,
        items: d.items ?? [],
        publications: [],
      });
    } else if (event.type === 'ProposalPublished') {
      const last = decisions.at(-1);
      const publications = last?.publications;
      if (Array.isArray(publications)) {
        publications.push({
          subject: d.subject ?? null,
          at: d.at ?? null,
          endsAt: d.endsAt ?? null,
          deadline: d.deadline ?? null,
          onTime: d.onTime ?? null,
        });
      }
    }
  }
  return decisions;
}

/**
 * The dossier of a proposal from the event store, up to `asOf` when given, each event with its
 * proof to the latest checkpoint (`CheckpointPending` when none covers them in time).
 */
export async function exportDossier(
  store: EventStore,
  log: LogProofs,
  communityId: string,
  proposalId: string,
  asOf: Checkpoint | undefined,
  now: Date = new Date(),
): Promise<Dossier | undefined> {
  const upTo = (events: RecordedEvent[]) =>
    asOf ? events.filter((e) => checkpointReached(asOf, e)) : events;
  const proposalStream = `proposal-${communityId}.${proposalId}`;
  const proposal = upTo(await store.readStream(proposalStream));
  if (proposal.length === 0) return undefined;
  const streams = [{ streamId: proposalStream, events: proposal }];
  for (const sessionId of sessionsOf(proposal)) {
    const streamId = `session-${communityId}.${sessionId}`;
    const events = upTo(await store.readStream(streamId));
    if (events.length > 0) streams.push({ streamId, events });
  }
  // The uploads of the attachments the record names (a paper ballot's scan, signed minutes).
  const named = streams.flatMap((s) => s.events.flatMap((e) => attachmentRefsIn(e.data, 'data')));
  for (const sha256 of new Set(named.map((r) => r.sha256))) {
    const streamId = streamIds.attachment(communityId, sha256);
    const events = upTo(await store.readStream(streamId, { maxCount: 1 }));
    if (events.length > 0) streams.push({ streamId, events });
  }
  const { checkpoint, proofs } = await log.prove(
    streams.flatMap((s) => s.events.map((e) => e.globalPosition)),
  );
  const proven = (event: RecordedEvent): DossierEvent => {
    const proof = proofs.get(event.globalPosition)!;
    return {
      ...toDossierEvent(event),
      leafIndex: proof.leafIndex,
      inclusionProof: proof.path.map((h) => h.toString('base64')),
    };
  };
  const last = proposal.at(-1)!;
  return {
    format: DOSSIER_FORMAT,
    communityId,
    proposalId,
    exportedAt: now.toISOString(),
    position: asOf
      ? `${asOf.transactionId}:${asOf.globalPosition}`
      : `${last.transactionId}:${last.globalPosition}`,
    log: { checkpoint: checkpoint.note, keyFingerprint: checkpoint.keyFingerprint },
    streams: streams.map((s) => ({ streamId: s.streamId, events: s.events.map(proven) })),
    decisions: decisionsOf(proposal.map(toDossierEvent)),
    attachments: attachmentsOf(streams),
  };
}

/** The attachments among the streams: what each upload event recorded. */
function attachmentsOf(
  streams: readonly { streamId: string; events: readonly { type: string; data: unknown }[] }[],
): z.infer<typeof DossierAttachment>[] {
  return streams.flatMap(({ streamId, events }) =>
    events.flatMap((e) => {
      const d = e.data as Record<string, unknown>;
      return e.type === 'AttachmentUploaded'
        ? [
            {
              sha256: String(d.sha256),
              size: Number(d.size),
              mediaType: String(d.mediaType),
              streamId,
            },
          ]
        : [];
    }),
  );
}

export interface DossierReport {
  ok: boolean;
  streams: number;
  events: number;
  firstBroken?: BrokenEvent;
  /** What was checked besides the chains. */
  problem?: string;
  /** The checkpoint the events were proven to, once its signature verified. */
  checkpoint?: { treeSize: number; signedAt: string; keyFingerprint: string };
}

/**
 * Offline verification: every stream must be whole from its first event, each event's hash
 * must be sha256(prev_hash ‖ canonical JSON) of what it says, the decision summary must be what
 * the events state, every tallied decision must be what its rule gives for its ballots, and
 * every event must be in the log: its inclusion proof leads to the root of a checkpoint signed
 * by one of the `trusted` keys.
 */
export function verifyDossier(input: unknown, trusted: readonly PublicKey[]): DossierReport {
  const format = (input as { format?: unknown } | null)?.format;
  if (format === UNPROVEN_FORMAT) {
    return {
      ok: false,
      streams: 0,
      events: 0,
      problem: `a ${UNPROVEN_FORMAT} file carries no proof that its events are the record: export the dossier again`,
    };
  }
  const parsed = Dossier.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      streams: 0,
      events: 0,
      problem: `not a ${DOSSIER_FORMAT} file: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    };
  }
  const dossier = parsed.data;
  let events = 0;
  for (const stream of dossier.streams) {
    let prev = GENESIS_HASH;
    for (const [index, event] of stream.events.entries()) {
      events += 1;
      const broken = (reason: string): DossierReport => ({
        ok: false,
        streams: dossier.streams.length,
        events,
        firstBroken: { streamId: stream.streamId, streamVersion: event.streamVersion, reason },
      });
      if (event.streamVersion !== index + 1) return broken(`expected version ${index + 1}`);
      if (event.prevHash !== prev) return broken('prev_hash does not match the previous event');
      const hash = chainHash(prev, {
        streamId: stream.streamId,
        streamVersion: event.streamVersion,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data as JsonObject,
        metadata: event.metadata as JsonObject,
      });
      if (hash !== event.hash) return broken('content does not match its hash');
      prev = hash;
    }
  }
  if (
    dossier.attachments &&
    !isDeepStrictEqual(attachmentsOf(dossier.streams), dossier.attachments)
  ) {
    return {
      ok: false,
      streams: dossier.streams.length,
      events,
      problem: 'the attachment list differs from what the upload events record',
    };
  }
  const proposalStream = dossier.streams.find(
    (s) => s.streamId === `proposal-${dossier.communityId}.${dossier.proposalId}`,
  );
  if (!proposalStream) {
    return {
      ok: false,
      streams: dossier.streams.length,
      events,
      problem: 'the proposal stream is missing',
    };
  }
  const expected = decisionsOf(
    proposalStream.events.map((e) => ({
      type: e.type,
      data: e.data as JsonObject,
      recordedAt: e.recordedAt,
    })),
  );
  if (!isDeepStrictEqual(expected, dossier.decisions)) {
    return {
      ok: false,
      streams: dossier.streams.length,
      events,
      problem: 'the decision summary differs from what the events state',
    };
  }
  // Each tallied decision, recomputed from the frozen rule and electorate and the ballots.
  let read: ProposalEvent[];
  try {
    read = proposalStream.events.map(
      (e) =>
        upcastEvent({
          type: e.type,
          data: e.data,
          schemaVersion: e.schemaVersion,
        }) as ProposalEvent,
    );
  } catch (error) {
    return {
      ok: false,
      streams: dossier.streams.length,
      events,
      problem: `an event cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const differing = verifyDecisions(read).find((d) => !d.matches);
  if (differing) {
    return {
      ok: false,
      streams: dossier.streams.length,
      events,
      problem: `the decision of vote ${differing.voteId} differs from its recomputation from the ballots`,
    };
  }
  return verifyInLog(dossier, events, trusted);
}

/** Each event's inclusion proof to the dossier's checkpoint, signed by a trusted key. */
function verifyInLog(
  dossier: Dossier,
  events: number,
  trusted: readonly PublicKey[],
): DossierReport {
  const report = { streams: dossier.streams.length, events };
  const signed = verifyCheckpoint(dossier.log.checkpoint, trusted);
  if (!signed.ok)
    return { ok: false, ...report, problem: `the log's checkpoint: ${signed.reason}` };
  const checkpoint: VerifiedCheckpoint = signed.checkpoint;
  if (checkpoint.key.fingerprint !== dossier.log.keyFingerprint) {
    return {
      ok: false,
      ...report,
      problem: `the dossier names key ${dossier.log.keyFingerprint}, but its checkpoint was signed by ${checkpoint.key.fingerprint}`,
    };
  }
  for (const stream of dossier.streams) {
    for (const event of stream.events) {
      const leaf = eventLeafHash({ streamId: stream.streamId, ...event });
      const proof = event.inclusionProof.map((h) => Buffer.from(h, 'base64'));
      if (
        !verifyInclusion(event.leafIndex, checkpoint.treeSize, leaf, proof, checkpoint.rootHash)
      ) {
        return {
          ok: false,
          ...report,
          firstBroken: {
            streamId: stream.streamId,
            streamVersion: event.streamVersion,
            reason: `not in the signed log: its proof does not lead to the root of checkpoint ${checkpoint.treeSize}`,
          },
        };
      }
    }
  }
  return {
    ok: true,
    ...report,
    checkpoint: {
      treeSize: checkpoint.treeSize,
      signedAt: checkpoint.signedAt.toISOString(),
      keyFingerprint: checkpoint.key.fingerprint,
    },
  };
}
