import { ctr } from '@noble/ciphers/aes.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { mutableStorageIndexOf, readOnlyCapOf, readkeyOfWritekey, storageIndexOfReadkey } from '../src-shared/caps/index.js';
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from '../src-main/core/mutable/ed25519.js';
import {
  datakeyOf,
  decryptSeed,
  encryptSeed,
  generateWriterKeys,
  writeCapOfKeys,
  writeEnablerFor,
  writeEnablerMaster,
  writerKeysFromSeed,
} from '../src-main/core/mutable/keys.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const ns = (b: Uint8Array): Uint8Array => cat(ascii(`${b.length}:`), b, ascii(','));

/** Tahoe's tagged hashes, written out with @noble/hashes. */
const nobleTagged = (tag: string, value: Uint8Array, n = 32): Uint8Array => sha256(sha256(cat(ns(ascii(tag)), value))).slice(0, n);
const noblePair = (tag: string, a: Uint8Array, b: Uint8Array, n = 32): Uint8Array => sha256(sha256(cat(ns(ascii(tag)), ns(a), ns(b)))).slice(0, n);

// RFC 8032 §7.1, test 1.
const RFC_SEED = hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const RFC_PUBLIC = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const RFC_SIGNATURE = hex(
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
);

describe('Ed25519 through node:crypto', () => {
  it('matches RFC 8032 test 1', () => {
    expect(ed25519PublicKey(RFC_SEED)).toEqual(RFC_PUBLIC);
    expect(ed25519Sign(RFC_SEED, new Uint8Array())).toEqual(RFC_SIGNATURE);
    expect(ed25519Verify(RFC_PUBLIC, new Uint8Array(), RFC_SIGNATURE)).toBe(true);
  });

  it('rejects a changed message, signature or key, and keys of the wrong size', () => {
    const message = ascii('signed prefix');
    const signature = ed25519Sign(RFC_SEED, message);
    expect(ed25519Verify(RFC_PUBLIC, ascii('signed prefiy'), signature)).toBe(false);
    const badSignature = signature.slice();
    badSignature[10]! ^= 1;
    expect(ed25519Verify(RFC_PUBLIC, message, badSignature)).toBe(false);
    const badKey = RFC_PUBLIC.slice();
    badKey[0]! ^= 1;
    expect(ed25519Verify(badKey, message, signature)).toBe(false);
    expect(ed25519Verify(RFC_PUBLIC.subarray(1), message, signature)).toBe(false);
    expect(() => ed25519PublicKey(RFC_SEED.subarray(1))).toThrow('an Ed25519 seed is 32 bytes, got 31');
  });
});

describe('mutable key chain (cross-checked with @noble)', () => {
  const keys = writerKeysFromSeed(RFC_SEED);

  it('derives writekey, fingerprint, readkey and storage index with the documented tags', () => {
    expect(keys.publicKey).toEqual(RFC_PUBLIC);
    expect(keys.writekey).toEqual(nobleTagged('cairn_mutable_ed25519_seed_to_writekey_v1', RFC_SEED, 16));
    expect(keys.fingerprint).toEqual(nobleTagged('cairn_mutable_ed25519_pubkey_to_fingerprint_v1', RFC_PUBLIC));
    expect(keys.readkey).toEqual(nobleTagged('cairn_mutable_writekey_to_readkey_v1', keys.writekey, 16));
    expect(keys.storageIndex).toEqual(nobleTagged('cairn_mutable_readkey_to_storage_index_v1', keys.readkey, 16));
    expect(readkeyOfWritekey(keys.writekey)).toEqual(keys.readkey);
    expect(storageIndexOfReadkey(keys.readkey)).toEqual(keys.storageIndex);
  });

  it('the caps carry the same keys', () => {
    const cap = writeCapOfKeys(keys);
    expect(cap).toEqual({ kind: 'ssk-ed25519', writekey: keys.writekey, fingerprint: keys.fingerprint });
    expect(readOnlyCapOf(cap).readkey).toEqual(keys.readkey);
    expect(mutableStorageIndexOf(cap)).toEqual(keys.storageIndex);
  });

  it('encrypts the seed with AES-128-CTR(writekey, counter 0)', () => {
    const encrypted = encryptSeed(keys.writekey, RFC_SEED);
    expect(encrypted).toEqual(ctr(keys.writekey, new Uint8Array(16)).encrypt(RFC_SEED));
    expect(decryptSeed(keys.writekey, encrypted)).toEqual(RFC_SEED);
  });

  it('derives write enablers per server and data keys per salt', () => {
    const master = nobleTagged('cairn_mutable_writekey_to_write_enabler_master_v1', keys.writekey);
    expect(writeEnablerMaster(keys.writekey)).toEqual(master);
    const seedA = new Uint8Array(20).fill(1);
    const seedB = new Uint8Array(20).fill(2);
    const tag = 'cairn_mutable_write_enabler_master_and_lease_seed_to_write_enabler_v1';
    expect(writeEnablerFor(keys.writekey, seedA)).toEqual(noblePair(tag, master, seedA));
    expect(writeEnablerFor(keys.writekey, seedA)).not.toEqual(writeEnablerFor(keys.writekey, seedB));
    expect(() => writeEnablerFor(keys.writekey, new Uint8Array(32))).toThrow('a lease seed is 20 bytes, got 32');
    const salt = new Uint8Array(16).fill(9);
    expect(datakeyOf(keys.readkey, salt)).toEqual(noblePair('cairn_mutable_readkey_and_salt_to_datakey_v1', salt, keys.readkey, 16));
  });

  it('generates distinct keys', () => {
    const a = generateWriterKeys();
    const b = generateWriterKeys();
    expect(a.seed).toHaveLength(32);
    expect(a.seed).not.toEqual(b.seed);
    expect(writerKeysFromSeed(a.seed)).toEqual(a);
  });
});
