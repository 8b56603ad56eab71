import { createHash, hash } from 'node:crypto';

// The Merkle tree of RFC 9162 (section 2.1): leaf and node hashes domain-separated by a prefix
// byte, inclusion and consistency proofs, and their verification. Proofs are made from the
// hashes of perfect subtrees (a log stores those: they never change once complete), fetched
// through a `NodeSource`; `nodesNeeded` says which ones a proof will ask for, so that storage
// can fetch them in one query.
//
// Sizes and indexes are plain numbers (exact up to 2^53): arithmetic, never bitwise operators,
// which would cut them to 32 bits.

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256(0x00 ‖ data): the hash of a leaf. */
export function leafHash(data: Uint8Array): Buffer {
  // One-shot hashing: a builder hashes every event and every node; a Hash object per call cost
  // it more than the copy.
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right): the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
}

/** The root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/**
 * A perfect subtree: the 2^level leaves from `index · 2^level`. Level 0 is a leaf; its hash is
 * the leaf hash.
 */
export interface NodeKey {
  level: number;
  index: number;
}

/** The hash of a complete subtree (throws when storage does not have it). */
export type NodeSource = (level: number, index: number) => Uint8Array;

function assertSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

function isPowerOfTwo(n: number): boolean {
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}

/** log2 of a power of two. */
function levelOf(size: number): number {
  let level = 0;
  for (let p = 1; p < size; p *= 2) level += 1;
  return level;
}

/** The largest power of two smaller than n (n >= 2): where RFC 9162 splits a tree. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * MTH(D[lo:hi]) for a range the RFC's recursion reaches: a perfect subtree aligned to its size,
 * or a right edge made of perfect subtrees.
 */
function rangeHash(lo: number, hi: number, nodes: NodeSource): Uint8Array {
  const size = hi - lo;
  if (isPowerOfTwo(size) && lo % size === 0) return nodes(levelOf(size), lo / size);
  const k = splitPoint(size);
  return nodeHash(rangeHash(lo, lo + k, nodes), rangeHash(lo + k, hi, nodes));
}

/** MTH(D[size]): the root of the tree of the first `size` leaves. */
export function treeRoot(size: number, nodes: NodeSource): Buffer {
  assertSize('size', size);
  return size === 0 ? EMPTY_ROOT : Buffer.from(rangeHash(0, size, nodes));
}

/** PATH(index, D[size]) of RFC 9162 2.1.3.1, the leaf's sibling first. */
export function inclusionProof(index: number, size: number, nodes: NodeSource): Buffer[] {
  assertSize('index', index);
  assertSize('size', size);
  if (index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path: Buffer[] = [];
  const walk = (lo: number, hi: number) => {
    if (hi - lo === 1) return;
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      walk(lo, lo + k);
      path.push(Buffer.from(rangeHash(lo + k, hi, nodes)));
    } else {
      walk(lo + k, hi);
      path.push(Buffer.from(rangeHash(lo, lo + k, nodes)));
    }
  };
  walk(0, size);
  return path;
}

/** PROOF(from, D[to]) of RFC 9162 2.1.4.1; empty when `from` is 0 or `to`. */
export function consistencyProof(from: number, to: number, nodes: NodeSource): Buffer[] {
  assertSize('from', from);
  assertSize('to', to);
  if (from > to) throw new RangeError(`a tree of ${from} cannot precede one of ${to}`);
  if (from === 0 || from === to) return [];
  const proof: Buffer[] = [];
  // SUBPROOF(m, D[lo:hi], whole): m counts leaves from lo.
  const sub = (m: number, lo: number, hi: number, whole: boolean) => {
    if (m === hi - lo) {
      if (!whole) proof.push(Buffer.from(rangeHash(lo, hi, nodes)));
      return;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      sub(m, lo, lo + k, whole);
      proof.push(Buffer.from(rangeHash(lo + k, hi, nodes)));
    } else {
      sub(m - k, lo + k, hi, false);
      proof.push(Buffer.from(rangeHash(lo, lo + k, nodes)));
    }
  };
  sub(from, 0, to, true);
  return proof;
}

/** The subtrees `compute` asks its `NodeSource` for (it runs once on placeholder hashes). */
export function nodesNeeded(compute: (nodes: NodeSource) => unknown): NodeKey[] {
  const keys = new Map<string, NodeKey>();
  const placeholder = Buffer.alloc(HASH_SIZE);
  compute((level, index) => {
    keys.set(`${level}:${index}`, { level, index });
    return placeholder;
  });
  return [...keys.values()];
}

/** A `NodeSource` over fetched hashes, keyed `level:index`. */
export function nodeMap(entries: Iterable<[NodeKey, Uint8Array]>): NodeSource {
  const map = new Map<string, Uint8Array>();
  for (const [key, hash] of entries) map.set(`${key.level}:${key.index}`, hash);
  return (level, index) => {
    const hash = map.get(`${level}:${index}`);
    if (!hash) throw new Error(`subtree ${level}:${index} is not stored`);
    return hash;
  };
}

const isOdd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/**
 * The root an inclusion proof leads to (RFC 9162 2.1.3.2), or undefined when the proof cannot
 * be one for that index and size.
 */
export function rootFromInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0) return undefined;
  if (index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? Buffer.from(r) : undefined;
}

/** Whether `leaf` is leaf `index` of the tree of `size` leaves whose root is `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusion(index, size, leaf, proof);
  return computed?.equals(root) === true;
}

/**
 * Whether the tree of `to` leaves with root `toRoot` extends the tree of `from` leaves with
 * root `fromRoot` (RFC 9162 2.1.4.2).
 */
export function verifyConsistency(
  from: number,
  to: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) {
    return false;
  }
  // Every tree extends the empty one; a tree extends itself only with its own root.
  if (from === 0) return proof.length === 0 && Buffer.from(fromRoot).equals(EMPTY_ROOT);
  if (from === to) return proof.length === 0 && Buffer.from(fromRoot).equals(toRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : [...proof];
  let fn = from - 1;
  let sn = to - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return (
    sn === 0 && Buffer.from(fr).equals(Buffer.from(fromRoot)) && Buffer.from(sr).equals(toRoot)
  );
}
