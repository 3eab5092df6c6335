// Client-side lease secrets (chk-format.md §13, storage-protocol.md §5).
// A client presents a renew and a cancel secret with every lease. They are derived in three
// steps, node → file → bucket, so each server sees a different pair for each file and no
// server can renew or cancel another server's lease.

import { createHash } from 'node:crypto';
import { taggedHash, taggedPairHash } from './crypto/hashes.js';
import {
  BUCKET_CANCEL_TAG,
  BUCKET_RENEWAL_TAG,
  CLIENT_CANCEL_TAG,
  CLIENT_RENEWAL_TAG,
  FILE_CANCEL_TAG,
  FILE_RENEWAL_TAG,
} from './crypto/tags.js';

/** The node's own lease secret (Tahoe's `NODEDIR/private/secret`) is this long. */
export const LEASE_SECRET_SIZE = 32;
/** A server's lease seed: Tahoe's 20-byte tubid, or `leaseSeedOfPeer` for a Cairn server. */
export const LEASE_SEED_SIZE = 20;
const STORAGE_INDEX_SIZE = 16;

/** The two secrets of a lease. Both are 32 bytes at every level. */
export interface LeaseSecrets {
  readonly renew: Uint8Array;
  readonly cancel: Uint8Array;
}

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * Node level. Tahoe uses the node's secret as the hash TAG and the tag string as the
 * value, the reverse of every other tagged hash. The length is not checked here so the
 * step matches Tahoe's known answers (which use an empty secret); `deriveBucketLeaseSecrets`
 * checks it.
 */
export function clientLeaseSecrets(leaseSecret: Uint8Array): LeaseSecrets {
  return {
    renew: taggedHash(leaseSecret, ascii(CLIENT_RENEWAL_TAG)),
    cancel: taggedHash(leaseSecret, ascii(CLIENT_CANCEL_TAG)),
  };
}

/** File level: the client secrets bound to one storage index. */
export function fileLeaseSecrets(client: LeaseSecrets, storageIndex: Uint8Array): LeaseSecrets {
  return {
    renew: taggedPairHash(FILE_RENEWAL_TAG, client.renew, storageIndex),
    cancel: taggedPairHash(FILE_CANCEL_TAG, client.cancel, storageIndex),
  };
}

/** Bucket level: the file secrets bound to one server. These are what the server receives. */
export function bucketLeaseSecrets(file: LeaseSecrets, leaseSeed: Uint8Array): LeaseSecrets {
  // Tahoe asserts the seed is the raw 20-byte id, not its base32 text (chk-format.md §17).
  checkSize('lease seed', leaseSeed, LEASE_SEED_SIZE);
  return {
    renew: taggedPairHash(BUCKET_RENEWAL_TAG, file.renew, leaseSeed),
    cancel: taggedPairHash(BUCKET_CANCEL_TAG, file.cancel, leaseSeed),
  };
}

/** The whole chain: the secrets to present to one server for one file. */
export function deriveBucketLeaseSecrets(
  leaseSecret: Uint8Array,
  storageIndex: Uint8Array,
  leaseSeed: Uint8Array,
): LeaseSecrets {
  checkSize('lease secret', leaseSecret, LEASE_SECRET_SIZE);
  checkSize('storage index', storageIndex, STORAGE_INDEX_SIZE);
  return bucketLeaseSecrets(fileLeaseSecrets(clientLeaseSecrets(leaseSecret), storageIndex), leaseSeed);
}

/**
 * The lease seed of a Cairn server: the first 20 bytes of SHA-256 of its libp2p peer id in
 * binary form (the id's multihash bytes, `peerId.toMultihash().bytes`).
 *
 * Tahoe seeds with the server's Foolscap tubid, which a libp2p peer does not have. Any
 * stable 20-byte value per server works; hashing keeps it 20 bytes for every key type
 * (Ed25519 ids are 38 bytes, RSA ids 34). This is part of Cairn's format: changing it
 * would stop clients from renewing leases they created before.
 */
export function leaseSeedOfPeer(peerIdBytes: Uint8Array): Uint8Array {
  if (peerIdBytes.length === 0) throw new RangeError('peer id is empty');
  return new Uint8Array(createHash('sha256').update(peerIdBytes).digest().subarray(0, LEASE_SEED_SIZE));
}

function checkSize(what: string, bytes: Uint8Array, size: number): void {
  if (bytes.length !== size) throw new RangeError(`${what} must be ${size} bytes (got ${bytes.length})`);
}
