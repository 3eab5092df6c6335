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
}

export interface EncodedSegment {
  readonly index: number;
  /** the unpadded ciphertext of the segment */
  readonly ciphertext: Uint8Array;
  readonly crypttextSegmentHash: Uint8Array;
  /** N blocks: block j goes to share j (the first K are slices of the padded ciphertext) */
  readonly blocks: Uint8Array[];
  readonly blockHashes: Uint8Array[];
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
  return finishSegment(job.index, padded, ciphertext.length, k, n);
}

/** Splits the padded ciphertext into K primary blocks, adds N-K secondaries, hashes them all. */
function finishSegment(index: number, padded: Uint8Array, ciphertextLength: number, k: number, n: number): EncodedSegment {
  const ciphertext = padded.subarray(0, ciphertextLength);
  const crypttextSegmentHash = taggedHash(CIPHERTEXT_SEGMENT_TAG, ciphertext);
  const blockLength = padded.length / k;
  const blocks: Uint8Array[] = [];
  for (let j = 0; j < k; j++) blocks.push(padded.subarray(j * blockLength, (j + 1) * blockLength));
  if (n > k) blocks.push(...coderFor(k, n).encodeSegment(padded, blockLength));
  const blockHashes = blocks.map((block) => taggedHash(BLOCK_TAG, block));
  return { index, ciphertext, crypttextSegmentHash, blocks, blockHashes };
}

/** Encodes on the calling thread. */
export const inProcessSegmentEncoder: SegmentEncoder = {
  encode: (job) => Promise.resolve(encodeSegment(job)),
  close: () => Promise.resolve(),
};
