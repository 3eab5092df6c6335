import { timingSafeEqual } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import { BadArgumentError, BadContainerError } from './errors.js';

/** Every lease lasts 31 days from its grant or last renewal (Tahoe's DEFAULT_RENEWAL_TIME). */
export const LEASE_DURATION_SECONDS = 31 * 24 * 3600;
export const LEASE_SECRET_SIZE = 32;
/** `>L32s32sL`: owner, renew secret, cancel secret, expiration. */
export const IMMUTABLE_LEASE_RECORD_SIZE = 72;
/** Expiration is a 4-byte field. */
const MAX_EXPIRATION = 0xffff_ffff;

/** Owner numbers Tahoe stores: 0 for the lease made by allocate_buckets, 1 for add_lease. */
export const ALLOCATE_LEASE_OWNER = 0;
export const ADD_LEASE_OWNER = 1;

/**
 * How lease secrets are kept in a container: in clear (container v1) or as their
 * BLAKE2b-256 (v2), so that reading a share file does not reveal what renews its leases.
 */
export type SecretStorage = 'cleartext' | 'blake2b';

export interface LeaseRecord {
  readonly ownerNumber: number;
  /** as stored: cleartext or hashed, per the container's SecretStorage */
  readonly renewSecret: Uint8Array;
  readonly cancelSecret: Uint8Array;
  /** Unix seconds */
  readonly expirationTime: number;
}

export function checkLeaseSecret(secret: unknown, what: string): Uint8Array {
  if (!(secret instanceof Uint8Array) || secret.length !== LEASE_SECRET_SIZE) {
    const got = secret instanceof Uint8Array ? `${secret.length} bytes` : typeof secret;
    throw new BadArgumentError(`a ${what} is ${LEASE_SECRET_SIZE} bytes, got ${got}`);
  }
  return secret;
}

/** The form a presented secret is stored in. */
export function storedSecret(storage: SecretStorage, secret: Uint8Array): Uint8Array {
  return storage === 'blake2b' ? blake2b(secret, { dkLen: 32 }) : Uint8Array.from(secret);
}

export function secretMatches(storage: SecretStorage, stored: Uint8Array, presented: Uint8Array): boolean {
  const candidate = storedSecret(storage, presented);
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}

/** A fresh lease (as stored) expiring 31 days from `now`. */
export function newLease(storage: SecretStorage, ownerNumber: number, renewSecret: Uint8Array, cancelSecret: Uint8Array, now: number): LeaseRecord {
  return {
    ownerNumber,
    renewSecret: storedSecret(storage, renewSecret),
    cancelSecret: storedSecret(storage, cancelSecret),
    expirationTime: leaseExpiration(now),
  };
}

export function leaseExpiration(now: number): number {
  return Math.min(MAX_EXPIRATION, Math.max(0, Math.floor(now) + LEASE_DURATION_SECONDS));
}

/** Renewal only ever moves the expiration later. */
export function renewed(lease: LeaseRecord, now: number): LeaseRecord {
  const expirationTime = Math.max(lease.expirationTime, leaseExpiration(now));
  return expirationTime === lease.expirationTime ? lease : { ...lease, expirationTime };
}

export function encodeImmutableLease(lease: LeaseRecord): Uint8Array {
  if (lease.renewSecret.length !== LEASE_SECRET_SIZE || lease.cancelSecret.length !== LEASE_SECRET_SIZE) {
    throw new BadArgumentError('stored lease secrets are 32 bytes');
  }
  const out = new Uint8Array(IMMUTABLE_LEASE_RECORD_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, lease.ownerNumber >>> 0);
  out.set(lease.renewSecret, 4);
  out.set(lease.cancelSecret, 36);
  view.setUint32(68, Math.min(MAX_EXPIRATION, Math.max(0, Math.floor(lease.expirationTime))));
  return out;
}

export function parseImmutableLease(bytes: Uint8Array): LeaseRecord {
  if (bytes.length !== IMMUTABLE_LEASE_RECORD_SIZE) {
    throw new BadContainerError(`a lease record is ${IMMUTABLE_LEASE_RECORD_SIZE} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    ownerNumber: view.getUint32(0),
    renewSecret: bytes.slice(4, 36),
    cancelSecret: bytes.slice(36, 68),
    expirationTime: view.getUint32(68),
  };
}
