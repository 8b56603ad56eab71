import { EventStoreError } from '../errors.ts';
import type { VerifyResult } from '../types.ts';
import { assertStreamId } from '../validation.ts';
import { ChainVerifier } from '../verify.ts';
import type { Connection } from './connection.ts';
import { EVENT_COLUMNS, type EventRow, type Reads, rowToEvent } from './reads.ts';

// Verification: the hash chains recomputed over the events as stored (never upcast), read in
// batches so that a store of any size is checked in bounded memory.

const VERIFY_BATCH = 5000;

const VERIFY_BATCH_QUERY = {
  name: 'es_verify_batch',
  rowMode: 'array',
  text: `SELECT ${EVENT_COLUMNS} FROM es_events
          WHERE (stream_id, stream_version) > ($1, $2::bigint) AND stream_id >= $3
          ORDER BY stream_id, stream_version LIMIT $4`,
} as const;

export async function verifyStream(reads: Reads, streamId: string): Promise<VerifyResult> {
  assertStreamId(streamId);
  const verifier = new ChainVerifier();
  let version = 0;
  for (;;) {
    const rows = await reads.streamRows(streamId, version + 1, VERIFY_BATCH);
    for (const row of rows) {
      if (!verifier.add(rowToEvent(row))) return verifier.result();
    }
    if (rows.length < VERIFY_BATCH) break;
    version = Number(rows[rows.length - 1]![3]);
  }
  return verifier.result();
}

/** Verifies every stream (or those starting with a prefix), in stream order, in batches. */
export async function verifyAll(
  connection: Connection,
  options: { streamPrefix?: string },
): Promise<VerifyResult> {
  const prefix = options?.streamPrefix ?? '';
  if (typeof prefix !== 'string') {
    throw new EventStoreError('invalid-argument', 'streamPrefix must be a string');
  }

  const verifier = new ChainVerifier();
  let lastStream = '';
  let lastVersion = 0;
  let current: string | undefined;
  for (;;) {
    const { rows } = await connection.query<EventRow>({
      ...VERIFY_BATCH_QUERY,
      values: [lastStream, lastVersion, prefix, VERIFY_BATCH],
    });
    for (const row of rows) {
      const streamId = row[2];
      if (!streamId.startsWith(prefix)) return verifier.result();
      if (current !== undefined && streamId !== current) verifier.finishStream(current);
      current = streamId;
      if (!verifier.add(rowToEvent(row))) return verifier.result();
    }
    if (rows.length < VERIFY_BATCH) return verifier.result();
    const last = rows[rows.length - 1]!;
    lastStream = last[2];
    lastVersion = Number(last[3]);
  }
}
