import { describe, expect, it } from 'vitest';
import { base32Encode } from '../src-shared/base32.js';
import { taggedHash } from '../src-main/core/crypto/hashes.js';
import { BadHashError, HashTree, PartialHashTree, neededHashes } from '../src-main/core/hash-tree.js';
import { readVectorJson } from './support/vectors.js';

const leaf = (i: number) => taggedHash('tag', new TextEncoder().encode(String(i)));

describe('hash trees', () => {
  it('matches Tahoe’s known 3-leaf tree, node for node', () => {
    const known = readVectorJson<{ merkle_tree_known_answer: { nodes_breadth_first_b32: string[] } }>('hash-known-answers.json');
    const tree = new HashTree([0, 1, 2].map(leaf));
    expect(tree.nodes.map(base32Encode)).toEqual(known.merkle_tree_known_answer.nodes_breadth_first_b32);
    expect(tree.serialize().length).toBe(7 * 32);
  });

  it('a single leaf is its own root', () => {
    const tree = new HashTree([leaf(0)]);
    expect(tree.root).toEqual(leaf(0));
    expect(neededHashes(1, 0, true)).toEqual([0]);
  });

  it('lists the sibling path of a leaf', () => {
    expect(neededHashes(10, 0, true)).toEqual([2, 4, 8, 15, 16]);
    expect(neededHashes(10, 0)).toEqual([2, 4, 8, 16]);
    expect(neededHashes(3, 2)).toEqual([1, 6]);
    expect(() => neededHashes(3, 3)).toThrow(RangeError);
  });

  it('verifies every leaf of trees of many sizes, and names a bad leaf', () => {
    for (const count of [1, 2, 3, 5, 8, 13, 33]) {
      const leaves = Array.from({ length: count }, (_, i) => leaf(i));
      const tree = new HashTree(leaves);
      const partial = new PartialHashTree(count, tree.root);
      for (let m = 0; m < count; m++) {
        expect(partial.missingFor(m).every((i) => tree.nodes[i] !== undefined)).toBe(true);
        const hashes = new Map(partial.missingFor(m).map((i) => [i, tree.nodes[i]!]));
        partial.verifyLeaf(m, leaves[m]!, hashes);
      }
      const fresh = new PartialHashTree(count, tree.root);
      const bad = count - 1;
      const hashes = tree.neededFor(bad);
      let caught: unknown;
      try {
        fresh.verifyLeaf(bad, leaf(999), hashes);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(BadHashError);
      expect((caught as BadHashError).leaf).toBe(bad);
      // The failure left nothing trusted: the right leaf still verifies.
      fresh.verifyLeaf(bad, leaves[bad]!, hashes);
    }
  });

  it('rejects a forged sibling hash and asks for missing ones', () => {
    const leaves = Array.from({ length: 6 }, (_, i) => leaf(i));
    const tree = new HashTree(leaves);
    const partial = new PartialHashTree(6, tree.root);
    const hashes = tree.neededFor(1);
    hashes.set(hashes.keys().next().value!, leaf(42));
    expect(() => partial.verifyLeaf(1, leaves[1]!, hashes)).toThrow(BadHashError);
    expect(() => partial.verifyLeaf(1, leaves[1]!, new Map())).toThrow(/needed to check leaf 1/);
  });

  it('a forward reader can forget what it no longer needs and still verify the rest', () => {
    const count = 1000;
    const leaves = Array.from({ length: count }, (_, i) => leaf(i));
    const tree = new HashTree(leaves);
    const partial = new PartialHashTree(count, tree.root);
    let mostHeld = 0;
    let fetched = 0;
    for (let m = 0; m < count; m++) {
      const missing = partial.missingFor(m);
      fetched += missing.length;
      partial.verifyLeaf(m, leaves[m]!, new Map(missing.map((i) => [i, tree.nodes[i]!])));
      partial.forgetBefore(m + 1);
      let held = 0;
      for (let i = 0; i < tree.nodes.length; i++) if (partial.get(i) !== undefined) held++;
      mostHeld = Math.max(mostHeld, held);
    }
    expect(mostHeld).toBeLessThanOrEqual(2 * 10 + 1); // O(log P), P = 1024
    expect(fetched).toBeLessThan(2 * count); // each node fetched about once
  });
});
