// Plain byte-loop Reed–Solomon with log/exp tables, written straight from chk-format.md §8 and
// sharing no code with src-main/core/fec. Slow on purpose; used only by tests.

/** Carry-less multiply reduced by 0x11D, bit by bit (only used to build the tables). */
function slowMul(a: number, b: number): number {
  let product = 0;
  for (; b > 0; b >>= 1) {
    if (b & 1) product ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11d;
  }
  return product;
}

const EXP: number[] = [];
const LOG: number[] = new Array<number>(256).fill(0);
for (let i = 0, x = 1; i < 255; i++, x = slowMul(x, 2)) {
  EXP[i] = x;
  LOG[x] = i;
}

export function refMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[(LOG[a]! + LOG[b]!) % 255]!;
}

function refInv(a: number): number {
  return EXP[(255 - LOG[a]!) % 255]!;
}

function invert(m: readonly number[][]): number[][] {
  const k = m.length;
  const a = m.map((row, r) => [...row, ...Array.from({ length: k }, (_, c) => (c === r ? 1 : 0))]);
  for (let col = 0; col < k; col++) {
    const pivot = a.findIndex((row, r) => r >= col && row[col] !== 0);
    if (pivot < 0) throw new Error('singular matrix');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const scale = refInv(a[col]![col]!);
    a[col] = a[col]!.map((v) => refMul(v, scale));
    for (let r = 0; r < k; r++) {
      const f = a[r]![col]!;
      if (r !== col && f !== 0) a[r] = a[r]!.map((v, c) => v ^ refMul(f, a[col]![c]!));
    }
  }
  return a.map((row) => row.slice(k));
}

const matrices = new Map<string, number[][]>();

/** The full n×k encoding matrix E = V·T⁻¹ at points 0, 1, α, α², … (memoised). */
export function referenceMatrix(k: number, n: number): number[][] {
  const key = `${k},${n}`;
  const known = matrices.get(key);
  if (known) return known;
  const point = (r: number): number => (r === 0 ? 0 : EXP[(r - 1) % 255]!);
  const power = (x: number, e: number): number => {
    let y = 1;
    for (let i = 0; i < e; i++) y = refMul(y, x);
    return y;
  };
  const v = Array.from({ length: n }, (_, r) => Array.from({ length: k }, (_, c) => power(point(r), c)));
  const tInverse = invert(v.slice(0, k));
  const e = v.map((row) => tInverse[0]!.map((_, c) => row.reduce((acc, x, i) => acc ^ refMul(x, tInverse[i]![c]!), 0)));
  matrices.set(key, e);
  return e;
}

/** out[t] = XOR_i row[i] · blocks[i][t] */
function combine(row: readonly number[], blocks: readonly Uint8Array[], len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let t = 0; t < len; t++) {
    let acc = 0;
    for (let i = 0; i < row.length; i++) acc ^= refMul(row[i]!, blocks[i]![t]!);
    out[t] = acc;
  }
  return out;
}

/** All n blocks: the k primaries (copied; the top of E is the identity) followed by the n−k secondaries. */
export function referenceEncode(k: number, n: number, primaries: readonly Uint8Array[]): Uint8Array[] {
  const len = primaries[0]?.length ?? 0;
  return referenceMatrix(k, n).map((row, j) => (j < k ? primaries[j]!.slice() : combine(row, primaries, len)));
}

/** The k primaries from any k blocks and their share indices. */
export function referenceDecode(k: number, n: number, blocks: readonly Uint8Array[], indices: readonly number[]): Uint8Array[] {
  const matrix = referenceMatrix(k, n);
  const len = blocks[0]?.length ?? 0;
  return invert(indices.map((i) => matrix[i]!)).map((row) => combine(row, blocks, len));
}
