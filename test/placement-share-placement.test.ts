import { describe, expect, it } from 'vitest';
import { happiness } from '../src-main/grid/placement/happiness.js';
import {
  planSharePlacement,
  replanSharePlacement,
  type PlacementRequest,
  type PlacementServer,
  type SharePlan,
} from '../src-main/grid/placement/share-placement.js';

/** Deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const server = (id: string, writable: boolean, existing: number[] = []): PlacementServer => ({
  id,
  writable,
  existingShares: new Set(existing),
});

const fresh = (count: number): PlacementServer[] => range(count).map((i) => server(`s${i}`, true));

/** Maps as plain arrays, so toEqual also checks iteration order. */
const plain = (map: ReadonlyMap<string, ReadonlySet<number>>) => [...map].map(([id, shares]) => [id, [...shares]]);

/**
 * The best happiness any allocation could reach, by trying every choice: a writable server
 * can end up holding any share, a read-only one only what it holds.
 */
function bestPossibleHappiness({ servers, totalShares }: PlacementRequest): number {
  const options = servers.map((s) =>
    s.writable ? range(totalShares) : [...s.existingShares].filter((n) => n >= 0 && n < totalShares),
  );
  const best = (i: number, used: Set<number>): number => {
    if (i === options.length) return 0;
    let most = best(i + 1, used);
    for (const share of options[i]!) {
      if (used.has(share)) continue;
      used.add(share);
      most = Math.max(most, 1 + best(i + 1, used));
      used.delete(share);
    }
    return most;
  };
  return best(0, new Set());
}

function randomRequest(random: () => number, maxServers: number, maxShares: number): PlacementRequest {
  const totalShares = 1 + Math.floor(random() * maxShares);
  const density = random() * 0.7;
  const servers = range(Math.floor(random() * (maxServers + 1))).map((i) => {
    const existing = range(totalShares).filter(() => random() < density);
    if (random() < 0.1) existing.push(totalShares + 3); // a server reporting a share that cannot exist
    // shuffle so the plan cannot lean on set insertion order
    existing.sort(() => random() - 0.5);
    return server(`s${i}`, random() < 0.6, existing);
  });
  return { servers, totalShares, happy: 1 + Math.floor(random() * totalShares) };
}

/** What must hold for every plan. */
function checkPlan(request: PlacementRequest, plan: SharePlan): void {
  const byId = new Map(request.servers.map((s) => [s.id, s]));
  const allocated: number[] = [];
  for (const [id, shares] of plan.allocations) {
    const s = byId.get(id)!;
    expect(s.writable, `read-only ${id} receives nothing`).toBe(true);
    expect(shares.size).toBeGreaterThan(0);
    for (const share of shares) {
      expect(s.existingShares.has(share), `${id} already holds ${share}`).toBe(false);
      expect(share >= 0 && share < request.totalShares).toBe(true);
      allocated.push(share);
    }
  }
  expect(new Set(allocated).size, 'each share is uploaded at most once').toBe(allocated.length);

  // placement = valid existing shares ∪ allocations
  for (const s of request.servers) {
    const expected = [...s.existingShares, ...(plan.allocations.get(s.id) ?? [])].filter(
      (n) => n >= 0 && n < request.totalShares,
    );
    expect([...(plan.placement.get(s.id) ?? [])]).toEqual([...new Set(expected)].sort((a, b) => a - b));
  }

  expect(plan.happiness).toBe(happiness(plan.placement));
  expect(plan.isHappy).toBe(plan.happiness >= request.happy);

  const placed = new Set([...plan.placement.values()].flatMap((shares) => [...shares]));
  const anyWritable = request.servers.some((s) => s.writable);
  for (const share of range(request.totalShares)) {
    expect(placed.has(share) || (!anyWritable && plan.unplaced.has(share))).toBe(true);
    expect(placed.has(share) && plan.unplaced.has(share)).toBe(false);
  }

  // ring order in the output maps
  const order = request.servers.map((s) => s.id);
  const ranks = (map: ReadonlyMap<string, unknown>) => [...map.keys()].map((id) => order.indexOf(id));
  for (const map of [plan.allocations, plan.placement]) {
    expect(ranks(map)).toEqual([...ranks(map)].sort((a, b) => a - b));
  }
}

