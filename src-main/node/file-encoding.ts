import { convergentKeyHasher, randomKey } from '../core/immutable/convergence.js';
import { BufferRecycler } from '../core/immutable/buffer-recycler.js';
import { encodeChk, type ChkEncodeEvent } from '../core/immutable/encoder.js';
import { checkEncodingParameters, effectiveSegmentSize, type EncodingParameters } from '../core/immutable/params.js';
import type { SegmentEncoder } from '../core/immutable/segment-encoder.js';
import { fileSize, readFileChunks, scanFile } from './local-files.js';

export interface FileEncodeOptions {
  readonly params: EncodingParameters;
  /** the convergence secret; without one the key is random (no dedupe across uploads) */
  readonly convergenceSecret?: Uint8Array;
  readonly segmentEncoder?: SegmentEncoder;
  /** told when the first pass (convergent key) finishes */
  readonly onKeyReady?: () => void;
}

/**
 * CHK-encodes a file on disk. The blocks of each 'segment' event are valid only until the
 * next event is requested (their buffers are reused): write or copy them before that. Convergent encryption reads the file twice: once for the
 * key, once to encode. A file that changes between the passes fails its size check or
 * yields a cap for what was read in the second pass (the shares always match the cap).
 */
export async function* encodeFileChk(path: string, size: number, options: FileEncodeOptions): AsyncGenerator<ChkEncodeEvent> {
  checkEncodingParameters(options.params);
  const { neededShares: k, totalShares: n } = options.params;
  const segmentSize = effectiveSegmentSize(size, options.params);
  let key: Uint8Array;
  if (options.convergenceSecret === undefined) {
    key = randomKey();
  } else {
    const hasher = convergentKeyHasher(options.convergenceSecret, k, n, segmentSize);
    await scanFile(path, (chunk) => hasher.update(chunk));
    key = hasher.digest();
  }
  options.onKeyReady?.();
  // Segment-sized reads into recycled buffers: each becomes a segment without a copy.
  const buffers = new BufferRecycler();
  const chunks = readFileChunks(path, segmentSize, (length) => buffers.take(length));
  yield* encodeChk(chunks, { ...options.params, size, key, segmentEncoder: options.segmentEncoder, buffers });
}

export { fileSize };
