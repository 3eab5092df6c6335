import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ctr } from '@noble/ciphers/aes.js';
import { base32Decode, base32Encode } from '../src-shared/base32.js';
import { taggedHash as nobleTaggedHash } from '../src-shared/tagged-hash.js';
import { aesCtr, AesCtrStream } from '../src-main/core/crypto/aes-ctr.js';
import { sha256d, TaggedHasher, taggedHash, taggedPairHash } from '../src-main/core/crypto/hashes.js';
import { netstring } from '../src-main/core/crypto/netstring.js';
import * as tags from '../src-main/core/crypto/tags.js';
import { convergentKey } from '../src-main/core/immutable/convergence.js';
import { readVectorJson } from './support/vectors.js';

interface KnownAnswer {
  name: string;
  inputs: Record<string, string | number>;
  expected_b32: string;
}

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const knownAnswers = readVectorJson<{ hash_known_answers: KnownAnswer[] }>('hash-known-answers.json').hash_known_answers;

function bytesInput(inputs: Record<string, string | number>, name: string): Uint8Array {
  if (`${name}_hex` in inputs) return hex(String(inputs[`${name}_hex`]));
  if (`${name}_b32` in inputs) return base32Decode(String(inputs[`${name}_b32`]));
  return ascii(String(inputs[name]));
}

/** The known answers for the tagged hashes the immutable core uses, computed with node:crypto. */
const computeWithCore: Record<string, (i: Record<string, string | number>) => Uint8Array> = {
  tagged_hash: (i) => taggedHash(String(i.tag), bytesInput(i, 'value')),
  tagged_pair_hash: (i) => taggedPairHash(String(i.tag), bytesInput(i, 'a'), bytesInput(i, 'b')),
  block_hash: (i) => taggedHash(tags.BLOCK_TAG, bytesInput(i, 'data')),
  uri_extension_hash: (i) => taggedHash(tags.UEB_TAG, bytesInput(i, 'data')),
  plaintext_hash: (i) => taggedHash(tags.PLAINTEXT_TAG, bytesInput(i, 'data')),
  crypttext_hash: (i) => taggedHash(tags.CIPHERTEXT_TAG, bytesInput(i, 'data')),
  crypttext_segment_hash: (i) => taggedHash(tags.CIPHERTEXT_SEGMENT_TAG, bytesInput(i, 'data')),
  plaintext_segment_hash: (i) => taggedHash(tags.PLAINTEXT_SEGMENT_TAG, bytesInput(i, 'data')),
  storage_index_hash: (i) => taggedHash(tags.STORAGE_INDEX_TAG, bytesInput(i, 'key'), 16),
};

describe('core hashes (node:crypto) against Tahoe known answers', () => {
  const covered = knownAnswers.filter((a) => a.name in computeWithCore);

  it('covers every immutable-file hash in the vector file', () => {
    expect(new Set(covered.map((a) => a.name))).toEqual(new Set(Object.keys(computeWithCore)));
  });

  it.each(covered.map((a) => [`${a.name} ${JSON.stringify(a.inputs)}`, a] as const))('%s', (_, answer) => {
    expect(base32Encode(computeWithCore[answer.name]!(answer.inputs))).toBe(answer.expected_b32);
  });

  it('derives the convergent key known answer', async () => {
    const answer = knownAnswers.find((a) => a.name === 'convergence_hash')!;
    const { k, n, segsize, convergence } = answer.inputs;
    const key = await convergentKey([bytesInput(answer.inputs, 'data')], ascii(String(convergence)), Number(k), Number(n), Number(segsize));
    expect(base32Encode(key)).toBe(answer.expected_b32);
  });

  it('netstring and SHA-256d have their textbook shapes', () => {
    expect(new TextDecoder().decode(netstring('abc'))).toBe('3:abc,');
    expect(new TextDecoder().decode(netstring(new Uint8Array(0)))).toBe('0:,');
    expect(Buffer.from(sha256d(ascii(''))).toString('hex')).toBe('5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456');
  });
});

describe('node:crypto against @noble on the same inputs', () => {
  it('tagged hashes agree for random inputs, streamed or whole', () => {
    for (let i = 0; i < 50; i++) {
      const tag = randomBytes(1 + (i % 40));
      const value = randomBytes(i * 997);
      const hasher = new TaggedHasher(tag);
      for (let at = 0; at < value.length; at += 1000) hasher.update(value.subarray(at, at + 1000));
      const expected = nobleTaggedHash(tag, value);
      expect(Buffer.from(taggedHash(tag, value))).toEqual(Buffer.from(expected));
      expect(Buffer.from(hasher.digest())).toEqual(Buffer.from(expected));
      expect(Buffer.from(taggedHash(tag, value, 16))).toEqual(Buffer.from(nobleTaggedHash(tag, value, 16)));
    }
  });

  it('AES-128-CTR with a zero IV matches noble, from any offset in the keystream', () => {
    const key = randomBytes(16);
    const plaintext = randomBytes(70_000);
    const expected = ctr(key, new Uint8Array(16)).encrypt(plaintext);
    expect(Buffer.from(aesCtr(key, plaintext))).toEqual(Buffer.from(expected));
    for (const offset of [0, 1, 15, 16, 17, 4095, 4096, 65_537, 69_999]) {
      expect(Buffer.from(aesCtr(key, plaintext.subarray(offset), offset))).toEqual(Buffer.from(expected.subarray(offset)));
    }
    const stream = AesCtrStream.at(key, 5);
    const pieces = [stream.update(plaintext.subarray(5, 100)), stream.update(plaintext.subarray(100, 70_000))];
    expect(Buffer.concat(pieces)).toEqual(Buffer.from(expected.subarray(5)));
  });

  it('the counter carries past 32 bits (files over 64 GiB)', () => {
    const key = randomBytes(16);
    const offset = (2 ** 32 - 1) * 16 + 3;
    const data = randomBytes(64);
    const iv = new Uint8Array(16);
    let block = BigInt(Math.floor(offset / 16));
    for (let i = 15; i >= 0; i--) {
      iv[i] = Number(block & 0xffn);
      block >>= 8n;
    }
    const keystreamFromBlock = ctr(key, iv).encrypt(new Uint8Array(3 + data.length)).subarray(3);
    const expected = data.map((byte, i) => byte ^ keystreamFromBlock[i]!);
    expect(Buffer.from(aesCtr(key, data, offset))).toEqual(Buffer.from(expected));
  });

  it('rejects a key of the wrong length', () => {
    expect(() => aesCtr(new Uint8Array(15), new Uint8Array(1))).toThrow(/16 bytes, got 15/);
  });
});
