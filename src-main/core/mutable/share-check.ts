import { equalBytes } from '../bytes.js';
import { taggedHash } from '../crypto/hashes.js';
import { BadHashError, PartialHashTree, neededHashes } from '../hash-tree.js';
import { BadMutableShareError } from './errors.js';
import { parseMutableShare, type MutableVersionInfo } from './share-layout.js';
import { BLOCK_TAG } from './tags.js';
import { verifyShareHead } from './version-info.js';

/** A share as a server holds it: its number comes from the server, not from the bytes. */
export interface MutableShareInput {
  readonly shareNumber: number;
  readonly bytes: Uint8Array;
  /** how errors name this share (a server and share number…); default `#<shareNumber>` */
  readonly label?: string;
}

/** A share whose every byte but the encrypted key has been checked. */
export interface CheckedMutableShare {
  readonly shareNumber: number;
  readonly label: string;
  readonly info: MutableVersionInfo;
  readonly block: Uint8Array;
}

function leadsToRoot(info: MutableVersionInfo, shareNumber: number, leafHash: Uint8Array, chain: ReadonlyMap<number, Uint8Array>): boolean {
  try {
    new PartialHashTree(info.totalShares, info.rootHash).verifyLeaf(shareNumber, leafHash, chain);
    return true;
  } catch (error) {
    if (error instanceof BadHashError || error instanceof RangeError) return false;
    throw error;
  }
}

/**
 * Checks one whole share against the file's fingerprint (which every cap carries, so a
 * verify cap suffices): the public key, the signature over the prefix, the share hash
 * chain up to the signed root hash, and the block. Throws BadMutableShareError naming what
 * is wrong.
 */
export function checkMutableShare(fingerprint: Uint8Array, share: MutableShareInput): CheckedMutableShare {
  const { shareNumber, bytes } = share;
  const label = share.label ?? `#${shareNumber}`;
  const fail = (problem: BadMutableShareError['problem'], detail: string): never => {
    throw new BadMutableShareError(label, problem, detail);
  };
  const parts = parseMutableShare(bytes, label);
  verifyShareHead(parts, fingerprint, label);
  const { info } = parts;
  if (!Number.isInteger(shareNumber) || shareNumber < 0 || shareNumber >= info.totalShares) {
    fail('wrong-share-number', `share number ${shareNumber} is outside 0..${info.totalShares - 1}`);
  }
  const expected = neededHashes(info.totalShares, shareNumber);
  const stored = [...parts.shareHashChain.keys()].sort((a, b) => a - b);
  if (expected.length !== stored.length || expected.some((index, i) => stored[i] !== index)) {
    fail('bad-share-hashes', `its share hash chain holds nodes ${stored.join(',')}, share ${shareNumber} needs ${expected.join(',')}`);
  }
  const blockHash = taggedHash(BLOCK_TAG, parts.block);
  const storedRoot = parts.blockHashTreeRoot;
  if (!leadsToRoot(info, shareNumber, storedRoot, parts.shareHashChain)) {
    if (!equalBytes(blockHash, storedRoot) && leadsToRoot(info, shareNumber, blockHash, parts.shareHashChain)) {
      fail('bad-block-hash-tree', 'its block hash tree is corrupt');
    }
    fail('bad-share-hashes', `its share hash chain does not lead to the signed root hash (or it is not share ${shareNumber})`);
  }
  if (!equalBytes(blockHash, storedRoot)) fail('bad-block', 'its block does not match its hash');
  return { shareNumber, label, info, block: parts.block };
}
