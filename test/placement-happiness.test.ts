import { describe, expect, it } from 'vitest';
import { maximumMatching } from '../src-main/grid/placement/bipartite-matching.js';
import { happiness } from '../src-main/grid/placement/happiness.js';

const placementOf = (entries: Record<string, number[]>) =>
  new Map(Object.entries(entries).map(([server, shares]) => [server, new Set(shares)]));

/** Largest set of servers that can each hold a different share, by trying every choice. */
function bruteForceHappiness(placement: ReadonlyMap<string, ReadonlySet<number>>): number {
  const servers = [...placement.values()].map((shares) => [...shares]);
  const best = (i: number, used: Set<number>): number => {
    if (i === servers.length) return 0;
    let most = best(i + 1, used); // server i contributes nothing
    for (const share of servers[i]!) {
      if (used.has(share)) continue;
      used.add(share);
      most = Math.max(most, 1 + best(i + 1, used));
      used.delete(share);
    }
    return most;
  };
  return best(0, new Set());
}

/** Deterministic PRNG (mulberry32) so a failing case can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('happiness', () => {
  it('is 0 with no servers or no shares', () => {
    expect(happiness(new Map())).toBe(0);
    expect(happiness(placementOf({ a: [], b: [] }))).toBe(0);
  });

  it('counts a server once however many shares it holds', () => {
    expect(happiness(placementOf({ a: [0, 1, 2, 3] }))).toBe(1);
  });

  it('counts a share once however many servers hold it', () => {
    expect(happiness(placementOf({ a: [5], b: [5], c: [5] }))).toBe(1);
  });

  it('is N when each server holds its own share', () => {
    expect(happiness(placementOf({ a: [0], b: [1], c: [2], d: [3] }))).toBe(4);
  });

  it('finds the matching where greedy choice fails', () => {
    // Greedy gives a share 0, then b (which holds only 0) gets nothing: 1. Matching: a→1, b→0.
    expect(happiness(placementOf({ a: [0, 1], b: [0] }))).toBe(2);
    // A longer augmenting path: d must push c, c pushes b, b pushes a onto share 3.
    expect(happiness(placementOf({ a: [0, 3], b: [0, 1], c: [1, 2], d: [2] }))).toBe(4);
  });

  it('is limited by Hall-violating groups', () => {
    // a, b and c hold only shares 0 and 1 between them: at most 2 of them count.
    expect(happiness(placementOf({ a: [0, 1], b: [0, 1], c: [1], d: [2, 3], e: [3] }))).toBe(4);
  });

  it('handles a full grid of 300 servers × 256 shares quickly', () => {
    const all = Array.from({ length: 256 }, (_, i) => i);
    const placement = new Map(Array.from({ length: 300 }, (_, i) => [`s${i}`, new Set(all)]));
    expect(happiness(placement)).toBe(256);
    // a sparse ring: server i holds shares i and i+1 (mod 256)
    const ring = new Map(Array.from({ length: 256 }, (_, i) => [`s${i}`, new Set([i, (i + 1) % 256])]));
    expect(happiness(ring)).toBe(256);
  });

  it('agrees with brute force on 500 random small graphs', () => {
    const random = prng(1);
    for (let round = 0; round < 500; round++) {
      const serverCount = Math.floor(random() * 7);
      const shareCount = 1 + Math.floor(random() * 7);
      const density = random();
      const placement = new Map(
        Array.from({ length: serverCount }, (_, s) => [
          `s${s}`,
          new Set(Array.from({ length: shareCount }, (_, n) => n).filter(() => random() < density)),
        ]),
      );
      expect(happiness(placement), JSON.stringify([...placement].map(([k, v]) => [k, [...v]]))).toBe(
        bruteForceHappiness(placement),
      );
    }
  });
});

describe('maximumMatching', () => {
  it('returns a valid matching in left order', () => {
    const matching = maximumMatching(['a', 'b', 'c', 'd'], (v) => ({ a: [0, 3], b: [0, 1], c: [1, 2], d: [2] })[v] ?? []);
    expect([...matching.keys()]).toEqual(['a', 'b', 'c', 'd']);
    expect(new Set(matching.values()).size).toBe(4);
  });

  it('prefers earlier left vertices among maximum matchings', () => {
    // Only one of a, b, c can have share 0; a is first.
    expect([...maximumMatching(['a', 'b', 'c'], () => [0]).keys()]).toEqual(['a']);
    // Two shares for three servers: {a, b} and {a, c} are both maximum; a greedy start
    // (a→1, c→2) would end with {a, c}. b comes before c, so a moves over to make room for b.
    const m = maximumMatching(['a', 'b', 'c'], (v) => ({ a: [1, 2], b: [1], c: [2] })[v] ?? []);
    expect(m).toEqual(new Map([['a', 2], ['b', 1]]));
  });
});
