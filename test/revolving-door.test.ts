import { describe, expect, it } from 'vitest';
import { revolvingDoor } from './support/revolving-door.js';

describe('revolving-door order of subsets', () => {
  it('lists every k-subset once, each one element away from the one before', () => {
    for (const [n, k, count] of [[10, 3, 120], [10, 7, 120], [5, 2, 10], [4, 0, 1], [4, 4, 1], [6, 1, 6]] as const) {
      const order = revolvingDoor(n, k);
      expect(order).toHaveLength(count);
      expect(new Set(order.map((s) => [...s].sort((a, b) => a - b).join(','))).size).toBe(count);
      for (const subset of order) {
        expect(subset).toHaveLength(k);
        expect(subset.every((x) => Number.isInteger(x) && x >= 0 && x < n)).toBe(true);
      }
      for (let i = 1; i < order.length; i++) {
        expect(order[i]!.filter((x) => !order[i - 1]!.includes(x))).toHaveLength(1);
      }
    }
  });
});
