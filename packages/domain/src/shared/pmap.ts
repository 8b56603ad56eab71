// A persistent (immutable) string-keyed map: a hash trie of 32-way branches. `set` copies one
// path of small arrays, so folding 10,000 ballots or units stays linear while every state a
// fold produced stays valid (the command service caches states; evolve must not mutate).
// Plain data: equal insertion histories give structurally equal maps.

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;
/** Leaves split above this size until the 32 hash bits are used up. */
const LEAF_MAX = 16;
const MAX_DEPTH = 7;

type Entry<V> = readonly [key: string, value: V];
type Node<V> =
  | { readonly leaf: readonly Entry<V>[] }
  | { readonly branch: readonly (Node<V> | undefined)[] };

export interface PMap<V> {
  readonly size: number;
  readonly root: Node<V>;
}

export function emptyPMap<V>(): PMap<V> {
  return { size: 0, root: { leaf: [] } };
}

/** FNV-1a, 32 bits: stable across runs and machines. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const slot = (h: number, depth: number): number => (h >>> (depth * BITS)) & MASK;

export function pget<V>(map: PMap<V>, key: string): V | undefined {
  const h = hash(key);
  let node = map.root;
  let depth = 0;
  while ('branch' in node) {
    const child = node.branch[slot(h, depth)];
    if (child === undefined) return undefined;
    node = child;
    depth++;
  }
  for (const [k, v] of node.leaf) if (k === key) return v;
  return undefined;
}

export function phas<V>(map: PMap<V>, key: string): boolean {
  return pget(map, key) !== undefined;
}

export function pset<V>(map: PMap<V>, key: string, value: V): PMap<V> {
  const result = setIn(map.root, key, hash(key), value, 0);
  return { size: map.size + (result.added ? 1 : 0), root: result.node };
}

/** Applies `update` to the current value (undefined when absent). */
export function pupdate<V>(
  map: PMap<V>,
  key: string,
  update: (value: V | undefined) => V,
): PMap<V> {
  return pset(map, key, update(pget(map, key)));
}

function setIn<V>(
  node: Node<V>,
  key: string,
  h: number,
  value: V,
  depth: number,
): { node: Node<V>; added: boolean } {
  if ('branch' in node) {
    const i = slot(h, depth);
    const child = node.branch[i] ?? { leaf: [] };
    const result = setIn(child, key, h, value, depth + 1);
    const branch = node.branch.slice();
    branch[i] = result.node;
    return { node: { branch }, added: result.added };
  }
  const at = node.leaf.findIndex(([k]) => k === key);
  if (at >= 0) {
    const leaf = node.leaf.slice();
    leaf[at] = [key, value];
    return { node: { leaf }, added: false };
  }
  const leaf = [...node.leaf, [key, value] as const];
  if (leaf.length <= LEAF_MAX || depth >= MAX_DEPTH) return { node: { leaf }, added: true };
  // Split: distribute the entries over a new branch by their next hash slice.
  const branch: (Node<V> | undefined)[] = new Array<Node<V> | undefined>(WIDTH).fill(undefined);
  for (const entry of leaf) {
    const i = slot(hash(entry[0]), depth);
    const child = branch[i];
    branch[i] = { leaf: child && 'leaf' in child ? [...child.leaf, entry] : [entry] };
  }
  return { node: { branch }, added: true };
}

/** Entries in trie order (by hash): stable for a given content, not insertion order. */
export function* pentries<V>(map: PMap<V>): Generator<Entry<V>> {
  const stack: Node<V>[] = [map.root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ('leaf' in node) {
      yield* node.leaf;
    } else {
      for (let i = WIDTH - 1; i >= 0; i--) {
        const child = node.branch[i];
        if (child !== undefined) stack.push(child);
      }
    }
  }
}

export function* pvalues<V>(map: PMap<V>): Generator<V> {
  for (const [, value] of pentries(map)) yield value;
}

export function pfromEntries<V>(entries: Iterable<readonly [string, V]>): PMap<V> {
  let map = emptyPMap<V>();
  for (const [k, v] of entries) map = pset(map, k, v);
  return map;
}
