import { HASH_SIZE, taggedHash, taggedPairHash } from './crypto/hashes.js';
import { MERKLE_EMPTY_LEAF_TAG, MERKLE_INTERNAL_NODE_TAG } from './crypto/tags.js';
import { equalBytes } from './bytes.js';

// Tahoe's Merkle trees (chk-format.md §9): leaves padded to a power of two with
// tagged "empty leaf" hashes, nodes in one breadth-first array, root at index 0,
// children of i at 2i+1 and 2i+2, leaf m at index P-1+m.

const encoder = new TextEncoder();

export function emptyLeafHash(position: number): Uint8Array {
  return taggedHash(MERKLE_EMPTY_LEAF_TAG, encoder.encode(String(position)));
}

export function internalNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return taggedPairHash(MERKLE_INTERNAL_NODE_TAG, left, right);
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Number of nodes (2P-1) in a tree over `leafCount` leaves. */
export function treeNodeCount(leafCount: number): number {
  return 2 * nextPowerOfTwo(leafCount) - 1;
}

export function parentOf(index: number): number {
  return (index - 1) >> 1;
}

export function siblingOf(index: number): number {
  return index % 2 === 1 ? index + 1 : index - 1;
}

/** Tree-array index of leaf `leaf` in a tree over `leafCount` leaves. */
export function leafNodeIndex(leafCount: number, leaf: number): number {
  return nextPowerOfTwo(leafCount) - 1 + leaf;
}

/** The sibling indices on the path from a leaf to the root (root excluded), ascending. */
export function neededHashes(leafCount: number, leaf: number, includeLeaf = false): number[] {
  if (!Number.isInteger(leaf) || leaf < 0 || leaf >= leafCount) {
    throw new RangeError(`leaf ${leaf} is outside a tree of ${leafCount} leaves`);
  }
  let index = leafNodeIndex(leafCount, leaf);
  const needed = includeLeaf ? [index] : [];
  while (index > 0) {
    needed.push(siblingOf(index));
    index = parentOf(index);
  }
  return needed.sort((a, b) => a - b);
}

/** A complete tree built from its leaf hashes (the leaves are used as given, not re-hashed). */
export class HashTree {
  readonly nodes: Uint8Array[];
  readonly leafCount: number;

  constructor(leaves: readonly Uint8Array[]) {
    if (leaves.length === 0) throw new RangeError('a hash tree needs at least one leaf');
    this.leafCount = leaves.length;
    const width = nextPowerOfTwo(leaves.length);
    const nodes = new Array<Uint8Array>(2 * width - 1);
    for (let m = 0; m < width; m++) {
      const leaf = leaves[m];
      if (leaf !== undefined && leaf.length !== HASH_SIZE) throw new RangeError(`leaf ${m} is not ${HASH_SIZE} bytes`);
      nodes[width - 1 + m] = leaf ?? emptyLeafHash(m);
    }
    for (let i = width - 2; i >= 0; i--) {
      nodes[i] = internalNodeHash(nodes[2 * i + 1]!, nodes[2 * i + 2]!);
    }
    this.nodes = nodes;
  }

  get root(): Uint8Array {
    return this.nodes[0]!;
  }

  leaf(leaf: number): Uint8Array {
    return this.nodes[leafNodeIndex(this.leafCount, leaf)]!;
  }

  /** The hashes a reader needs to check `leaf` against the root, as (index → hash). */
  neededFor(leaf: number, includeLeaf = false): Map<number, Uint8Array> {
    return new Map(neededHashes(this.leafCount, leaf, includeLeaf).map((i) => [i, this.nodes[i]!]));
  }

  /** All 2P-1 nodes concatenated in index order (the form stored in a share). */
  serialize(): Uint8Array {
    const out = new Uint8Array(this.nodes.length * HASH_SIZE);
    this.nodes.forEach((node, i) => out.set(node, i * HASH_SIZE));
    return out;
  }
}

/** A hash did not match what the tree's trusted root implies. */
export class BadHashError extends Error {
  constructor(
    message: string,
    /** The tree-array index of the node that failed. */
    readonly nodeIndex: number,
    /** The leaf number when the failing node is a leaf. */
    readonly leaf?: number,
  ) {
    super(message);
    this.name = 'BadHashError';
  }
}

/**
 * A tree known only by its trusted root, to which a reader adds hashes as it reads them.
 * A hash is accepted only once its path up to an already-verified node checks out, so a
 * leaf is trusted exactly when it is consistent with the root.
 */
export class PartialHashTree {
  private readonly verified = new Map<number, Uint8Array>();
  private readonly width: number;

  constructor(readonly leafCount: number, root: Uint8Array) {
    if (leafCount < 1) throw new RangeError('a hash tree needs at least one leaf');
    this.width = nextPowerOfTwo(leafCount);
    this.verified.set(0, root);
  }