describe('planSharePlacement', () => {
  it('spreads a fresh upload over the ring, one share per server first', () => {
    const plan = planSharePlacement({ servers: fresh(12), totalShares: 10, happy: 7 });
    expect(plain(plan.allocations)).toEqual(range(10).map((i) => [`s${i}`, [i]]));
    expect(plan.happiness).toBe(10);
    expect(plan.isHappy).toBe(true);
    expect(plan.unplaced.size).toBe(0);
  });

  it('gives leftover shares to the least loaded servers, earlier ones first', () => {
    const plan = planSharePlacement({ servers: fresh(4), totalShares: 10, happy: 4 });
    expect(plain(plan.allocations)).toEqual([
      ['s0', [0, 4, 8]],
      ['s1', [1, 5, 9]],
      ['s2', [2, 6]],
      ['s3', [3, 7]],
    ]);
    expect(plan.happiness).toBe(4);
  });

  it('uploads nothing when the shares are already well spread', () => {
    const servers = range(10).map((i) => server(`s${i}`, i % 2 === 0, [i]));
    const plan = planSharePlacement({ servers, totalShares: 10, happy: 10 });
    expect(plan.allocations.size).toBe(0);
    expect(plan.happiness).toBe(10);
  });

  it('keeps existing shares where they are and only fills the gaps', () => {
    const servers = [server('a', true, [0, 1]), server('b', true, [0]), server('c', true), server('d', false, [1])];
    const plan = planSharePlacement({ servers, totalShares: 4, happy: 4 });
    // d (read-only) counts with share 1. Share 0 counts for a, the earlier of a and b that
    // hold it, so b and c take the missing shares 2 and 3.
    expect(plain(plan.allocations)).toEqual([
      ['b', [2]],
      ['c', [3]],
    ]);
    expect(plan.happiness).toBe(4);
  });

  it('counts read-only servers through a matching, not greedily', () => {
    // r0 holds 0 and 1, r1 only 0: both count only if r0 is matched with 1.
    const servers = [server('r0', false, [0, 1]), server('r1', false, [0]), server('w', true)];
    const plan = planSharePlacement({ servers, totalShares: 3, happy: 3 });
    expect(plain(plan.allocations)).toEqual([['w', [2]]]);
    expect(plan.happiness).toBe(3);
  });

  it('reports shares it cannot place when no server is writable', () => {
    const servers = [server('r0', false, [0, 9]), server('r1', false, [1])];
    const plan = planSharePlacement({ servers, totalShares: 4, happy: 2 });
    expect(plan.allocations.size).toBe(0);
    expect([...plan.unplaced]).toEqual([2, 3]);
    expect(plan.happiness).toBe(2);
    expect(plan.isHappy).toBe(true);
    expect(plain(plan.placement)).toEqual([
      ['r0', [0]],
      ['r1', [1]],
    ]);
  });

  it('handles no servers at all', () => {
    const plan = planSharePlacement({ servers: [], totalShares: 3, happy: 1 });
    expect(plan.happiness).toBe(0);
    expect(plan.isHappy).toBe(false);
    expect([...plan.unplaced]).toEqual([0, 1, 2]);
  });

  it('rejects bad parameters', () => {
    const servers = fresh(3);
    expect(() => planSharePlacement({ servers, totalShares: 0, happy: 1 })).toThrow('total shares N');
    expect(() => planSharePlacement({ servers, totalShares: 257, happy: 1 })).toThrow('total shares N');
    expect(() => planSharePlacement({ servers, totalShares: 3, happy: 4 })).toThrow('happiness H must be an integer from 1 to N=3');
    expect(() => planSharePlacement({ servers: [...servers, server('s1', true)], totalShares: 3, happy: 1 })).toThrow(
      'server s1 is listed twice',
    );
  });

  it('reaches the best possible happiness on 600 random small grids (brute force)', () => {
    const random = prng(42);
    for (let round = 0; round < 600; round++) {
      const request = randomRequest(random, 5, 6);
      const plan = planSharePlacement(request);
      checkPlan(request, plan);
      expect(plan.happiness, `round ${round}`).toBe(bestPossibleHappiness(request));
    }
  });

  it('is deterministic: same input order, same plan, whatever the set insertion order', () => {
    const random = prng(7);
    for (let round = 0; round < 200; round++) {
      const request = randomRequest(random, 8, 12);
      const reordered = {
        ...request,
        servers: request.servers.map((s) => ({ ...s, existingShares: new Set([...s.existingShares].reverse()) })),
      };
      const [a, b, c] = [planSharePlacement(request), planSharePlacement(request), planSharePlacement(reordered)];
      for (const other of [b, c]) {
        expect(plain(other.allocations)).toEqual(plain(a.allocations));
        expect(plain(other.placement)).toEqual(plain(a.placement));
        expect([...other.unplaced]).toEqual([...a.unplaced]);
        expect(other.happiness).toBe(a.happiness);
      }
    }
  });

  it('reaches min(N, read-only matching + writable servers) on 100 large random grids', () => {
    const random = prng(99);
    for (let round = 0; round < 100; round++) {
      const request = randomRequest(random, 120, 256);
      const plan = planSharePlacement(request);
      checkPlan(request, plan);
      const readOnly = new Map(request.servers.filter((s) => !s.writable).map((s) => [s.id, s.existingShares]));
      const validReadOnly = new Map(
        [...readOnly].map(([id, shares]) => [id, new Set([...shares].filter((n) => n < request.totalShares))]),
      );
      const writable = request.servers.filter((s) => s.writable).length;
      expect(plan.happiness).toBe(Math.min(request.totalShares, happiness(validReadOnly) + writable));
    }
  });

  it('spreads evenly when nothing exists yet', () => {
    const random = prng(3);
    for (let round = 0; round < 100; round++) {
      const n = 1 + Math.floor(random() * 40);
      const servers = fresh(1 + Math.floor(random() * 30));
      const plan = planSharePlacement({ servers, totalShares: n, happy: 1 });
      const loads = servers.map((s) => plan.allocations.get(s.id)?.size ?? 0);
      expect(loads.reduce((a, b) => a + b, 0)).toBe(n);
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
      expect(loads).toEqual([...loads].sort((a, b) => b - a)); // earlier servers never get fewer
    }
  });
});

