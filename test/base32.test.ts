import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Base32Error, base32Decode, base32Encode, base32Length } from '../src-shared/base32.js';
import { netstring, sha256d, taggedHash, taggedPairHash } from '../src-shared/tagged-hash.js';
import { readVectorJson } from './support/vectors.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

/** Deterministic xorshift32 bytes, so a failure reproduces. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Independent, slow reference encoder: bytes -> bit string -> 5-bit groups. */
function referenceEncode(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bitString = Array.from(bytes, (b) => b.toString(2).padStart(8, '0')).join('');
  bitString = bitString.padEnd(Math.ceil(bitString.length / 5) * 5, '0');
  let out = '';
  for (let i = 0; i < bitString.length; i += 5) out += alphabet.charAt(parseInt(bitString.slice(i, i + 5), 2));
  return out;
}

function decodeError(text: string): Base32Error {
  try {
    base32Decode(text);
  } catch (err) {
    expect(err).toBeInstanceOf(Base32Error);
    return err as Base32Error;
  }
  throw new Error(`expected base32Decode to throw for ${JSON.stringify(text)}`);
}

describe('base32', () => {
  it('encodes the RFC 4648 test strings in lowercase without padding', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'my'],
      ['fo', 'mzxq'],
      ['foo', 'mzxw6'],
      ['foob', 'mzxw6yq'],
      ['fooba', 'mzxw6ytb'],
      ['foobar', 'mzxw6ytboi'],
      ['hello', 'nbswy3dp'],
    ];
    for (const [plain, encoded] of cases) {
      expect(base32Encode(ascii(plain))).toBe(encoded);
      expect(base32Decode(encoded)).toEqual(ascii(plain));
    }
  });

  it('gives the spec lengths: 16 -> 26, 20 -> 32, 32 -> 52 chars', () => {
    for (const [bytes, chars] of [[16, 26], [20, 32], [32, 52], [55, 88]] as const) {
      expect(base32Length(bytes)).toBe(chars);
      expect(base32Encode(new Uint8Array(bytes).fill(0xff))).toHaveLength(chars);
    }
    expect(base32Encode(hex('78787878787878787878787878787878'))).toBe('pb4hq6dypb4hq6dypb4hq6dypa');
  });

  it('round-trips pseudo-random inputs of every length 0..64 and matches a reference encoder', () => {
    for (let length = 0; length <= 64; length++) {
      for (let seed = 1; seed <= 4; seed++) {
        const bytes = pseudoRandomBytes(length, length * 7919 + seed);
        const text = base32Encode(bytes);
        expect(text).toBe(referenceEncode(bytes));
        expect(text).toMatch(/^[a-z2-7]*$/);
        expect(base32Decode(text)).toEqual(bytes);
      }
    }
  });

  it('round-trips 4 KiB and 1 MiB inputs', () => {
    for (const length of [4096, 1 << 20]) {
      const bytes = pseudoRandomBytes(length, length);
      const text = base32Encode(bytes);
      expect(text).toHaveLength(base32Length(length));
      // Buffer.equals: vitest's deep equality is slow on 1 MiB arrays.
      expect(Buffer.from(base32Decode(text)).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('rejects characters outside [a-z2-7], naming the character and its position', () => {
    const bad = decodeError('nbs1y3dp');
    expect(bad.kind).toBe('character');
    expect(bad.position).toBe(3);
    expect(bad.message).toBe('invalid base32 character "1" at position 3');

    expect(decodeError('NBSWY3DP').message).toBe(
      'invalid base32 character "N" at position 0 (base32 must be lowercase)',
    );
    expect(decodeError('my======').message).toBe('invalid base32 character "=" at position 2');
    expect(decodeError('nbswy3d\n').message).toBe('invalid base32 character "\\n" at position 7');
    expect(decodeError('nbsw\u00e9y3d').message).toBe('invalid base32 character "\u00e9" at position 4');
    expect(decodeError('nb0wy3dp').position).toBe(2);
    expect(decodeError('nb8wy3dp').position).toBe(2);
  });

  it('rejects impossible lengths (1, 3 or 6 mod 8)', () => {
    for (const length of [1, 3, 6, 9, 11, 14]) {
      const err = decodeError('a'.repeat(length));
      expect(err.kind).toBe('length');
      expect(err.message).toBe(
        `invalid base32 length ${length}: no byte string encodes to a length of ${length % 8} mod 8`,
      );
    }
    for (const length of [0, 2, 4, 5, 7, 8, 10]) expect(() => base32Decode('a'.repeat(length))).not.toThrow();
  });

  it('rejects non-zero unused bits in the last character', () => {
    // "f" is "my": 10 bits, the last 2 unused. "mz" sets one of them.
    const err = decodeError('mz');
    expect(err.kind).toBe('unused-bits');
    expect(err.position).toBe(1);
    expect(err.message).toBe('non-zero unused bits in the last base32 character (position 1)');
    for (const text of ['mzxr', 'mzxw7', 'mzxw6yr', 'pb4hq6dypb4hq6dypb4hq6dypb']) {
      expect(decodeError(text).kind).toBe('unused-bits');
    }
  });
});

interface HashKnownAnswer {
  name: string;
  definition: string;
  inputs: Record<string, string | number>;
  expected_b32: string;
}

interface HashVectors {
  hash_known_answers: HashKnownAnswer[];
  merkle_tree_known_answer: { nodes_breadth_first_b32: string[] };
}

/** Input `name`, given as ASCII (`name`), hex (`name_hex`) or base32 (`name_b32`). */
function input(inputs: HashKnownAnswer['inputs'], name: string): Uint8Array {
  const plain = inputs[name];
  if (typeof plain === 'string') return ascii(plain);
  const hexText = inputs[`${name}_hex`];
  if (typeof hexText === 'string') return hex(hexText);
  const b32Text = inputs[`${name}_b32`];
  if (typeof b32Text === 'string') return base32Decode(b32Text);
  throw new Error(`vector has no input ${name}`);
}

type Computation = (inputs: HashKnownAnswer['inputs']) => Uint8Array;

const SI_TAG = 'allmydata_immutable_key_to_storage_index_v1';
const CONVERGENCE_TAG = 'allmydata_immutable_content_to_key_with_added_secret_v1+';
const WRITE_ENABLER_MASTER_TAG = 'allmydata_mutable_writekey_to_write_enabler_master_v1';

const dataHash = (tag: string): Computation => (i) => taggedHash(tag, input(i, 'data'));
const leaseSecret = (tag: string): Computation => (i) => taggedHash(input(i, 'lease_secret'), ascii(tag));

const computations: Record<string, Computation> = {
  tagged_hash: (i) => taggedHash(input(i, 'tag'), input(i, 'value')),
  tagged_pair_hash: (i) => taggedPairHash(input(i, 'tag'), input(i, 'a'), input(i, 'b')),
  storage_index_hash: (i) => taggedHash(SI_TAG, input(i, 'key'), 16),
  block_hash: dataHash('allmydata_encoded_subshare_v1'),
  uri_extension_hash: dataHash('allmydata_uri_extension_v1'),
  plaintext_hash: dataHash('allmydata_plaintext_v1'),
  crypttext_hash: dataHash('allmydata_crypttext_v1'),
  crypttext_segment_hash: dataHash('allmydata_crypttext_segment_v1'),
  plaintext_segment_hash: dataHash('allmydata_plaintext_segment_v1'),
  convergence_hash: (i) => {
    const params = ascii(`${i.k},${i.n},${i.segsize}`);
    const tag = concat(ascii(CONVERGENCE_TAG), netstring(input(i, 'convergence')), netstring(params));
    return taggedHash(tag, input(i, 'data'), 16);
  },
  my_renewal_secret_hash: leaseSecret('allmydata_client_renewal_secret_v1'),
  my_cancel_secret_hash: leaseSecret('allmydata_client_cancel_secret_v1'),
  file_renewal_secret_hash: (i) =>
    taggedPairHash('allmydata_file_renewal_secret_v1', input(i, 'client_renewal_secret'), input(i, 'storage_index')),
  file_cancel_secret_hash: (i) =>
    taggedPairHash('allmydata_file_cancel_secret_v1', input(i, 'client_cancel_secret'), input(i, 'storage_index')),
  bucket_renewal_secret_hash: (i) =>
    taggedPairHash('allmydata_bucket_renewal_secret_v1', input(i, 'file_renewal_secret'), input(i, 'peerid')),
  bucket_cancel_secret_hash: (i) =>
    taggedPairHash('allmydata_bucket_cancel_secret_v1', input(i, 'file_cancel_secret'), input(i, 'peerid')),
  mutable_rwcap_key_hash: (i) =>
    taggedPairHash(
      'allmydata_mutable_writekey_and_salt_to_dirnode_child_capkey_v1',
      input(i, 'iv'),
      input(i, 'writekey'),
      16,
    ),
  ssk_writekey_hash: (i) => taggedHash('allmydata_mutable_privkey_to_writekey_v1', input(i, 'privkey'), 16),
  ssk_write_enabler_master_hash: (i) => taggedHash(WRITE_ENABLER_MASTER_TAG, input(i, 'writekey')),
  ssk_write_enabler_hash: (i) =>
    taggedPairHash(
      'allmydata_mutable_write_enabler_master_and_nodeid_to_write_enabler_v1',
      taggedHash(WRITE_ENABLER_MASTER_TAG, input(i, 'writekey')),
      input(i, 'nodeid'),
    ),
  ssk_pubkey_fingerprint_hash: (i) => taggedHash('allmydata_mutable_pubkey_to_fingerprint_v1', input(i, 'pubkey')),
  ssk_readkey_hash: (i) => taggedHash('allmydata_mutable_writekey_to_readkey_v1', input(i, 'writekey'), 16),
  ssk_readkey_data_hash: (i) =>
    taggedPairHash('allmydata_mutable_readkey_to_datakey_v1', input(i, 'iv'), input(i, 'readkey'), 16),
  ssk_storage_index_hash: (i) => taggedHash('allmydata_mutable_readkey_to_storage_index_v1', input(i, 'readkey'), 16),
};

/** Known answers for functions not built on tagged hashes (HMAC, SHA-1). */
const notTaggedHash = (name: string): boolean => name.startsWith('hmac') || name === 'permute_server_hash';

describe('tagged hashes', () => {
  const vectors = readVectorJson<HashVectors>('hash-known-answers.json');

  it('netstring wraps bytes as "<len>:<bytes>,"', () => {
    expect(netstring(ascii('abc'))).toEqual(ascii('3:abc,'));
    expect(netstring(new Uint8Array())).toEqual(ascii('0:,'));
    expect(netstring(new Uint8Array(12))).toEqual(concat(ascii('12:'), new Uint8Array(12), ascii(',')));
  });

  it('sha256d is SHA-256 applied twice', () => {
    const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();
    expect(Buffer.from(sha256d(new Uint8Array())).toString('hex')).toBe(
      '5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456',
    );
    for (const length of [1, 55, 64, 1000]) {
      const bytes = pseudoRandomBytes(length, length);
      expect(Buffer.from(sha256d(bytes))).toEqual(sha256(sha256(bytes)));
    }
  });

  it('taggedHash matches the spec example and truncates', () => {
    const full = taggedHash('tag', ascii('hello world'));
    expect(base32Encode(full)).toBe('yra322btzoqjp4ts2jon5dztgnilcdg6jgztgk7joi6qpjkitg2q');
    expect(taggedHash('tag', ascii('hello world'), 16)).toEqual(full.slice(0, 16));
    expect(taggedHash(ascii('tag'), ascii('hello world'))).toEqual(full);
    expect(taggedHash('tag', ascii('hello world'), 32)).toEqual(full);
  });

  it('rejects truncation outside 1..32', () => {
    for (const bad of [0, -1, 33, 1.5, Number.NaN]) {
      expect(() => taggedHash('tag', new Uint8Array(), bad)).toThrow(RangeError);
      expect(() => taggedPairHash('tag', new Uint8Array(), new Uint8Array(), bad)).toThrow(RangeError);
    }
  });

  const answers = vectors.hash_known_answers;
  const covered = answers.filter((a) => !notTaggedHash(a.name));

  it('covers every known answer except HMAC and SHA-1 ones', () => {
    expect(answers).toHaveLength(32);
    expect(covered).toHaveLength(30);
    for (const answer of covered) expect(computations, answer.name).toHaveProperty(answer.name);
  });

  for (const [index, answer] of covered.entries()) {
    it(`known answer ${index}: ${answer.name}`, () => {
      const compute = computations[answer.name];
      if (compute === undefined) throw new Error(`no computation for ${answer.name}`);
      expect(base32Encode(compute(answer.inputs))).toBe(answer.expected_b32);
    });
  }

  it('reproduces the Merkle tree known answer (3 leaves padded to 4)', () => {
    const leaves = [0, 1, 2].map((i) => taggedHash('tag', ascii(String(i))));
    leaves.push(taggedHash('Merkle tree empty leaf', ascii('3'))); // padding leaf at position 3
    const node = (a: Uint8Array, b: Uint8Array): Uint8Array => taggedPairHash('Merkle tree internal node', a, b);
    const [l0, l1, l2, l3] = leaves as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const left = node(l0, l1);
    const right = node(l2, l3);
    const nodes = [node(left, right), left, right, ...leaves];
    expect(nodes.map(base32Encode)).toEqual(vectors.merkle_tree_known_answer.nodes_breadth_first_b32);
  });
});
