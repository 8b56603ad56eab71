import { appendFile, readFile } from 'node:fs/promises';
import { type SignedCheckpoint, type VerifiedCheckpoint, verifyCheckpoint } from './checkpoint.ts';
import type { PublicKey } from './keys.ts';
import { verifyConsistency } from './merkle.ts';

// Witnessing (见证): someone outside the community's hands (a street office) keeps every signed
// checkpoint they have seen, one JSON line each, and checks that the log's latest checkpoint
// extends every one of them. An insider who rewrote or dropped history after a checkpoint was
// kept cannot make the log consistent with it again: no consistency proof exists.

/** A line of the witness file. */
export interface WitnessLine {
  note: string;
  /** When the witness kept it. */
  savedAt: string;
}

/** A kept checkpoint, by its line in the file (1-based). */
export interface Kept {
  line: number;
  checkpoint: VerifiedCheckpoint;
}

/** Where consistency proofs come from (the log's API or its database). */
export type ConsistencySource = (from: number, to: number) => Promise<Buffer[]>;

export type WitnessOutcome =
  | { ok: true; checked: number }
  | { ok: false; line: number; checkpoint: SignedCheckpoint; reason: string };

export class WitnessFileError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'WitnessFileError';
  }
}

/** Whether `latest` extends `kept`: same origin, not smaller, and a proof that verifies. */
export async function extendsKept(
  kept: SignedCheckpoint,
  latest: SignedCheckpoint,
  consistency: ConsistencySource,
): Promise<string | undefined> {
  if (kept.origin !== latest.origin) {
    return `a checkpoint of another log (${kept.origin}, not ${latest.origin})`;
  }
  if (kept.treeSize > latest.treeSize) {
    return `the log now has ${latest.treeSize} entries, fewer than the ${kept.treeSize} this checkpoint covered: history was dropped`;
  }
  if (kept.treeSize === latest.treeSize) {
    return kept.rootHash.equals(latest.rootHash)
      ? undefined
      : 'the log has the same size but another root: history was rewritten';
  }
  const proof = await consistency(kept.treeSize, latest.treeSize);
  return verifyConsistency(kept.treeSize, latest.treeSize, kept.rootHash, latest.rootHash, proof)
    ? undefined
    : `the log of ${latest.treeSize} entries does not extend this checkpoint of ${kept.treeSize}: history was rewritten`;
}

/** Checks the latest checkpoint against every kept one, in file order; names the first that fails. */
export async function witness(
  kept: readonly Kept[],
  latest: SignedCheckpoint,
  consistency: ConsistencySource,
): Promise<WitnessOutcome> {
  for (const { line, checkpoint } of kept) {
    const reason = await extendsKept(checkpoint, latest, consistency);
    if (reason) return { ok: false, line, checkpoint, reason };
  }
  return { ok: true, checked: kept.length };
}

/** The kept checkpoints of a witness file (none when it does not exist yet), each verified. */
export async function readWitnessFile(
  path: string,
  trusted: readonly PublicKey[],
): Promise<Kept[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const kept: Kept[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    if (raw.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new WitnessFileError(i + 1, 'not a JSON line');
    }
    const note = (parsed as Partial<WitnessLine> | null)?.note;
    if (typeof note !== 'string') throw new WitnessFileError(i + 1, 'no "note"');
    const verified = verifyCheckpoint(note, trusted);
    if (!verified.ok) throw new WitnessFileError(i + 1, verified.reason);
    kept.push({ line: i + 1, checkpoint: verified.checkpoint });
  }
  return kept;
}

/** Appends a checkpoint to the witness file (created when missing). */
export async function keepCheckpoint(
  path: string,
  checkpoint: SignedCheckpoint,
  savedAt: Date,
): Promise<void> {
  const line: WitnessLine = { note: checkpoint.note, savedAt: savedAt.toISOString() };
  await appendFile(path, `${JSON.stringify(line)}\n`, 'utf8');
}
