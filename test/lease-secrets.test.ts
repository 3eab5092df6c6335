import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { base32Decode, base32Encode } from '../src-shared/base32.js';
import { taggedHash as nobleTaggedHash, taggedPairHash as nobleTaggedPairHash } from '../src-shared/tagged-hash.js';
import {
  bucketLeaseSecrets,
  clientLeaseSecrets,
  deriveBucketLeaseSecrets,
  fileLeaseSecrets,
  leaseSeedOfPeer,
  type LeaseSecrets,
} from '../src-main/core/lease-secrets.js';
import { readVectorJson } from './support/vectors.js';

interface LeaseVector {
  lease_secret_b32: string;
  storage_index_b32: string;
  tubid_b32: string;
  expected_renewal_secret_b32: string;
}

interface KnownAnswer {
  name: string;
  inputs: Record<string, string>;
  expected_b32: string;
}

const ascii = (s: string) => new TextEncoder().encode(s);
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const b32 = (bytes: Uint8Array) => base32Encode(bytes);

/** Both secrets set to the same bytes, so one derivation answers a renew and a cancel vector. */
const both = (bytes: Uint8Array): LeaseSecrets => ({ renew: bytes, cancel: bytes });

/** Each lease known answer from Tahoe's test_hashutil, computed through our step functions. */
const computeLeaseAnswer: Record<string, (i: Record<string, string>) => Uint8Array> = {
  my_renewal_secret_hash: (i) => clientLeaseSecrets(hex(i.lease_secret_hex!)).renew,
  my_cancel_secret_hash: (i) => clientLeaseSecrets(hex(i.lease_secret_hex!)).cancel,
  file_renewal_secret_hash: (i) => fileLeaseSecrets(both(hex(i.client_renewal_secret_hex!)), ascii(i.storage_index!)).renew,
  file_cancel_secret_hash: (i) => fileLeaseSecrets(both(hex(i.client_cancel_secret_hex!)), ascii(i.storage_index!)).cancel,
  bucket_renewal_secret_hash: (i) => bucketLeaseSecrets(both(hex(i.file_renewal_secret_hex!)), hex(i.peerid_hex!)).renew,
  bucket_cancel_secret_hash: (i) => bucketLeaseSecrets(both(hex(i.file_cancel_secret_hex!)), hex(i.peerid_hex!)).cancel,
};

describe('lease secrets against Tahoe vectors', () => {
  const vectors = readVectorJson<{ vectors: LeaseVector[] }>('lease-renewal-secret-vectors.json').vectors;
  const knownAnswers = readVectorJson<{ hash_known_answers: KnownAnswer[] }>('hash-known-answers.json').hash_known_answers;
  const leaseAnswers = knownAnswers.filter((a) => /secret/.test(a.name));

  it('has the four renewal vectors and six lease known answers', () => {
    expect(vectors).toHaveLength(4);
    expect(new Set(leaseAnswers.map((a) => a.name))).toEqual(new Set(Object.keys(computeLeaseAnswer)));
  });

  it.each(vectors.map((v, i) => [i, v] as const))('renewal vector %i', (_, v) => {
    const secrets = deriveBucketLeaseSecrets(
      base32Decode(v.lease_secret_b32),
      base32Decode(v.storage_index_b32),
      base32Decode(v.tubid_b32),
    );
    expect(b32(secrets.renew)).toBe(v.expected_renewal_secret_b32);
  });

  it.each(leaseAnswers.map((a) => [a.name, a] as const))('%s', (_, answer) => {
    expect(b32(computeLeaseAnswer[answer.name]!(answer.inputs))).toBe(answer.expected_b32);
  });
});

describe('lease secret derivation', () => {
  it('matches the @noble tagged hashes, with the node secret as the tag', () => {
    for (let i = 0; i < 20; i++) {
      const [secret, si, seed] = [randomBytes(32), randomBytes(16), randomBytes(20)];
      const client = {
        renew: nobleTaggedHash(secret, ascii('allmydata_client_renewal_secret_v1')),
        cancel: nobleTaggedHash(secret, ascii('allmydata_client_cancel_secret_v1')),
      };
      const file = {
        renew: nobleTaggedPairHash('allmydata_file_renewal_secret_v1', client.renew, si),
        cancel: nobleTaggedPairHash('allmydata_file_cancel_secret_v1', client.cancel, si),
      };
      const expected = {
        renew: b32(nobleTaggedPairHash('allmydata_bucket_renewal_secret_v1', file.renew, seed)),
        cancel: b32(nobleTaggedPairHash('allmydata_bucket_cancel_secret_v1', file.cancel, seed)),
      };
      const actual = deriveBucketLeaseSecrets(secret, si, seed);
      expect({ renew: b32(actual.renew), cancel: b32(actual.cancel) }).toEqual(expected);
    }
  });

  it('gives each server and each file its own secrets', () => {
    const secret = randomBytes(32);
    const [si1, si2] = [randomBytes(16), randomBytes(16)];
    const [seed1, seed2] = [randomBytes(20), randomBytes(20)];
    const all = [
      deriveBucketLeaseSecrets(secret, si1, seed1),
      deriveBucketLeaseSecrets(secret, si1, seed2),
      deriveBucketLeaseSecrets(secret, si2, seed1),
    ].flatMap((s) => [b32(s.renew), b32(s.cancel)]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('rejects inputs of the wrong size', () => {
    const [secret, si, seed] = [randomBytes(32), randomBytes(16), randomBytes(20)];
    expect(() => deriveBucketLeaseSecrets(randomBytes(31), si, seed)).toThrow('lease secret must be 32 bytes (got 31)');
    expect(() => deriveBucketLeaseSecrets(secret, randomBytes(20), seed)).toThrow('storage index must be 16 bytes');
    // the base32 text of a seed instead of its bytes
    expect(() => deriveBucketLeaseSecrets(secret, si, ascii(b32(seed)))).toThrow('lease seed must be 20 bytes (got 32)');
  });
});

describe('leaseSeedOfPeer', () => {
  it('is the first 20 bytes of SHA-256 of the peer id bytes', () => {
    const peerId = randomBytes(38);
    const seed = leaseSeedOfPeer(peerId);
    expect(seed).toHaveLength(20);
    expect(Buffer.from(seed)).toEqual(createHash('sha256').update(peerId).digest().subarray(0, 20));
    expect(leaseSeedOfPeer(Uint8Array.from(peerId))).toEqual(seed);
  });

  it('has a fixed known answer, since changing it orphans existing leases', () => {
    // An Ed25519 peer id's multihash: identity code 0x00, length 36, then the protobuf public key.
    const peerId = Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...new Uint8Array(32).fill(7)]);
    expect(Buffer.from(leaseSeedOfPeer(peerId)).toString('hex')).toBe('4379227c8206dfb9a069d64b5aa8f98261ca7de8');
    expect(() => leaseSeedOfPeer(new Uint8Array(0))).toThrow('peer id is empty');
  });

  it('feeds bucket secrets', () => {
    const secrets = deriveBucketLeaseSecrets(randomBytes(32), randomBytes(16), leaseSeedOfPeer(randomBytes(38)));
    expect(secrets.renew).toHaveLength(32);
    expect(secrets.cancel).toHaveLength(32);
  });
});
