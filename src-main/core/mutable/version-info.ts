import { equalBytes } from '../bytes.js';
import { ed25519Verify } from './ed25519.js';
import { BadMutableShareError } from './errors.js';
import { fingerprintOfPublicKey } from './keys.js';
import { parseMutableShareHead, type MutableShareHead, type MutableVersionInfo } from './share-layout.js';

/**
 * Checks that a share's public key is the file's (its hash is the cap's fingerprint) and
 * that the key signed the share's prefix. Throws BadMutableShareError.
 */
export function verifyShareHead(head: MutableShareHead, fingerprint: Uint8Array, label = 'share'): void {
  if (!equalBytes(fingerprintOfPublicKey(head.publicKey), fingerprint)) {
    throw new BadMutableShareError(label, 'bad-verification-key', "its public key does not match the cap's fingerprint (a share of another file, or corrupt)");
  }
  if (!ed25519Verify(head.publicKey, head.info.signedPrefix, head.signature)) {
    throw new BadMutableShareError(label, 'bad-signature', 'its signature does not verify');
  }
}

/**
 * The version a share holds, from its first SHARE_HEAD_SIZE bytes, verified against the
 * file's fingerprint (any cap of the file has it). For servermap updates.
 */
export function readVersionInfo(shareStart: Uint8Array, fingerprint: Uint8Array, label = 'share'): MutableVersionInfo {
  const head = parseMutableShareHead(shareStart, label);
  verifyShareHead(head, fingerprint, label);
  return head.info;
}

/** Shares of one version have the same signed prefix; this names it (hex). */
export function versionKeyOf(info: MutableVersionInfo): string {
  return Buffer.from(info.signedPrefix).toString('hex');
}

/** Orders versions as Tahoe's retrieve does: by seqnum, then root hash. */
export function compareVersions(a: MutableVersionInfo, b: MutableVersionInfo): number {
  if (a.seqnum !== b.seqnum) return a.seqnum - b.seqnum;
  return Buffer.compare(a.rootHash, b.rootHash);
}
