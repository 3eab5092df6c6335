// Maximum bipartite matching by augmenting paths (Kuhn's algorithm).

/**
 * A maximum matching between `left` vertices and the numbers `neighbours` gives for each.
 * Returns left vertex → matched number, in `left` order, for the matched vertices only.
 *
 * Left vertices are tried in the given order, and an augmenting path never unmatches a
 * left vertex. So where several maximum matchings exist, the earliest left vertices are
 * the ones matched: placement uses this to prefer servers early in the permuted ring.
 *
 * Cost is O(V·E) at worst; trying a free neighbour before searching deeper makes dense
 * graphs (every writable server ↔ every share) near linear. Recursion depth is at most
 * the number of distinct right vertices (≤ 256 shares).
 */
export function maximumMatching<L>(left: readonly L[], neighbours: (vertex: L) => Iterable<number>): Map<L, number> {
  const adjacency = left.map((vertex) => [...new Set(neighbours(vertex))]);
  const rightCount = new Set(adjacency.flat()).size;
  const partnerOfLeft = new Array<number | undefined>(left.length);
  const partnerOfRight = new Map<number, number>(); // right vertex → index into `left`
  let size = 0;

  const augment = (u: number, visited: Set<number>): boolean => {
    const edges = adjacency[u] ?? [];
    for (const r of edges) {
      if (!partnerOfRight.has(r)) {
        partnerOfRight.set(r, u);
        partnerOfLeft[u] = r;
        return true;
      }
    }
    for (const r of edges) {
      if (visited.has(r)) continue;
      visited.add(r);
      const owner = partnerOfRight.get(r);
      if (owner !== undefined && augment(owner, visited)) {
        partnerOfRight.set(r, u);
        partnerOfLeft[u] = r;
        return true;
      }
    }
    return false;
  };

  for (let u = 0; u < left.length && size < rightCount; u++) {
    if (augment(u, new Set())) size++;
  }

  const matching = new Map<L, number>();
  left.forEach((vertex, u) => {
    const r = partnerOfLeft[u];
    if (r !== undefined) matching.set(vertex, r);
  });
  return matching;
}
