import { getKernel, type Kernel } from './kernel.js';
import { encodingMatrix, invertMatrix } from './matrix.js';

/** k or n out of range. */
export class FecParameterError extends Error {
  override name = 'FecParameterError';
}

/** Blocks or indices that do not fit the code. */
export class FecInputError extends Error {
  override name = 'FecInputError';
}

/** Parity rows (k..n−1) of the encoding matrix, flattened, cached per (k, n). */
const parityCache = new Map<string, Uint8Array>();

function parityRows(k: number, n: number): Uint8Array {
  const key = `${k},${n}`;
  let rows = parityCache.get(key);
  if (!rows) {
    rows = new Uint8Array((n - k) * k);
    encodingMatrix(k, n).slice(k).forEach((row, j) => rows!.set(row, j * k));
    parityCache.set(key, rows);
  }
  return rows;
}

/** How to rebuild the missing primaries from one set of share indices (sorted). */
interface DecodePlan {
  missing: number[];
  coefs: Uint8Array; // one row of k per missing primary, over the blocks in index order
}

const MAX_CACHED_PLANS = 16;

/** zfec-compatible systematic Reed–Solomon code over GF(2^8): any k of n blocks recover the data. */
export class ReedSolomon {
  readonly k: number;
  readonly n: number;
  private readonly parity: Uint8Array;
  private readonly plans = new Map<string, DecodePlan>();

  constructor(k: number, n: number) {
    if (!Number.isInteger(n) || n < 1 || n > 256) {
      throw new FecParameterError(`n must be an integer between 1 and 256 (got n=${n})`);
    }
    if (!Number.isInteger(k) || k < 1 || k > n) {
      throw new FecParameterError(`k must be between 1 and n (got k=${k}, n=${n})`);
    }
    this.k = k;
    this.n = n;
    this.parity = parityRows(k, n);
  }

  /** k primary blocks of equal length L → the n−k secondary blocks (indices k..n−1), each length L, freshly allocated. */
  encode(primaries: readonly Uint8Array[]): Uint8Array[] {
    if (primaries.length !== this.k) {
      throw new FecInputError(`expected ${this.k} primary blocks, got ${primaries.length}`);
    }
    const len = sameLength(primaries);
    return getKernel().mulRows(this.parity, this.k, primaries, len);
  }

  /**
   * Same, but the k primaries are consecutive in one buffer of k·L bytes (the common case: a
   * padded segment). Given `into` ((n−k)·L bytes), the secondaries are written there back to
   * back and returned as views of it.
   */
  encodeSegment(segment: Uint8Array, blockLength: number, into?: Uint8Array): Uint8Array[] {
    if (!Number.isInteger(blockLength) || blockLength < 0) {
      throw new FecInputError(`block length must be a non-negative integer (got ${blockLength})`);
    }
    if (segment.length !== this.k * blockLength) {
      throw new FecInputError(
        `segment has ${segment.length} bytes, expected k·blockLength = ${this.k}·${blockLength} = ${this.k * blockLength}`,
      );
    }
    return getKernel().mulRows(this.parity, this.k, segment, blockLength, into);
  }

  /**
   * Same, for a segment already in `kernel`'s memory (a region from its `lend()`): the k
   * primaries back to back at `segmentAt`, with 64 readable bytes
   * after them; secondary j is written at `outAt + j·outStride` (a multiple of 64, ≥ blockLength).
   * Nothing is copied in or out.
   */
  encodeInKernelMemory(kernel: Kernel, segmentAt: number, blockLength: number, outAt: number, outStride: number): void {
    kernel.mulRowsAt(this.parity, this.k, segmentAt, blockLength, outAt, outStride, blockLength);
  }

  /** Any k distinct blocks with their share indices (any order) → the k primaries in order 0..k−1 (a present primary may be returned as-is). */
  decode(blocks: readonly Uint8Array[], indices: readonly number[]): Uint8Array[] {
    const { k, n } = this;
    if (blocks.length !== k) throw new FecInputError(`expected ${k} blocks, got ${blocks.length}`);
    if (indices.length !== k) throw new FecInputError(`expected ${k} share indices, got ${indices.length}`);
    const len = sameLength(blocks);
    const byIndex: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(n);
    for (let i = 0; i < k; i++) {
      const index = indices[i]!;
      if (!Number.isInteger(index) || index < 0 || index >= n) {
        throw new FecInputError(`share index ${index} is out of range 0..${n - 1}`);
      }
      if (byIndex[index]) throw new FecInputError(`duplicate share index ${index}`);
      byIndex[index] = blocks[i]!;
    }

    const sortedIndices: number[] = [];
    const sortedBlocks: Uint8Array[] = [];
    byIndex.forEach((block, index) => {
      if (block) {
        sortedIndices.push(index);
        sortedBlocks.push(block);
      }
    });
    const primaries = byIndex.slice(0, k);
    if (sortedIndices[k - 1]! < k) return primaries as Uint8Array[]; // all primaries present

    const plan = this.plan(sortedIndices);
    const rebuilt = getKernel().mulRows(plan.coefs, k, sortedBlocks, len);
    plan.missing.forEach((p, j) => (primaries[p] = rebuilt[j]));
    return primaries as Uint8Array[];
  }

  private plan(sortedIndices: number[]): DecodePlan {
    const key = sortedIndices.join(',');
    const cached = this.plans.get(key);
    if (cached) return cached;

    const { k } = this;
    const rows = sortedIndices.map((index) => {
      if (index >= k) return this.parity.subarray((index - k) * k, (index - k + 1) * k);
      const row = new Uint8Array(k);
      row[index] = 1;
      return row;
    });
    const inverse = invertMatrix(rows); // row p: primary p as a combination of the given blocks
    const present = new Set(sortedIndices);
    const missing = inverse.map((_, p) => p).filter((p) => !present.has(p));
    const coefs = new Uint8Array(missing.length * k);
    missing.forEach((p, j) => coefs.set(inverse[p]!, j * k));

    const plan = { missing, coefs };
    if (this.plans.size >= MAX_CACHED_PLANS) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(key, plan);
    return plan;
  }
}

function sameLength(blocks: readonly Uint8Array[]): number {
  const len = blocks[0]?.length ?? 0;
  blocks.forEach((block, i) => {
    if (block.length !== len) {
      throw new FecInputError(`all blocks must have the same length (block ${i} has ${block.length} bytes, block 0 has ${len})`);
    }
  });
  return len;
}
