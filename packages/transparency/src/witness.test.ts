import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from './checkpoint.ts';
import { Frontier } from './frontier.ts';
import { generateSigningKeyPem, signingKeyFromPem } from './keys.ts';
import { consistencyProof, leafHash, type NodeSource } from './merkle.ts';
import { keepCheckpoint, readWitnessFile, WitnessFileError, witness } from './witness.ts';

const key = signingKeyFromPem(generateSigningKeyPem());
const origin = 'yishi.example/log';

/** A log of `entries`: its stored subtrees, and checkpoints signed at chosen sizes. */
function log(entries: string[]) {
  const stored = new Map<string, Buffer>();
  const frontier = Frontier.empty();
  const roots = [frontier.root()];
  for (const entry of entries) {
    for (const n of frontier.append(leafHash(Buffer.from(entry)))) {
      stored.set(`${n.level}:${n.index}`, n.hash);
    }
    roots.push(frontier.root());
  }
  const nodes: NodeSource = (level, index) => stored.get(`${level}:${index}`)!;
  return {
    checkpoint: (size: number, minute: number) =>
      signCheckpoint(
        {
          origin,
          treeSize: size,
          rootHash: roots[size]!,
          signedAt: new Date(Date.UTC(2026, 11, 8, 2, minute)),
        },
        key,
      ),
    consistency: async (from: number, to: number) => consistencyProof(from, to, nodes),
  };
}

const honest = Array.from({ length: 40 }, (_, i) => `event ${i}`);

describe('witnessing', () => {
  it('keeps checkpoints and finds the latest consistent with each', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'witness-')), 'checkpoints.jsonl');
    const l = log(honest);
    await keepCheckpoint(file, l.checkpoint(3, 1), new Date());
    await keepCheckpoint(file, l.checkpoint(17, 2), new Date());
    await keepCheckpoint(file, l.checkpoint(17, 3), new Date());
    const kept = await readWitnessFile(file, [key.publicKey]);
    expect(kept.map((k) => [k.line, k.checkpoint.treeSize])).toEqual([
      [1, 3],
      [2, 17],
      [3, 17],
    ]);
    expect(await witness(kept, l.checkpoint(40, 4), l.consistency)).toEqual({
      ok: true,
      checked: 3,
    });
  });

  it('names the first kept checkpoint a rewritten history is inconsistent with', async () => {
    const l = log(honest);
    const kept = [3, 10, 20, 30].map((size, i) => ({
      line: i + 1,
      checkpoint: { ...l.checkpoint(size, i), key: key.publicKey, keyId: '' },
    }));
    // Entry 12 rewritten, the tree rebuilt and signed again: consistent with what came before.
    const rewritten = log(honest.map((e, i) => (i === 12 ? 'event 12, rewritten' : e)));
    const outcome = await witness(kept, rewritten.checkpoint(40, 9), rewritten.consistency);
    expect(outcome).toMatchObject({
      ok: false,
      line: 3,
      reason: 'the log of 40 entries does not extend this checkpoint of 20: history was rewritten',
    });

    // History dropped: the log is smaller than a kept checkpoint.
    const dropped = log(honest.slice(0, 25));
    expect(await witness(kept, dropped.checkpoint(25, 9), dropped.consistency)).toMatchObject({
      ok: false,
      line: 4,
      reason: expect.stringMatching(/fewer than the 30 .*history was dropped/),
    });
    // Same size, other root.
    expect(
      await witness(kept.slice(1, 2), rewritten.checkpoint(10, 9), rewritten.consistency),
    ).toMatchObject({ ok: true });
    expect(
      await witness(kept.slice(2, 3), rewritten.checkpoint(20, 9), rewritten.consistency),
    ).toMatchObject({
      ok: false,
      line: 3,
      reason: expect.stringMatching(/same size but another root/),
    });
  });

  it('refuses a witness file line that is not JSON or not signed by a trusted key', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'witness-')), 'checkpoints.jsonl');
    const other = signingKeyFromPem(generateSigningKeyPem());
    const good = JSON.stringify({ note: log(honest).checkpoint(3, 1).note, savedAt: '' });
    await writeFile(file, `${good}\n\n{oops\n`);
    await expect(readWitnessFile(file, [key.publicKey])).rejects.toThrow(
      new WitnessFileError(3, 'not a JSON line'),
    );
    await writeFile(file, `${good}\n`);
    await expect(readWitnessFile(file, [other.publicKey])).rejects.toThrow(/line 1: not signed/);
    expect(await readFile(file, 'utf8')).toBe(`${good}\n`);
    expect(await readWitnessFile(join(file, '..', 'none.jsonl'), [key.publicKey])).toEqual([]);
  });
});
