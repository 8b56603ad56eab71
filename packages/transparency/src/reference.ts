import { createHash } from 'node:crypto';

// A reference for tests, written from RFC 9162 section 2.1 over the leaf hashes themselves: MTH
// by its recursive definition (2.1.1), PATH (2.1.3.1) and PROOF/SUBPROOF (2.1.4.1), with no
// stored subtrees, frontier or fold. What the log computes must equal what this says.

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** k: the largest power of two smaller than n (n > 1), as the RFC says. */
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

export class ReferenceTree {
  private readonly cache = new Map<string, Buffer>();

  /** Over these leaf hashes (SHA-256(0x00 ‖ leaf data)), in order. */
  constructor(private readonly leaves: readonly Buffer[]) {}

  /** MTH(D[lo:hi]), memoised by range. */
  mth(lo: number, hi: number): Buffer {
    const key = `${lo}:${hi}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const n = hi - lo;
    const hash =
      n === 0
        ? sha()
        : n === 1
          ? this.leaves[lo]!
          : sha(Buffer.from([1]), this.mth(lo, lo + k(n)), this.mth(lo + k(n), hi));
    this.cache.set(key, hash);
    return hash;
  }

  /** The root of the tree of the first n leaves. */
  root(n: number): Buffer {
    return this.mth(0, n);
  }

  /** PATH(m, D[n]): the inclusion proof of leaf m in the tree of the first n leaves. */
  path(m: number, n: number): Buffer[] {
    return this.pathIn(m, 0, n);
  }

  /** PROOF(m, D[n]): the consistency proof from the tree of m leaves to that of n. */
  consistency(m: number, n: number): Buffer[] {
    return m === 0 ? [] : this.subproof(m, 0, n, true);
  }

  private pathIn(m: number, lo: number, hi: number): Buffer[] {
    const n = hi - lo;
    if (n === 1) return [];
    const split = k(n);
    return m < split
      ? [...this.pathIn(m, lo, lo + split), this.mth(lo + split, hi)]
      : [...this.pathIn(m - split, lo + split, hi), this.mth(lo, lo + split)];
  }

  private subproof(m: number, lo: number, hi: number, b: boolean): Buffer[] {
    const n = hi - lo;
    if (m === n) return b ? [] : [this.mth(lo, hi)];
    const split = k(n);
    return m <= split
      ? [...this.subproof(m, lo, lo + split, b), this.mth(lo + split, hi)]
      : [...this.subproof(m - split, lo + split, hi, false), this.mth(lo, lo + split)];
  }
}
