import { convergentKey, randomKey } from '../core/immutable/convergence.js';
import { encodeChk, type ChkEncodeEvent } from '../core/immutable/encoder.js';
import { checkEncodingParameters, effectiveSegmentSize, type EncodingParameters } from '../core/immutable/params.js';
import type { SegmentEncoder } from '../core/immutable/segment-encoder.js';
import { fileSize, readFileChunks } from './local-files.js';

export interface FileEncodeOptions {
  readonly params: EncodingParameters;
  /** the convergence secret; without one the key is random (no dedupe across uploads) */
  readonly convergenceSecret?: Uint8Array;
  readonly segmentEncoder?: SegmentEncoder;
  /** told when the first pass (convergent key) finishes */
  readonly onKeyReady?: () => void;
}

/**
 * CHK-encodes a file on disk. Convergent encryption reads the file twice: once for the
 * key, once to encode. A file that changes between the passes fails its size check or
 * yields a cap for what was read in the second pass (the shares always match the cap).
 */
export async function* encodeFileChk(path: string, size: number, options: FileEncodeOptions): AsyncGenerator<ChkEncodeEvent> {
  checkEncodingParameters(options.params);
  const { neededShares: k, totalShares: n } = options.params;
  const key =
    options.convergenceSecret === undefined
      ? randomKey()
      : await convergentKey(readFileChunks(path), options.convergenceSecret, k, n, effectiveSegmentSize(size, options.params));
  options.onKeyReady?.();
  yield* encodeChk(readFileChunks(path), { ...options.params, size, key, segmentEncoder: options.segmentEncoder });
}

export { fileSize };
