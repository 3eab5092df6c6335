import { createHash, timingSafeEqual } from 'node:crypto';
import { aesCtr } from '../crypto/aes-ctr.js';
import { taggedHash, taggedPairHash } from '../crypto/hashes.js';
import { DirectoryFormatError } from './errors.js';
import { CHILD_CAPKEY_TAG, CHILD_RWCAP_SALT_TAG } from './tags.js';

// A child's write cap, sealed so that only holders of the directory's writekey can read it
// (mutable-and-dirnodes.md §7): salt(16) ‖ AES-128-CTR(key, 0)(rw_uri) ‖ mac(32).

const SALT_SIZE = 16;
const MAC_SIZE = 32;
export const SEALED_OVERHEAD = SALT_SIZE + MAC_SIZE;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** Tahoe's `hashutil.hmac`: the key XORed as it is, not padded to 64 bytes (so not RFC 2104). */
function tahoeMac(key: Uint8Array, message: Uint8Array[]): Uint8Array {
  const inner = sha256(key.map((byte) => byte ^ 0x36), ...message);
  return sha256(key.map((byte) => byte ^ 0x5c), inner);
}

function capKey(writekey: Uint8Array, salt: Uint8Array): Uint8Array {
  return taggedPairHash(CHILD_CAPKEY_TAG, salt, writekey, 16);
}

/** The salt is derived from the cap, so sealing is deterministic (as in Tahoe). */
export function sealChildWriteCap(writekey: Uint8Array, rwUri: string): Uint8Array {
  const plaintext = encoder.encode(rwUri);
  const salt = taggedHash(CHILD_RWCAP_SALT_TAG, plaintext, SALT_SIZE);
  const key = capKey(writekey, salt);
  const ciphertext = aesCtr(key, plaintext);
  return Buffer.concat([salt, ciphertext, tahoeMac(key, [salt, ciphertext])]);
}

/** Opens a sealed write cap; '' for a read-only child. The MAC is checked (Tahoe skips it). */
export function openChildWriteCap(writekey: Uint8Array, sealed: Uint8Array, where: string): string {
  if (sealed.length < SEALED_OVERHEAD) {
    throw new DirectoryFormatError(`${where}: its sealed write cap is ${sealed.length} bytes, less than the ${SEALED_OVERHEAD} of salt and MAC`);
  }
  const salt = sealed.subarray(0, SALT_SIZE);
  const ciphertext = sealed.subarray(SALT_SIZE, sealed.length - MAC_SIZE);
  const key = capKey(writekey, salt);
  const mac = tahoeMac(key, [salt, ciphertext]);
  if (!timingSafeEqual(mac, sealed.subarray(sealed.length - MAC_SIZE))) {
    throw new DirectoryFormatError(`${where}: its sealed write cap fails its MAC (corrupt, or sealed with another directory's key)`);
  }
  try {
    return decoder.decode(aesCtr(key, ciphertext)).replace(/ +$/, '');
  } catch {
    throw new DirectoryFormatError(`${where}: its write cap is not UTF-8`);
  }
}

/**
 * Seals and opens the write caps of one directory. A read-only child's seal (of '') is
 * the same for every such child, so it is computed once: most entries of a large
 * directory are files with no write cap.
 */
export class ChildWriteCapSeal {
  readonly #writekey: Uint8Array;
  readonly #sealedEmpty: Uint8Array;

  constructor(writekey: Uint8Array) {
    this.#writekey = writekey;
    this.#sealedEmpty = sealChildWriteCap(writekey, '');
  }

  seal(rwUri: string | undefined): Uint8Array {
    return rwUri === undefined || rwUri === '' ? this.#sealedEmpty : sealChildWriteCap(this.#writekey, rwUri);
  }

  open(sealed: Uint8Array, where: string): string {
    if (sealed.length === SEALED_OVERHEAD && Buffer.compare(sealed, this.#sealedEmpty) === 0) return '';
    return openChildWriteCap(this.#writekey, sealed, where);
  }
}