describe('replanSharePlacement', () => {
  it('drops failed servers, stops using refusing ones, and keeps accepted shares', () => {
    const request = { servers: fresh(5), totalShares: 5, happy: 5 };
    const first = planSharePlacement(request);
    expect(plain(first.allocations)).toEqual(range(5).map((i) => [`s${i}`, [i]]));

    const { request: next, plan } = replanSharePlacement(request, {
      accepted: new Map([
        ['s0', new Set([0])],
        ['s2', new Set([2])],
        ['s4', new Set([4])],
      ]),
      refused: ['s1'],
      failed: ['s3'],
    });
    expect(next.servers.map((s) => [s.id, s.writable, [...s.existingShares]])).toEqual([
      ['s0', true, [0]],
      ['s1', false, []],
      ['s2', true, [2]],
      ['s4', true, [4]],
    ]);
    // shares 1 and 3 go to the least loaded writable servers, earlier first
    expect(plain(plan.allocations)).toEqual([
      ['s0', [1]],
      ['s2', [3]],
    ]);
    expect(plan.happiness).toBe(3);
    expect(plan.isHappy).toBe(false);
  });

  it('becomes happy once a full server is replaced by spare ones', () => {
    const request = { servers: fresh(7), totalShares: 5, happy: 5 };
    const first = planSharePlacement(request);
    expect([...first.allocations.keys()]).toEqual(['s0', 's1', 's2', 's3', 's4']);
    const { plan } = replanSharePlacement(request, {
      accepted: new Map(['s0', 's2', 's3', 's4'].map((id) => [id, first.allocations.get(id)!])),
      refused: ['s1'],
    });
    expect(plain(plan.allocations)).toEqual([['s5', [1]]]);
    expect(plan.happiness).toBe(5);
    expect(plan.isHappy).toBe(true);
  });

  it('rejects results for servers it does not know', () => {
    expect(() => replanSharePlacement({ servers: fresh(2), totalShares: 2, happy: 1 }, { failed: ['zz'] })).toThrow(
      'allocation result for unknown server zz',
    );
  });

  it('keeps every plan invariant over random rounds of refusals and failures', () => {
    const random = prng(2024);
    for (let round = 0; round < 200; round++) {
      let request = randomRequest(random, 5, 6);
      let plan = planSharePlacement(request);
      for (let step = 0; step < 4 && plan.allocations.size > 0; step++) {
        const accepted = new Map<string, Set<number>>();
        const refused: string[] = [];
        const failed: string[] = [];
        for (const [id, shares] of plan.allocations) {
          const roll = random();
          if (roll < 0.2) failed.push(id);
          else if (roll < 0.4) refused.push(id);
          else accepted.set(id, shares);
        }
        ({ request, plan } = replanSharePlacement(request, { accepted, refused, failed }));
        checkPlan(request, plan);
        expect(plan.happiness).toBe(bestPossibleHappiness(request));
        for (const id of failed) expect(request.servers.some((s) => s.id === id)).toBe(false);
        for (const id of refused) expect(plan.allocations.has(id)).toBe(false);
        for (const [id, shares] of accepted) {
          for (const share of shares) expect(plan.placement.get(id)?.has(share)).toBe(true);
        }
      }
    }
  });
});
