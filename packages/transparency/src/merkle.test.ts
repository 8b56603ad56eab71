import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Frontier } from './frontier.ts';
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  type NodeSource,
  nodeMap,
  nodesNeeded,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
import { ReferenceTree } from './reference.ts';
import { foldedSource, isStoredLevel, storedCovers } from './stored-levels.ts';

// The reference (reference.ts) is written from RFC 9162 section 2.1 over the leaves themselves:
// MTH by its recursive definition (2.1.1), PATH (2.1.3.1) and PROOF/SUBPROOF (2.1.4.1). The
// module under test builds proofs from stored perfect subtrees, which a `Frontier` wrote while
// appending; both must give the same roots and proofs for every tree of 1 to 1000 leaves, and
// the RFC's verification algorithms must accept them and refuse altered ones.

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const MAX = 1000;
const data = Array.from({ length: MAX }, (_, i) => Buffer.from(`leaf ${i}`));
const reference = new ReferenceTree(data.map((d) => sha(Buffer.from([0]), d)));
const mth = (lo: number, hi: number) => reference.mth(lo, hi);

/** The stored tree: every subtree a frontier completed while appending the MAX leaves. */
const stored = new Map<string, Buffer>();
const frontier = Frontier.empty();
const roots: Buffer[] = [EMPTY_ROOT];
for (const d of data) {
  for (const node of frontier.append(sha(Buffer.from([0]), d))) {
    stored.set(`${node.level}:${node.index}`, node.hash);
  }
  roots.push(frontier.root());
}
const nodes: NodeSource = (level, index) => {
  const hash = stored.get(`${level}:${index}`);
  if (!hash) throw new Error(`no node ${level}:${index}`);
  return hash;
};

/** Indexes to check in a tree of n: all for small trees, else the edges and around powers of two. */
function sample(n: number, every = 64): number[] {
  if (n <= every) return Array.from({ length: n }, (_, i) => i);
  const picks = new Set([0, 1, n - 2, n - 1, Math.floor(n / 2), (n * 7919) % n]);
  for (let p = 2; p < n; p *= 2) for (const x of [p - 1, p, p + 1]) if (x < n) picks.add(x);
  return [...picks].sort((a, b) => a - b);
}

const flip = (b: Buffer) => {
  const copy = Buffer.from(b);
  copy[0] = copy[0]! ^ 1;
  return copy;
};

