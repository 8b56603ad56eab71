import {
  type ConsistencySource,
  formatFingerprint,
  keepCheckpoint,
  type PublicKey,
  readWitnessFile,
  verifyCheckpoint,
  witness,
} from '@yishi/transparency';
import type { Kysely } from 'kysely';
import type { Database } from '../tables.ts';
import { CheckpointLog } from '../transparency/checkpoints.ts';
import { MerkleTree } from '../transparency/tree.ts';

// `pnpm verify --witness checkpoints.jsonl`: fetch the log's latest checkpoint, check its
// signature and that it extends every checkpoint kept in the file, then keep it. The log is
// read from its database, or from the query service (`--server`, as a street office would).
// Nothing the log says is trusted: the signature is checked with the witness's keys and each
// consistency proof against the roots the witness kept.

export interface LogSource {
  /** The latest signed checkpoint (a signed note), or undefined when none was signed yet. */
  latest(): Promise<string | undefined>;
  consistency: ConsistencySource;
}

export function databaseLog(db: Kysely<Database>): LogSource {
  const tree = new MerkleTree(db);
  return {
    latest: async () => (await new CheckpointLog(db).latest())?.note,
    consistency: (from, to) => tree.consistencyProof(from, to),
  };
}

/** The query service's `/v1/checkpoints/latest` and `/v1/proofs/consistency`. */
export function serverLog(base: string, token: string | undefined): LogSource {
  const get = async (path: string): Promise<Response> => {
    const res = await fetch(new URL(path, base), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (!res.ok && res.status !== 404) {
      throw new Error(`${path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    }
    return res;
  };
  return {
    async latest() {
      const res = await get('/v1/checkpoints/latest');
      if (res.status === 404) return undefined;
      return ((await res.json()) as { note: string }).note;
    },
    async consistency(from, to) {
      const res = await get(`/v1/proofs/consistency?from=${from}&to=${to}`);
      const body = (await res.json()) as { path?: string[] };
      return (body.path ?? []).map((h) => Buffer.from(h, 'base64'));
    },
  };
}

/** Checks and keeps the latest checkpoint; the exit code (0 kept, 1 inconsistent or unsigned). */
export async function runWitness(
  file: string,
  trusted: readonly PublicKey[],
  log: LogSource,
): Promise<number> {
  const kept = await readWitnessFile(file, trusted);
  const note = await log.latest();
  if (!note) {
    console.log('✗ the log has signed no checkpoint yet: nothing to keep');
    return 1;
  }
  const verified = verifyCheckpoint(note, trusted);
  if (!verified.ok) {
    console.log(`✗ the log's latest checkpoint: ${verified.reason}`);
    return 1;
  }
  const latest = verified.checkpoint;
  const outcome = await witness(kept, latest, log.consistency);
  const describe = (c: { treeSize: number; signedAt: Date }) =>
    `checkpoint of ${c.treeSize} entries signed ${c.signedAt.toISOString()}`;
  if (!outcome.ok) {
    console.log(`✗ history changed: the log is NOT consistent with what ${file} kept`);
    console.log(`  first inconsistent: line ${outcome.line}, ${describe(outcome.checkpoint)}`);
    console.log(`  ${outcome.reason}`);
    console.log(`  the log's latest (not kept; keep it as evidence):\n${indent(note)}`);
    return 1;
  }
  const last = kept.at(-1)?.checkpoint;
  const known = last?.note === latest.note;
  if (!known) await keepCheckpoint(file, latest, new Date());
  console.log(
    `✓ the log extends all ${kept.length} checkpoints kept in ${file}; latest: ${describe(latest)}, ` +
      `root ${latest.rootHash.subarray(0, 8).toString('hex')}, key ${formatFingerprint(latest.key.fingerprint)}` +
      (known ? ' (kept already)' : ' (kept)'),
  );
  return 0;
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
