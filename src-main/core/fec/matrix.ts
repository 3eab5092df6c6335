import { GF_MUL, gfExp, gfInv } from './gf256.js';

/** A matrix over GF(256) as an array of rows. */
export type Matrix = Uint8Array[];

/** Row r of the n×k Vandermonde matrix at zfec's points 0, 1, α, α², …: [x_r^0, …, x_r^(k−1)]. */
function vandermondeRow(r: number, k: number): Uint8Array {
  const row = new Uint8Array(k);
  if (r === 0) {
    row[0] = 1; // 0^0 = 1, higher powers of 0 are 0
  } else {
    for (let c = 0; c < k; c++) row[c] = gfExp((r - 1) * c);
  }
  return row;
}

function identity(k: number): Matrix {
  return Array.from({ length: k }, (_, r) => {
    const row = new Uint8Array(k);
    row[r] = 1;
    return row;
  });
}

/** row · m, where row has m.length entries. */
function multiplyRow(row: Uint8Array, m: Matrix): Uint8Array {
  const width = m[0]?.length ?? 0;
  const out = new Uint8Array(width);
  for (let i = 0; i < row.length; i++) {
    const f = row[i]!;
    if (f === 0) continue;
    const src = m[i]!;
    const mul = f * 256;
    for (let c = 0; c < width; c++) out[c] = out[c]! ^ GF_MUL[mul + src[c]!]!;
  }
  return out;
}

/** Inverse of a square matrix by Gauss–Jordan elimination. Throws RangeError if singular. */
export function invertMatrix(m: readonly Uint8Array[]): Matrix {
  const k = m.length;
  const a = m.map((row) => Uint8Array.from(row));
  const inv = identity(k);
  for (let col = 0; col < k; col++) {
    let pivot = col;
    while (pivot < k && a[pivot]![col] === 0) pivot++;
    if (pivot === k) throw new RangeError('matrix is singular');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [inv[col], inv[pivot]] = [inv[pivot]!, inv[col]!];
    const rowA = a[col]!;
    const rowI = inv[col]!;
    const scale = gfInv(rowA[col]!) * 256;
    for (let c = 0; c < k; c++) {
      rowA[c] = GF_MUL[scale + rowA[c]!]!;
      rowI[c] = GF_MUL[scale + rowI[c]!]!;
    }
    for (let r = 0; r < k; r++) {
      const f = r === col ? 0 : a[r]![col]!;
      if (f === 0) continue;
      const mul = f * 256;
      const dstA = a[r]!;
      const dstI = inv[r]!;
      for (let c = 0; c < k; c++) {
        dstA[c] = dstA[c]! ^ GF_MUL[mul + rowA[c]!]!;
        dstI[c] = dstI[c]! ^ GF_MUL[mul + rowI[c]!]!;
      }
    }
  }
  return inv;
}

/**
 * zfec's systematic encoding matrix for (k, n): E = V · T⁻¹, where V is the n×k Vandermonde
 * matrix and T its top k rows. Rows 0..k−1 are the identity; row j ≥ k makes secondary block j.
 * Assumes 1 ≤ k ≤ n ≤ 256 (checked by the caller).
 */
export function encodingMatrix(k: number, n: number): Matrix {
  const rows = identity(k);
  if (n === k) return rows;
  const topInverse = invertMatrix(Array.from({ length: k }, (_, r) => vandermondeRow(r, k)));
  for (let r = k; r < n; r++) rows.push(multiplyRow(vandermondeRow(r, k), topInverse));
  return rows;
}
