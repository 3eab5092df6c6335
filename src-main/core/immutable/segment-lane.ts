import { getSharedKernel } from '../fec/kernel.js';
import { coderFor, encryptInto, hashSegment, type EncodedSegment, type SegmentJob } from './segment-encoder.js';

/**
 * Where one encoded segment lives in a lane (a fixed region of a worker's shared kernel
 * memory): the padded ciphertext, whose K primary blocks are back to back, 64 readable bytes
 * after it (the kernel reads a little past its input), then the N−K secondary blocks at a
 * stride that is a multiple of 64 (the kernel writes whole 64-byte chunks).
 */
export interface SegmentLaneLayout {
  readonly blockLength: number;
  readonly paddedLength: number;
  readonly secondaryAt: number;
  readonly secondaryStride: number;
  /** the bytes a lane needs for this segment */
  readonly bytes: number;
}

const roundUp64 = (x: number): number => Math.ceil(x / 64) * 64;

export function segmentLaneLayout(segmentSize: number, k: number, n: number): SegmentLaneLayout {
  const blockLength = Math.ceil(segmentSize / k);
  const paddedLength = k * blockLength;
  const secondaryAt = roundUp64(paddedLength + 64);
  const secondaryStride = roundUp64(blockLength);
  return { blockLength, paddedLength, secondaryAt, secondaryStride, bytes: secondaryAt + (n - k) * secondaryStride };
}

/** The segment's views into the lane at `laneAt` of `memory`: padded ciphertext and N blocks. */
export function laneViews(memory: ArrayBufferLike, laneAt: number, layout: SegmentLaneLayout, k: number, n: number) {
  const { blockLength, paddedLength, secondaryAt, secondaryStride } = layout;
  const padded = new Uint8Array(memory, laneAt, paddedLength);
  const blocks: Uint8Array[] = [];
  for (let j = 0; j < k; j++) blocks.push(padded.subarray(j * blockLength, (j + 1) * blockLength));
  for (let j = 0; j < n - k; j++) blocks.push(new Uint8Array(memory, laneAt + secondaryAt + j * secondaryStride, blockLength));
  const secondary = new Uint8Array(memory, laneAt + secondaryAt, layout.bytes - secondaryAt);
  return { padded, blocks, secondary };
}

/**
 * encodeSegment, with the output written into a lane of this thread's kernel memory at
 * `laneAt` (from `getSharedKernel().lend()`): the ciphertext is encrypted straight into it and the
 * Reed–Solomon kernel works in place, so no block is copied; another thread that shares the
 * memory reads the blocks where they are.
 */
export function encodeSegmentInLane(job: SegmentJob, laneAt: number): EncodedSegment {
  const { neededShares: k, totalShares: n } = job;
  const layout = segmentLaneLayout(job.plaintext.length, k, n);
  const kernel = getSharedKernel();
  const { padded, blocks, secondary } = laneViews(kernel.view().buffer, laneAt, layout, k, n);
  encryptInto(job, padded);
  if (n > k) coderFor(k, n).encodeInKernelMemory(kernel, laneAt, layout.blockLength, laneAt + layout.secondaryAt, layout.secondaryStride);
  return hashSegment(job, padded, blocks, secondary);
}
