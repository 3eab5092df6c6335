import { randomBytes } from 'node:crypto';
import { netstring } from '../crypto/netstring.js';
import { TaggedHasher } from '../crypto/hashes.js';
import { CONVERGENT_ENCRYPTION_TAG } from '../crypto/tags.js';
import { AES_KEY_SIZE } from '../crypto/aes-ctr.js';

/** The composite tag: CONVERGENT_ENCRYPTION_TAG || ns(secret) || ns("k,n,segsize"). */
export function convergenceTag(secret: Uint8Array, k: number, n: number, segmentSize: number): Uint8Array {
  const param = `${k},${n},${segmentSize}`;
  const prefix = new TextEncoder().encode(CONVERGENT_ENCRYPTION_TAG);
  const secretPart = netstring(secret);
  const paramPart = netstring(param);
  const tag = new Uint8Array(prefix.length + secretPart.length + paramPart.length);
  tag.set(prefix, 0);
  tag.set(secretPart, prefix.length);
  tag.set(paramPart, prefix.length + secretPart.length);
  return tag;
}

/**
 * The convergent-key hasher: the same plaintext, secret, K, N and effective segment size
 * always give the same key (chk-format.md §4). Feed it the whole plaintext.
 */
export function convergentKeyHasher(secret: Uint8Array, k: number, n: number, segmentSize: number): TaggedHasher {
  return new TaggedHasher(convergenceTag(secret, k, n, segmentSize), AES_KEY_SIZE);
}

export async function convergentKey(
  plaintext: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  secret: Uint8Array,
  k: number,
  n: number,
  segmentSize: number,
): Promise<Uint8Array> {
  const hasher = convergentKeyHasher(secret, k, n, segmentSize);
  for await (const chunk of plaintext) hasher.update(chunk);
  return hasher.digest();
}

/** Random-key mode, for streams that cannot be read twice. */
export function randomKey(): Uint8Array {
  return randomBytes(AES_KEY_SIZE);
}
