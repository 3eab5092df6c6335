/**
 * Every k-element subset of {0, …, n−1}, ordered so that each subset differs from the one
 * before it by one element out and one in (the "revolving door" order of combinations).
 */
export function revolvingDoor(n: number, k: number): number[][] {
  if (k < 0 || k > n) return [];
  if (k === 0) return [[]];
  if (k === n) return [Array.from({ length: n }, (_, i) => i)];
  return [...revolvingDoor(n - 1, k), ...revolvingDoor(n - 1, k - 1).reverse().map((subset) => [...subset, n - 1])];
}
