import { EMPTY_ROOT, type NodeKey, type NodeSource, nodeHash } from './merkle.ts';

/** A subtree completed by an append, to be stored. */
export interface NewNode extends NodeKey {
  hash: Buffer;
}

/**
 * The right edge of a growing tree: one perfect subtree per bit set in its size, which is all
 * an append needs. Appending a leaf completes the subtrees it closes (the leaf itself, then
 * each parent whose left sibling was on the edge); those are the nodes to store.
 */
export class Frontier {
  /** By level: the perfect subtree on the edge at that level, when the size has that bit. */
  private readonly edge: (Buffer | undefined)[] = [];

  private constructor(private count: number) {}

  static empty(): Frontier {
    return new Frontier(0);
  }

  /** The subtrees on the edge of a tree of `size` leaves: what `load` reads. */
  static keys(size: number): NodeKey[] {
    const keys: NodeKey[] = [];
    let rest = size;
    for (let level = 0, width = 1; rest > 0; level++, width *= 2) {
      if (rest % 2 === 1) keys.push({ level, index: Math.floor(size / width) - 1 });
      rest = Math.floor(rest / 2);
    }
    return keys;
  }

  /** The frontier of a stored tree of `size` leaves. */
  static load(size: number, nodes: NodeSource): Frontier {
    const frontier = new Frontier(size);
    for (const { level, index } of Frontier.keys(size)) {
      frontier.edge[level] = Buffer.from(nodes(level, index));
    }
    return frontier;
  }

  get size(): number {
    return this.count;
  }

  /** Appends a leaf (its leaf hash); returns the subtrees it completed, the leaf first. */
  append(leaf: Buffer): NewNode[] {
    const completed: NewNode[] = [{ level: 0, index: this.count, hash: leaf }];
    let hash = leaf;
    let level = 0;
    let index = this.count;
    while (index % 2 === 1) {
      const left = this.edge[level];
      if (!left) throw new Error(`frontier has no subtree at level ${level}`);
      hash = nodeHash(left, hash);
      this.edge[level] = undefined;
      level += 1;
      index = (index - 1) / 2;
      completed.push({ level, index, hash });
    }
    this.edge[level] = hash;
    this.count += 1;
    return completed;
  }

  /** MTH of the tree so far: the edge's subtrees folded from the smallest. */
  root(): Buffer {
    let root: Buffer | undefined;
    for (const subtree of this.edge) {
      if (subtree) root = root ? nodeHash(subtree, root) : subtree;
    }
    return root ?? EMPTY_ROOT;
  }
}