  /**
   * A tree whose every stored node (2P-1 hashes, index order, as a share holds it) has
   * been checked: each inner node against its children, padding leaves against their
   * empty-leaf hashes, and node 0 against the trusted root. Throws BadHashError naming
   * the first bad node.
   */
  static fromStoredTree(leafCount: number, root: Uint8Array, stored: Uint8Array): PartialHashTree {
    const tree = new PartialHashTree(leafCount, root);
    const count = 2 * tree.width - 1;
    if (stored.length !== count * HASH_SIZE) throw new BadHashError(`stored hash tree is ${stored.length} bytes, expected ${count * HASH_SIZE}`, 0);
    const node = (i: number) => stored.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
    if (!equalBytes(node(0), root)) throw new BadHashError('stored hash tree root does not match the trusted root', 0);
    for (let m = leafCount; m < tree.width; m++) {
      if (!equalBytes(node(tree.width - 1 + m), emptyLeafHash(m))) {
        throw new BadHashError(`stored hash tree padding leaf ${m} is wrong`, tree.width - 1 + m);
      }
    }
    for (let i = tree.width - 2; i >= 0; i--) {
      if (!equalBytes(node(i), internalNodeHash(node(2 * i + 1), node(2 * i + 2)))) {
        throw new BadHashError(`stored hash tree node ${i} does not match its children`, i);
      }
    }
    for (let i = 1; i < count; i++) tree.verified.set(i, node(i));
    return tree;
  }

  /** Indices still needed before leaf `leaf` can be checked (siblings on its path, not yet verified). */
  missingFor(leaf: number): number[] {
    const missing: number[] = [];
    let index = leafNodeIndex(this.leafCount, leaf);
    while (index > 0 && !this.verified.has(index)) {
      const sibling = siblingOf(index);
      if (!this.verified.has(sibling)) missing.push(sibling);
      index = parentOf(index);
    }
    return missing;
  }

  /**
   * Forgets verified nodes that only cover leaves before `leaf`, so a reader that moves
   * forward through a huge tree keeps O(log P) nodes, not O(P). The root is kept.
   */
  forgetBefore(leaf: number): void {
    for (const index of this.verified.keys()) {
      if (index !== 0 && this.lastLeafUnder(index) < leaf) this.verified.delete(index);
    }
  }

  /** The highest leaf position (padding included) in the subtree of node `index`. */
  private lastLeafUnder(index: number): number {
    let last = index;
    while (last < this.width - 1) last = 2 * last + 2;
    return last - (this.width - 1);
  }

  get(index: number): Uint8Array | undefined {
    return this.verified.get(index);
  }

  /**
   * Checks `leafHash` for leaf `leaf`, using `hashes` (index → hash) for the nodes this tree
   * has not yet verified. Padding leaves beyond leafCount are recomputed, never trusted.
   * On success every node on the path becomes verified; on failure nothing changes.
   */
  verifyLeaf(leaf: number, leafHash: Uint8Array, hashes: ReadonlyMap<number, Uint8Array> = new Map()): void {
    const leafIndex = leafNodeIndex(this.leafCount, leaf);
    const known = this.verified.get(leafIndex);
    if (known !== undefined) {
      if (!equalBytes(known, leafHash)) throw new BadHashError(`leaf ${leaf} does not match its verified hash`, leafIndex, leaf);
      return;
    }
    const lookup = (index: number): Uint8Array => {
      const m = index - (this.width - 1);
      if (m >= this.leafCount) return emptyLeafHash(m);
      const value = this.verified.get(index) ?? hashes.get(index);
      if (value === undefined) throw new RangeError(`hash tree node ${index} is needed to check leaf ${leaf}`);
      if (value.length !== HASH_SIZE) throw new BadHashError(`hash tree node ${index} is not ${HASH_SIZE} bytes`, index);
      return value;
    };
    const path: Array<[number, Uint8Array]> = [];
    let index = leafIndex;
    let value = leafHash;
    while (!this.verified.has(index)) {
      path.push([index, value]);
      const sibling = siblingOf(index);
      const siblingValue = lookup(sibling);
      path.push([sibling, siblingValue]);
      value = index % 2 === 1 ? internalNodeHash(value, siblingValue) : internalNodeHash(siblingValue, value);
      index = parentOf(index);
    }
    if (!equalBytes(this.verified.get(index)!, value)) {
      throw new BadHashError(
        `hash tree check failed for leaf ${leaf}: the path does not lead to the trusted hash at node ${index}`,
        leafIndex,
        leaf,
      );
    }
    for (const [i, v] of path) this.verified.set(i, v);
  }
}
