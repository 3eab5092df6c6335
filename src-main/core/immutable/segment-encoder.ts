import { AesCtrStream, aesCtr } from '../crypto/aes-ctr.js';
import { taggedHash } from '../crypto/hashes.js';
import { BLOCK_TAG, CIPHERTEXT_SEGMENT_TAG } from '../crypto/tags.js';
import { ReedSolomon } from '../fec/reed-solomon.js';

/** One segment's work: encrypt, hash, erasure-code, hash every block. */
export interface SegmentJob {
  readonly index: number;
  readonly key: Uint8Array;
  /** where the segment starts in the file (its place in the AES keystream) */
  readonly offset: number;
  readonly plaintext: Uint8Array;
  readonly neededShares: number;
  readonly totalShares: number;
  /** optional K·blockLength bytes to write the (padded) ciphertext into (a reused buffer) */
  readonly paddedBuffer?: Uint8Array;
  /** optional (N-K)·blockLength bytes to write the secondary blocks into (a reused buffer) */
  readonly secondaryBuffer?: Uint8Array;
  /**
   * The caller hands the result back with `SegmentEncoder.release` once done with its blocks,
   * so the encoder may return views of its own memory (a worker's shared lanes) instead of
   * buffers of the caller's.
   */
  readonly lendOutput?: boolean;
}

/**
 * Encrypting in pieces into a reused buffer: each piece's output is small enough to come
 * from the allocator's free lists, where a fresh segment-sized buffer per segment would
 * page-fault (and contend) in every worker thread. At 32 KiB a piece and its output are
 * still in the core's nearest cache when the output is copied into place: full CHK encodes
 * of 256 MiB on two workers ran 5-7 % faster than with 64 KiB pieces, and 3 % faster than
 * with 16 KiB ones (12 interleaved runs each, bench/encode's workload).
 */
const AES_PIECE = 32 * 1024;

/** Encrypts the job's plaintext into `out`, zero-filling the rest of it (the padding). */
export function encryptInto(job: SegmentJob, out: Uint8Array): void {
  const stream = AesCtrStream.at(job.key, job.offset);
  const { plaintext } = job;
  for (let at = 0; at < plaintext.length; at += AES_PIECE) out.set(stream.update(plaintext.subarray(at, at + AES_PIECE)), at);
  out.fill(0, plaintext.length);
}

export interface EncodedSegment {
  readonly index: number;
  /** the unpadded ciphertext of the segment (a view of `padded`) */
  readonly ciphertext: Uint8Array;
  /** the ciphertext zero-padded to K·blockLength; the K primary blocks are views of it */
  readonly padded: Uint8Array;
  readonly crypttextSegmentHash: Uint8Array;
  /** N blocks: block j goes to share j */
  readonly blocks: Uint8Array[];
  readonly blockHashes: Uint8Array[];
  /** the buffer the secondary blocks are views of */
  readonly secondaryBuffer: Uint8Array;
  /** the job's plaintext buffer, handed back for reuse once encrypted */
  readonly plaintext: Uint8Array;
}

/** Runs segment jobs; in-process by default, or on worker threads (core/workers). */
export interface SegmentEncoder {
  encode(job: SegmentJob): Promise<EncodedSegment>;
  /** Takes back a segment encoded with `lendOutput`: its memory may be reused from now on. */
  release?(segment: EncodedSegment): void;
  close(): Promise<void>;
}

const coders = new Map<string, ReedSolomon>();

/** One coder per (k, n) in this thread. */
export function coderFor(k: number, n: number): ReedSolomon {
  const id = `${k}/${n}`;
  let coder = coders.get(id);
  if (coder === undefined) {
    coder = new ReedSolomon(k, n);
    coders.set(id, coder);
  }
  return coder;
}

export function encodeSegment(job: SegmentJob): EncodedSegment {
  const { neededShares: k, totalShares: n } = job;
  const size = job.plaintext.length;
  const blockLength = Math.ceil(size / k);
  let padded: Uint8Array;
  if (job.paddedBuffer !== undefined && job.paddedBuffer.length === blockLength * k) {
    padded = job.paddedBuffer;
    encryptInto(job, padded);
  } else {
    padded = aesCtr(job.key, job.plaintext, job.offset);
    if (blockLength * k !== size) {
      const grown = new Uint8Array(blockLength * k);
      grown.set(padded);
      padded = grown;
    }
  }
  const secondaryLength = (n - k) * blockLength;
  const given = job.secondaryBuffer;
  const secondaryBuffer = given !== undefined && given.length === secondaryLength ? given : new Uint8Array(secondaryLength);
  const blocks: Uint8Array[] = [];
  for (let j = 0; j < k; j++) blocks.push(padded.subarray(j * blockLength, (j + 1) * blockLength));
  if (n > k) blocks.push(...coderFor(k, n).encodeSegment(padded, blockLength, secondaryBuffer));
  return hashSegment(job, padded, blocks, secondaryBuffer);
}

/** The segment's hashes, once its padded ciphertext and N blocks are in place. */
export function hashSegment(job: SegmentJob, padded: Uint8Array, blocks: Uint8Array[], secondaryBuffer: Uint8Array): EncodedSegment {
  const ciphertext = padded.subarray(0, job.plaintext.length);
  return {
    index: job.index,
    ciphertext,
    padded,
    crypttextSegmentHash: taggedHash(CIPHERTEXT_SEGMENT_TAG, ciphertext),
    blocks,
    blockHashes: blocks.map((block) => taggedHash(BLOCK_TAG, block)),
    secondaryBuffer,
    plaintext: job.plaintext,
  };
}

/** Encodes on the calling thread. */
export const inProcessSegmentEncoder: SegmentEncoder = {
  encode: (job) => Promise.resolve(encodeSegment(job)),
  close: () => Promise.resolve(),
};
