import { AesCtrStream } from '../crypto/aes-ctr.js';
import { TaggedHasher, taggedHash } from '../crypto/hashes.js';
import { BLOCK_TAG, CIPHERTEXT_SEGMENT_TAG } from '../crypto/tags.js';
import { coderFor } from './segment-encoder.js';

/**
 * One segment's per-byte work in a download, once its K blocks are read: hash every block,
 * rebuild the ciphertext (erasure decoding when a block is not primary), hash it and decrypt
 * the wanted part. The blocks are not verified yet: the caller checks the hashes this returns
 * against the hash trees, and uses the plaintext only if every one matches.
 */
export interface SegmentDecodeJob {
  readonly key: Uint8Array;
  /** K blocks of equal length, as read: block i is of share `shareNumbers[i]` */
  readonly blocks: readonly Uint8Array[];
  readonly shareNumbers: readonly number[];
  readonly neededShares: number;
  readonly totalShares: number;
  /** the segment's ciphertext length: its K primary blocks less their padding */
  readonly segmentLength: number;
  /** where the segment starts in the file (its place in the AES keystream) */
  readonly offset: number;
  /** the part of the segment to decrypt: bytes [from, to), within segmentLength */
  readonly from: number;
  readonly to: number;
}

export interface DecodedSegment {
  /** the tagged hash of each of the job's blocks, in the job's order */
  readonly blockHashes: Uint8Array[];
  /** the crypttext segment hash of the ciphertext rebuilt from those blocks */
  readonly segmentHash: Uint8Array;
  /** the plaintext of [from, to), in pieces: not to be used before the hashes are verified */
  readonly plaintext: Uint8Array[];
}

/** Runs segment decoding jobs: in-process by default, or on worker threads (core/workers). */
export interface SegmentDecoder {
  decodeSegment(job: SegmentDecodeJob): Promise<DecodedSegment>;
}

/** The K primary blocks in order: as read, or rebuilt from parity. */
function primaryBlocks(job: SegmentDecodeJob): readonly Uint8Array[] {
  const { blocks, shareNumbers, neededShares: k } = job;
  if (shareNumbers.every((shareNumber, i) => shareNumber === i)) return blocks;
  if (shareNumbers.every((shareNumber) => shareNumber < k)) {
    const ordered: Uint8Array[] = [];
    shareNumbers.forEach((shareNumber, i) => (ordered[shareNumber] = blocks[i]!));
    return ordered;
  }
  return coderFor(k, job.totalShares).decode(blocks, shareNumbers).slice(0, k);
}

/** The first `length` bytes of `pieces`, as views. */
function cutTo(pieces: readonly Uint8Array[], length: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = length;
  for (const piece of pieces) {
    if (left <= 0) break;
    out.push(piece.length <= left ? piece : piece.subarray(0, left));
    left -= piece.length;
  }
  return out;
}

/** Decodes on the calling thread. The ciphertext is hashed and decrypted piece by piece, never joined. */
export function decodeSegment(job: SegmentDecodeJob): DecodedSegment {
  if (job.blocks.length !== job.neededShares || job.shareNumbers.length !== job.neededShares) {
    throw new RangeError(`a segment is decoded from ${job.neededShares} blocks, got ${job.blocks.length}`);
  }
  const blockHashes = job.blocks.map((block) => taggedHash(BLOCK_TAG, block));
  const ciphertext = cutTo(primaryBlocks(job), job.segmentLength);
  const hasher = new TaggedHasher(CIPHERTEXT_SEGMENT_TAG);
  for (const piece of ciphertext) hasher.update(piece);
  const plaintext: Uint8Array[] = [];
  if (job.to > job.from) {
    const stream = AesCtrStream.at(job.key, job.offset + job.from);
    let pieceStart = 0;
    for (const piece of ciphertext) {
      const from = Math.max(0, job.from - pieceStart);
      const to = Math.min(piece.length, job.to - pieceStart);
      if (to > from) plaintext.push(stream.update(piece.subarray(from, to)));
      pieceStart += piece.length;
    }
  }
  return { blockHashes, segmentHash: hasher.digest(), plaintext };
}

export const inProcessSegmentDecoder: SegmentDecoder = {
  decodeSegment: (job) => Promise.resolve(decodeSegment(job)),
};
