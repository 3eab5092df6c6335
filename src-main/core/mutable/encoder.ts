import { randomBytes } from 'node:crypto';
import { aesCtr } from '../crypto/aes-ctr.js';
import { taggedHash } from '../crypto/hashes.js';
import { ReedSolomon } from '../fec/reed-solomon.js';
import { HashTree } from '../hash-tree.js';
import { ed25519Sign } from './ed25519.js';
import { MutableEncodingError } from './errors.js';
import { SALT_SIZE, datakeyOf, encryptSeed, type MutableWriterKeys } from './keys.js';
import {
  MAX_MUTABLE_FILE_SIZE,
  MAX_MUTABLE_SHARES,
  encodeSignedPrefix,
  layoutOf,
  packMutableShare,
  parseSignedPrefix,
  type MutableVersionInfo,
} from './share-layout.js';
import { BLOCK_TAG } from './tags.js';

export interface MutableVersionInput {
  readonly keys: MutableWriterKeys;
  /** 1 for a new file; otherwise one more than the highest seqnum seen on the grid */
  readonly seqnum: number;
  readonly plaintext: Uint8Array;
  readonly neededShares: number;
  readonly totalShares: number;
  /** 16 bytes; random when not given (only tests give one) */
  readonly salt?: Uint8Array;
}

export interface EncodedMutableVersion {
  readonly info: MutableVersionInfo;
  /** every share's complete bytes; index = share number */
  readonly shares: Uint8Array[];
}

function checkInput(input: MutableVersionInput): void {
  const { neededShares: k, totalShares: n, seqnum, plaintext, salt } = input;
  if (!Number.isInteger(n) || n < 1 || n > MAX_MUTABLE_SHARES) {
    throw new MutableEncodingError(`total shares N must be an integer from 1 to ${MAX_MUTABLE_SHARES} (got ${n})`);
  }
  if (!Number.isInteger(k) || k < 1 || k > n) throw new MutableEncodingError(`needed shares K must be an integer from 1 to N=${n} (got ${k})`);
  if (!Number.isSafeInteger(seqnum) || seqnum < 1) throw new MutableEncodingError(`seqnum must be a positive safe integer (got ${seqnum})`);
  if (plaintext.length > MAX_MUTABLE_FILE_SIZE) {
    throw new MutableEncodingError(`a mutable file holds at most ${MAX_MUTABLE_FILE_SIZE} bytes (16 MiB), got ${plaintext.length}`);
  }
  if (salt !== undefined && salt.length !== SALT_SIZE) throw new MutableEncodingError(`the salt is ${SALT_SIZE} bytes, got ${salt.length}`);
}

/**
 * Encrypts, erasure-codes and signs one version of a mutable file (SDMF: one segment).
 * Every share is returned whole; a publish writes each with one test-and-set call whose
 * test is the checkstring of the version it replaces.
 */
export function encodeMutableVersion(input: MutableVersionInput): EncodedMutableVersion {
  checkInput(input);
  const { keys, plaintext, neededShares: k, totalShares: n } = input;
  const salt = input.salt ?? new Uint8Array(randomBytes(SALT_SIZE));
  const layout = layoutOf(k, n, plaintext.length);
  const blockSize = layout.encryptedKey - layout.shareData;

  const segment = new Uint8Array(blockSize * k); // zero padding to a multiple of k
  segment.set(aesCtr(datakeyOf(keys.readkey, salt), plaintext));
  const primaries = Array.from({ length: k }, (_, j) => segment.subarray(j * blockSize, (j + 1) * blockSize));
  const secondaries = n > k ? new ReedSolomon(k, n).encodeSegment(segment, blockSize) : [];
  const blocks = [...primaries, ...secondaries];

  // One segment: each share's block hash tree is its block's hash, a leaf of the share tree.
  const blockHashes = blocks.map((block) => taggedHash(BLOCK_TAG, block));
  const shareTree = new HashTree(blockHashes);
  const signedPrefix = encodeSignedPrefix({
    seqnum: input.seqnum,
    rootHash: shareTree.root,
    salt,
    neededShares: k,
    totalShares: n,
    segmentSize: blockSize * k,
    dataLength: plaintext.length,
  });
  const signature = ed25519Sign(keys.seed, signedPrefix);
  const encryptedKey = encryptSeed(keys.writekey, keys.seed);
  const shares = blocks.map((block, j) =>
    packMutableShare({
      signedPrefix,
      layout,
      publicKey: keys.publicKey,
      signature,
      shareHashChain: shareTree.neededFor(j),
      blockHash: blockHashes[j]!,
      block,
      encryptedKey,
    }),
  );
  return { info: parseSignedPrefix(signedPrefix), shares };
}
