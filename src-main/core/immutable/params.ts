import { EncodingParameterError } from './errors.js';

/** Files this small or smaller become `URI:LIT:` caps that carry the data inline. */
export const LITERAL_SIZE_THRESHOLD = 55;
export const MAX_TOTAL_SHARES = 256;

export interface EncodingParameters {
  /** K: shares needed to rebuild the file */
  readonly neededShares: number;
  /** N: shares produced */
  readonly totalShares: number;
  /** the upper bound on segment size; the effective size is derived per file */
  readonly maxSegmentSize: number;
}

/** Tahoe ≥ 1.19's defaults: 3-of-10 with 1 MiB segments. */
export const DEFAULT_ENCODING_PARAMETERS: EncodingParameters = {
  neededShares: 3,
  totalShares: 10,
  maxSegmentSize: 1024 * 1024,
};

export function checkEncodingParameters(params: EncodingParameters): void {
  const { neededShares: k, totalShares: n, maxSegmentSize } = params;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TOTAL_SHARES) {
    throw new EncodingParameterError(`total shares N must be an integer from 1 to ${MAX_TOTAL_SHARES} (got ${n})`);
  }
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new EncodingParameterError(`needed shares K must be an integer from 1 to N=${n} (got ${k})`);
  }
  if (!Number.isSafeInteger(maxSegmentSize) || maxSegmentSize < 1) {
    throw new EncodingParameterError(`max segment size must be a positive integer (got ${maxSegmentSize})`);
  }
}

export function nextMultiple(value: number, of: number): number {
  return Math.ceil(value / of) * of;
}

/** Every size a CHK file's encoding derives from (file size, K, N, effective segment size). */
export interface ChkGeometry {
  readonly size: number;
  readonly neededShares: number;
  readonly totalShares: number;
  readonly segmentSize: number;
  readonly numSegments: number;
  /** unpadded length of the last segment */
  readonly tailSize: number;
  /** the last segment padded to a multiple of K */
  readonly paddedTailSize: number;
  readonly blockSize: number;
  readonly tailBlockSize: number;
  /** bytes of block data in each share: ceil(size / K) */
  readonly shareDataSize: number;
}

export function geometryFor(size: number, k: number, n: number, segmentSize: number): ChkGeometry {
  if (!Number.isSafeInteger(size) || size < 0) throw new EncodingParameterError(`file size must be a non-negative integer (got ${size})`);
  if (segmentSize < 1 || segmentSize % k !== 0) {
    throw new EncodingParameterError(`segment size ${segmentSize} must be a positive multiple of K=${k}`);
  }
  const numSegments = Math.max(1, Math.ceil(size / segmentSize));
  const tailSize = size === 0 ? 0 : size - (numSegments - 1) * segmentSize;
  const paddedTailSize = nextMultiple(tailSize, k);
  const blockSize = segmentSize / k;
  const tailBlockSize = paddedTailSize / k;
  return {
    size,
    neededShares: k,
    totalShares: n,
    segmentSize,
    numSegments,
    tailSize,
    paddedTailSize,
    blockSize,
    tailBlockSize,
    shareDataSize: blockSize * (numSegments - 1) + tailBlockSize,
  };
}

/** The effective segment size Tahoe uses: next_multiple(min(max, size), k). */
export function effectiveSegmentSize(size: number, params: EncodingParameters): number {
  return nextMultiple(Math.min(params.maxSegmentSize, size), params.neededShares);
}

export function chkGeometry(size: number, params: EncodingParameters): ChkGeometry {
  checkEncodingParameters(params);
  return geometryFor(size, params.neededShares, params.totalShares, effectiveSegmentSize(size, params));
}

/** Byte range [start, end) of segment `index` within the file. */
export function segmentRange(geometry: ChkGeometry, index: number): [number, number] {
  const start = index * geometry.segmentSize;
  return [start, Math.min(start + geometry.segmentSize, geometry.size)];
}
