import { createHash, type Hash } from 'node:crypto';
import { netstring } from './netstring.js';

/** The SHA-256d digest size; every tagged hash is this long unless truncated. */
export const HASH_SIZE = 32;

function sha256(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}

/** SHA256(SHA256(x)), Ferguson–Schneier double hash. */
export function sha256d(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/**
 * Streaming tagged hash: SHA256d(ns(tag) || value...). The bulk path (whole files,
 * segments, blocks) goes through node:crypto; see bench/ for why.
 */
export class TaggedHasher {
  private readonly inner: Hash;
  private finished = false;

  constructor(tag: Uint8Array | string, private readonly truncateTo?: number) {
    this.inner = createHash('sha256').update(netstring(tag));
  }

  update(data: Uint8Array): this {
    this.inner.update(data);
    return this;
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error('TaggedHasher.digest() called twice');
    this.finished = true;
    const full = sha256(this.inner.digest());
    return this.truncateTo === undefined ? full : full.subarray(0, this.truncateTo);
  }
}

/** tagged_hash(tag, v, t) = SHA256d(ns(tag) || v)[:t]. The value is not netstring-wrapped. */
export function taggedHash(tag: Uint8Array | string, value: Uint8Array, truncateTo?: number): Uint8Array {
  return new TaggedHasher(tag, truncateTo).update(value).digest();
}

/** tagged_pair_hash(tag, a, b, t) = SHA256d(ns(tag) || ns(a) || ns(b))[:t]. */
export function taggedPairHash(
  tag: Uint8Array | string,
  a: Uint8Array,
  b: Uint8Array,
  truncateTo?: number,
): Uint8Array {
  return new TaggedHasher(tag, truncateTo).update(netstring(a)).update(netstring(b)).digest();
}
