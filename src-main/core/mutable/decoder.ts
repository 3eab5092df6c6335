import type { MutableReadCap, MutableWriteCap } from '../../../src-shared/caps/index.js';
import { readkeyOfWritekey } from '../../../src-shared/caps/index.js';
import { equalBytes } from '../bytes.js';
import { aesCtr } from '../crypto/aes-ctr.js';
import { ReedSolomon } from '../fec/reed-solomon.js';
import { BadMutableShareError, UnrecoverableVersionError } from './errors.js';
import { datakeyOf } from './keys.js';
import { checkMutableShare, type CheckedMutableShare, type MutableShareInput } from './share-check.js';
import type { MutableVersionInfo } from './share-layout.js';
import { compareVersions, versionKeyOf } from './version-info.js';

export interface MutableDecodeOptions {
  /** decode only the version with this checkstring; default: the best recoverable version */
  readonly checkstring?: Uint8Array;
  /** told of every share rejected, as soon as it is */
  readonly onBadShare?: (error: BadMutableShareError) => void;
}

export interface DecodedMutableVersion {
  readonly plaintext: Uint8Array;
  readonly info: MutableVersionInfo;
  /** the share numbers decoded from */
  readonly sharesUsed: number[];
  /** every share rejected, and why (shares of other versions are not bad, just unused) */
  readonly badShares: BadMutableShareError[];
}

/**
 * Rebuilds one version of a mutable file from its shares. Every share is checked whole
 * (checkMutableShare); bad ones are named and skipped. Shares are grouped by version and
 * the highest (seqnum, root hash) version with K good shares is decoded, as Tahoe's
 * retrieve does. Throws UnrecoverableVersionError if no version has K good shares.
 */
export function decodeMutableVersion(
  cap: MutableReadCap | MutableWriteCap,
  shares: readonly MutableShareInput[],
  options: MutableDecodeOptions = {},
): DecodedMutableVersion {
  const badShares: BadMutableShareError[] = [];
  const reject = (error: unknown): void => {
    if (!(error instanceof BadMutableShareError)) throw error;
    badShares.push(error);
    options.onBadShare?.(error);
  };

  const versions = new Map<string, Map<number, CheckedMutableShare>>();
  for (const input of shares) {
    try {
      const share = checkMutableShare(cap.fingerprint, input);
      if (options.checkstring !== undefined && !equalBytes(share.info.checkstring, options.checkstring)) continue;
      const key = versionKeyOf(share.info);
      const version = versions.get(key) ?? new Map<number, CheckedMutableShare>();
      versions.set(key, version);
      if (version.has(share.shareNumber)) {
        throw new BadMutableShareError(share.label, 'duplicate', `it holds share ${share.shareNumber}, which another share already provides`);
      }
      version.set(share.shareNumber, share);
    } catch (error) {
      reject(error);
    }
  }

  const candidates = [...versions.values()].map((version) => [...version.values()]);
  const recoverable = candidates.filter((group) => group.length >= group[0]!.info.neededShares);
  if (recoverable.length === 0) {
    const largest = candidates.sort((a, b) => b.length - a.length)[0];
    throw new UnrecoverableVersionError(largest?.[0]!.info.neededShares, largest?.length ?? 0, badShares);
  }
  const best = recoverable.reduce((a, b) => (compareVersions(a[0]!.info, b[0]!.info) >= 0 ? a : b));
  const info = best[0]!.info;
  // Primary shares (number < K) need no erasure decoding; use them first.
  const used = best.sort((a, b) => a.shareNumber - b.shareNumber).slice(0, info.neededShares);
  const readkey = cap.kind === 'ssk-ed25519' ? readkeyOfWritekey(cap.writekey) : cap.readkey;
  const ciphertext = joinBlocks(used, info).subarray(0, info.dataLength);
  const plaintext = aesCtr(datakeyOf(readkey, info.salt), ciphertext);
  return {
    plaintext: new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength),
    info,
    sharesUsed: used.map((share) => share.shareNumber),
    badShares,
  };
}

function joinBlocks(shares: readonly CheckedMutableShare[], info: MutableVersionInfo): Uint8Array {
  const k = info.neededShares;
  const numbers = shares.map((share) => share.shareNumber);
  const blocks = shares.map((share) => share.block);
  const primaries = numbers.every((shareNumber, i) => shareNumber === i) ? blocks : new ReedSolomon(k, info.totalShares).decode(blocks, numbers);
  const blockSize = info.segmentSize / k;
  const joined = new Uint8Array(info.segmentSize);
  primaries.forEach((block, i) => joined.set(block, i * blockSize));
  return joined;
}
