/**
 * GF(2^8) as zfec uses it: polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D), generator α = 2.
 * Addition is XOR.
 */

/** GF_EXP[i] = α^i. Stored twice over (510 entries) so GF_EXP[log a + log b] needs no mod 255. */
export const GF_EXP = new Uint8Array(510);
/** GF_LOG[a] = i with α^i = a, for a ≠ 0 (GF_LOG[0] is unused). */
export const GF_LOG = new Uint8Array(256);

let power = 1;
for (let i = 0; i < 255; i++) {
  GF_EXP[i] = power;
  GF_EXP[i + 255] = power;
  GF_LOG[power] = i;
  power <<= 1;
  if (power & 0x100) power ^= 0x11d;
}

export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return GF_EXP[GF_LOG[a]! + GF_LOG[b]!]!;
}

export function gfInv(a: number): number {
  if (a === 0) throw new RangeError('0 has no inverse in GF(256)');
  return GF_EXP[255 - GF_LOG[a]!]!;
}

/** α^e for any integer e ≥ 0. */
export function gfExp(e: number): number {
  return GF_EXP[e % 255]!;
}

/** Full product table: GF_MUL[a * 256 + b] = a·b (64 KiB), for the inner loops of matrix work. */
export const GF_MUL = new Uint8Array(256 * 256);
for (let a = 1; a < 256; a++) {
  for (let b = 1; b < 256; b++) GF_MUL[a * 256 + b] = GF_EXP[GF_LOG[a]! + GF_LOG[b]!]!;
}
