import { type NodeKey, type NodeSource, nodeHash } from './merkle.ts';

// A log need not store every complete subtree. Storing the leaves and every `stride`-th level
// above them keeps an append's writes near one row per leaf (a tree that stores every level
// writes a second row per leaf); any other subtree is the fold of at most 2^(stride-1) stored
// subtrees below it, which a proof reads in the same query as the rest.

function assertStride(stride: number): void {
  if (!Number.isSafeInteger(stride) || stride < 1 || stride > 16) {
    throw new RangeError(`a stride of stored levels must be 1 to 16, got ${stride}`);
  }
}

/** Whether a log that stores every `stride`-th level stores subtrees of this level. */
export function isStoredLevel(level: number, stride: number): boolean {
  assertStride(stride);
  return level % stride === 0;
}

/** The stored subtrees a subtree is folded from, left to right (itself when stored). */
export function storedCover(key: NodeKey, stride: number): NodeKey[] {
  assertStride(stride);
  const base = key.level - (key.level % stride);
  const width = 2 ** (key.level - base);
  return Array.from({ length: width }, (_, i) => ({ level: base, index: key.index * width + i }));
}

/** The stored subtrees the subtrees `keys` are folded from, each once. */
export function storedCovers(keys: readonly NodeKey[], stride: number): NodeKey[] {
  const covers = new Map<string, NodeKey>();
  for (const key of keys) {
    for (const stored of storedCover(key, stride))
      covers.set(`${stored.level}:${stored.index}`, stored);
  }
  return [...covers.values()];
}

/** A `NodeSource` over the stored levels only: other subtrees are folded from those below. */
export function foldedSource(stored: NodeSource, stride: number): NodeSource {
  assertStride(stride);
  const fold = (level: number, index: number, base: number): Uint8Array =>
    level === base
      ? stored(level, index)
      : nodeHash(fold(level - 1, 2 * index, base), fold(level - 1, 2 * index + 1, base));
  return (level, index) => fold(level, index, level - (level % stride));
}
