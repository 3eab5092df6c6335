import { aesCtr } from '../crypto/aes-ctr.js';
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
  /** optional (N-K)·blockLength bytes to write the secondary blocks into (reused buffers) */
  readonly secondaryBuffer?: Uint8Array;
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
  close(): Promise<void>;
}

const coders = new Map<string, ReedSolomon>();

function coderFor(k: number, n: number): ReedSolomon {
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
  const ciphertext = aesCtr(job.key, job.plaintext, job.offset);
  const blockLength = Math.ceil(ciphertext.length / k);
  let padded: Uint8Array = ciphertext;
  if (blockLength * k !== ciphertext.length) {
    padded = new Uint8Array(blockLength * k);
    padded.set(ciphertext);
  }
  const secondaryLength = (n - k) * blockLength;
  const given = job.secondaryBuffer;
  const secondaryBuffer = given !== undefined && given.length === secondaryLength ? given : new Uint8Array(secondaryLength);
  const blocks: Uint8Array[] = [];
  for (let j = 0; j < k; j++) blocks.push(padded.subarray(j * blockLength, (j + 1) * blockLength));
  if (n > k) blocks.push(...coderFor(k, n).encodeSegment(padded, blockLength, secondaryBuffer));
  return {
    index: job.index,
    ciphertext: padded.subarray(0, ciphertext.length),
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