describe('Merkle tree (RFC 9162)', () => {
  it('has the RFC root for every tree of 0 to 1000 leaves, appended one by one', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    for (let n = 0; n <= MAX; n++) {
      expect(roots[n]!.equals(mth(0, n)), `size ${n}`).toBe(true);
      expect(treeRoot(n, nodes).equals(mth(0, n)), `size ${n}`).toBe(true);
    }
  });

  it('gives the RFC inclusion proofs for trees of 1 to 1000 leaves, and they verify', () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      const root = mth(0, n);
      for (const m of sample(n)) {
        const expected = reference.path(m, n);
        const proof = inclusionProof(m, n, nodes);
        expect(
          proof.map((p) => p.toString('hex')),
          `leaf ${m} of ${n}`,
        ).toEqual(expected.map((p) => p.toString('hex')));
        const leaf = mth(m, m + 1);
        expect(verifyInclusion(m, n, leaf, proof, root), `leaf ${m} of ${n}`).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('gives the RFC consistency proofs between trees of 1 to 1000 leaves, and they verify', () => {
    let checked = 0;
    for (let n = 1; n <= MAX; n++) {
      for (const m of sample(n + 1)) {
        const expected = reference.consistency(m, n);
        const proof = consistencyProof(m, n, nodes);
        expect(
          proof.map((p) => p.toString('hex')),
          `${m} to ${n}`,
        ).toEqual(expected.map((p) => p.toString('hex')));
        expect(verifyConsistency(m, n, mth(0, m), mth(0, n), proof), `${m} to ${n}`).toBe(true);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('refuses an inclusion proof for another leaf, index, size or root, or with a hash altered', () => {
    for (const [m, n] of [
      [0, 1],
      [0, 2],
      [5, 7],
      [6, 7],
      [511, 512],
      [512, 1000],
      [999, 1000],
    ] as const) {
      const proof = inclusionProof(m, n, nodes);
      const root = mth(0, n);
      const leaf = mth(m, m + 1);
      expect(verifyInclusion(m, n, leaf, proof, root)).toBe(true);
      expect(verifyInclusion(m, n, mth(m === 0 ? 1 : 0, m === 0 ? 2 : 1), proof, root)).toBe(false);
      expect(verifyInclusion(m, n, leaf, proof, flip(root))).toBe(false);
      if (n > 1) {
        expect(verifyInclusion((m + 1) % n, n, leaf, proof, root)).toBe(false);
        expect(
          verifyInclusion(m, n, leaf, [...proof.slice(0, -1), flip(proof.at(-1)!)], root),
        ).toBe(false);
        expect(verifyInclusion(m, n, leaf, proof.slice(0, -1), root)).toBe(false);
        expect(verifyInclusion(m, n, leaf, [...proof, proof[0]!], root)).toBe(false);
      }
      if (n < MAX) expect(verifyInclusion(m, n + 1, leaf, proof, mth(0, n + 1))).toBe(false);
      expect(verifyInclusion(n, n, leaf, proof, root)).toBe(false);
      expect(verifyInclusion(-1, n, leaf, proof, root)).toBe(false);
    }
  });

  it('refuses a consistency proof with a root, size or hash altered', () => {
    for (const [m, n] of [
      [1, 2],
      [3, 7],
      [4, 7],
      [6, 8],
      [511, 1000],
      [512, 1000],
      [999, 1000],
    ] as const) {
      const proof = consistencyProof(m, n, nodes);
      const [old, now] = [mth(0, m), mth(0, n)];
      expect(verifyConsistency(m, n, old, now, proof)).toBe(true);
      expect(verifyConsistency(m, n, flip(old), now, proof)).toBe(false);
      expect(verifyConsistency(m, n, old, flip(now), proof)).toBe(false);
      expect(verifyConsistency(m, n, old, now, proof.map(flip))).toBe(false);
      expect(verifyConsistency(m, n, old, now, proof.slice(1))).toBe(false);
      expect(verifyConsistency(m + 1, n, mth(0, m + 1), now, proof)).toBe(false);
      expect(verifyConsistency(n, m, now, old, proof)).toBe(false);
    }
    // The edges: from nothing, and to itself.
    expect(verifyConsistency(0, 7, EMPTY_ROOT, mth(0, 7), [])).toBe(true);
    expect(verifyConsistency(7, 7, mth(0, 7), mth(0, 7), [])).toBe(true);
    expect(verifyConsistency(7, 7, mth(0, 7), mth(0, 6), [])).toBe(false);
    expect(verifyConsistency(3, 7, mth(0, 3), mth(0, 7), [])).toBe(false);
  });

  it('says which stored subtrees a proof needs, so storage fetches them at once', () => {
    const keys = nodesNeeded((source) => inclusionProof(700, 1000, source));
    const fetched = nodeMap(keys.map((key) => [key, nodes(key.level, key.index)]));
    expect(inclusionProof(700, 1000, fetched)).toEqual(inclusionProof(700, 1000, nodes));
    // Logarithmic: one subtree per level, a few more on the right edge.
    expect(keys.length).toBeLessThanOrEqual(20);
    const frontierKeys = Frontier.keys(1000);
    const loaded = Frontier.load(
      1000,
      nodeMap(frontierKeys.map((key) => [key, nodes(key.level, key.index)])),
    );
    expect(loaded.root().equals(mth(0, 1000))).toBe(true);
    expect(() => inclusionProof(1000, 1000, nodes)).toThrow(RangeError);
    expect(() => consistencyProof(8, 7, nodes)).toThrow(RangeError);
  });

  it('gives the same roots and proofs from the leaves and every 4th level only', () => {
    const sparse: NodeSource = (level, index) => {
      if (!isStoredLevel(level, 4)) throw new Error(`level ${level} is not stored`);
      return nodes(level, index);
    };
    const folded = foldedSource(sparse, 4);
    for (const n of [1, 2, 3, 15, 16, 17, 255, 256, 257, 700, 1000]) {
      expect(treeRoot(n, folded).equals(mth(0, n)), `size ${n}`).toBe(true);
      for (const m of sample(n)) {
        expect(inclusionProof(m, n, folded), `leaf ${m} of ${n}`).toEqual(reference.path(m, n));
        expect(consistencyProof(m + 1, n, folded), `${m + 1} to ${n}`).toEqual(
          reference.consistency(m + 1, n),
        );
      }
    }
    // What storage fetches for a proof: stored levels only, a few per level at most.
    const keys = nodesNeeded((source) => inclusionProof(700, 1000, source));
    const covers = storedCovers(keys, 4);
    expect(covers.every((key) => key.level % 4 === 0)).toBe(true);
    expect(covers.length).toBeLessThanOrEqual(keys.length * 8);
    const fetched = foldedSource(
      nodeMap(covers.map((key) => [key, nodes(key.level, key.index)])),
      4,
    );
    expect(inclusionProof(700, 1000, fetched)).toEqual(inclusionProof(700, 1000, nodes));
    expect(() => foldedSource(sparse, 0)).toThrow(RangeError);
  });
});
