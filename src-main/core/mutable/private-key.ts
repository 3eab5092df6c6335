import type { MutableWriteCap } from '../../../src-shared/caps/index.js';
import { equalBytes } from '../bytes.js';
import { BadMutableShareError } from './errors.js';
import { decryptSeed, writerKeysFromSeed, type MutableWriterKeys } from './keys.js';
import { parseMutableShare } from './share-layout.js';

/**
 * A writer's keys, recovered from any share of the file: the encrypted key is decrypted
 * with the cap's writekey and accepted only if it hashes back to that writekey and its
 * public key matches the cap's fingerprint (and the share's own key). A share that fails
 * gets BadMutableShareError 'bad-encrypted-key'; another share may do.
 */
export function recoverWriterKeys(cap: MutableWriteCap, share: Uint8Array, label = 'share'): MutableWriterKeys {
  const parts = parseMutableShare(share, label);
  const keys = writerKeysFromSeed(decryptSeed(cap.writekey, parts.encryptedKey));
  if (!equalBytes(keys.writekey, cap.writekey)) {
    throw new BadMutableShareError(label, 'bad-encrypted-key', 'its encrypted private key does not decrypt to the key of this write cap');
  }
  if (!equalBytes(keys.fingerprint, cap.fingerprint) || !equalBytes(keys.publicKey, parts.publicKey)) {
    throw new BadMutableShareError(label, 'bad-encrypted-key', "its private key does not match the file's public key");
  }
  return keys;
}

/** The writer's keys from the first of `shares` that yields them (BadMutableShareError if none does). */
export function recoverWriterKeysFromAny(cap: MutableWriteCap, shares: readonly { readonly bytes: Uint8Array }[]): MutableWriterKeys {
  let lastError: unknown = new Error('no share to recover the signing key from');
  for (const share of shares) {
    try {
      return recoverWriterKeys(cap, share.bytes);
    } catch (error) {
      if (!(error instanceof BadMutableShareError)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}
