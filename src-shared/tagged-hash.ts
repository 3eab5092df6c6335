// Tahoe's netstring, SHA-256d and tagged hashes (chk-format.md §0).
// For small inputs (keys, hashes); bulk hashing lives in src-main.

import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/** Tags are ASCII strings, or raw bytes for composite tags. */
export type Tag = string | Uint8Array;

export function netstring(bytes: Uint8Array): Uint8Array {
  return concatBytes(utf8ToBytes(`${bytes.length}:`), bytes, utf8ToBytes(','));
}

export function sha256d(bytes: Uint8Array): Uint8Array {
  return sha256(sha256(bytes));
}

function tagBytes(tag: Tag): Uint8Array {
  return typeof tag === 'string' ? utf8ToBytes(tag) : tag;
}

function truncate(digest: Uint8Array, truncateTo: number | undefined): Uint8Array {
  if (truncateTo === undefined) return digest;
  if (!Number.isInteger(truncateTo) || truncateTo < 1 || truncateTo > digest.length) {
    throw new RangeError(`truncateTo must be an integer from 1 to ${digest.length}, got ${truncateTo}`);
  }
  return digest.slice(0, truncateTo);
}

/** SHA256d(ns(tag) || value), optionally truncated. `value` is not netstring-wrapped. */
export function taggedHash(tag: Tag, value: Uint8Array, truncateTo?: number): Uint8Array {
  const inner = sha256.create().update(netstring(tagBytes(tag))).update(value).digest();
  return truncate(sha256(inner), truncateTo);
}

/** SHA256d(ns(tag) || ns(a) || ns(b)), optionally truncated. */
export function taggedPairHash(tag: Tag, a: Uint8Array, b: Uint8Array, truncateTo?: number): Uint8Array {
  const inner = sha256
    .create()
    .update(netstring(tagBytes(tag)))
    .update(netstring(a))
    .update(netstring(b))
    .digest();
  return truncate(sha256(inner), truncateTo);
}
