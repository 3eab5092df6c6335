import { randomBytes } from 'node:crypto';
import type { MutableWriteCap } from '../../../src-shared/caps/index.js';
import { readkeyOfWritekey, storageIndexOfReadkey } from '../../../src-shared/caps/index.js';
import { aesCtr } from '../crypto/aes-ctr.js';
import { taggedHash, taggedPairHash } from '../../../src-shared/tagged-hash.js';
import { ED25519_SEED_SIZE, ed25519PublicKey } from './ed25519.js';
import { DATAKEY_TAG, PUBKEY_TO_FINGERPRINT_TAG, SEED_TO_WRITEKEY_TAG, WRITE_ENABLER_MASTER_TAG, WRITE_ENABLER_TAG } from './tags.js';

export const WRITEKEY_SIZE = 16;
export const SALT_SIZE = 16;
/** A server's 20-byte lease seed (core/lease-secrets.ts) also seeds its write enablers. */
const LEASE_SEED_SIZE = 20;

/** Everything a writer of one mutable file knows. Only `seed` is secret beyond the writekey. */
export interface MutableWriterKeys {
  /** the Ed25519 private key (RFC 8032 seed) */
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly writekey: Uint8Array;
  readonly readkey: Uint8Array;
  readonly storageIndex: Uint8Array;
  readonly fingerprint: Uint8Array;
}

export function fingerprintOfPublicKey(publicKey: Uint8Array): Uint8Array {
  return taggedHash(PUBKEY_TO_FINGERPRINT_TAG, publicKey);
}

export function writekeyOfSeed(seed: Uint8Array): Uint8Array {
  return taggedHash(SEED_TO_WRITEKEY_TAG, seed, WRITEKEY_SIZE);
}

/** The key chain of the file whose signing key is `seed`. */
export function writerKeysFromSeed(seed: Uint8Array): MutableWriterKeys {
  const publicKey = ed25519PublicKey(seed);
  const writekey = writekeyOfSeed(seed);
  const readkey = readkeyOfWritekey(writekey);
  return {
    seed: Uint8Array.from(seed),
    publicKey,
    writekey,
    readkey,
    storageIndex: storageIndexOfReadkey(readkey),
    fingerprint: fingerprintOfPublicKey(publicKey),
  };
}

/** A new mutable file's keys. */
export function generateWriterKeys(): MutableWriterKeys {
  return writerKeysFromSeed(new Uint8Array(randomBytes(ED25519_SEED_SIZE)));
}

export function writeCapOfKeys(keys: MutableWriterKeys): MutableWriteCap {
  return { kind: 'ssk-ed25519', writekey: keys.writekey.slice(), fingerprint: keys.fingerprint.slice() };
}

/** The signing key as stored in every share: AES-128-CTR(writekey, counter 0) of the seed. */
export function encryptSeed(writekey: Uint8Array, seed: Uint8Array): Uint8Array {
  return Uint8Array.from(aesCtr(writekey, seed));
}

export function decryptSeed(writekey: Uint8Array, encryptedSeed: Uint8Array): Uint8Array {
  return Uint8Array.from(aesCtr(writekey, encryptedSeed));
}

export function writeEnablerMaster(writekey: Uint8Array): Uint8Array {
  return taggedHash(WRITE_ENABLER_MASTER_TAG, writekey);
}

/**
 * The 32-byte secret that lets a client change its shares on one server; each server sees a
 * different one, so no server can write to another. `leaseSeed` is the server's 20-byte
 * lease seed (leaseSeedOfPeer).
 */
export function writeEnablerFor(writekey: Uint8Array, leaseSeed: Uint8Array): Uint8Array {
  if (leaseSeed.length !== LEASE_SEED_SIZE) throw new RangeError(`a lease seed is ${LEASE_SEED_SIZE} bytes, got ${leaseSeed.length}`);
  return taggedPairHash(WRITE_ENABLER_TAG, writeEnablerMaster(writekey), leaseSeed);
}

/** The AES key of one version's data: a fresh salt per version gives a fresh key. */
export function datakeyOf(readkey: Uint8Array, salt: Uint8Array): Uint8Array {
  return taggedPairHash(DATAKEY_TAG, salt, readkey, 16);
}
