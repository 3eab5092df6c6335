import { BadContainerError } from './errors.js';
import {
  IMMUTABLE_LEASE_RECORD_SIZE,
  encodeImmutableLease,
  parseImmutableLease,
  type LeaseRecord,
  type SecretStorage,
} from './lease-record.js';

/**
 * Tahoe's server-side immutable share file (chk-format.md §13):
 *
 *   0x00  >L  container version (1: cleartext lease secrets, 2: BLAKE2b-256 of them)
 *   0x04  >L  allocated size, saturated at 2^32−1 (only pre-1.3 servers used it)
 *   0x08  >L  number of lease records
 *   0x0c      share data (client offset 0)
 *   ...       lease records, 72 bytes each, right after the data
 *
 * The data length is never stored: it is the file size − 12 − 72·leases.
 */
export type ImmutableContainerVersion = 1 | 2;

/** Cairn writes v2 (hashed secrets); v1 files (Tahoe before 1.17) are read and kept v1. */
export const CURRENT_CONTAINER_VERSION: ImmutableContainerVersion = 2;
export const CONTAINER_HEADER_SIZE = 12;
export const SHARE_DATA_OFFSET = 0x0c;
export const LEASE_COUNT_OFFSET = 8;
const MAX_SIZE_FIELD = 0xffff_ffff;

export interface ContainerHeader {
  readonly version: ImmutableContainerVersion;
  /** the stored (possibly saturated) allocated size; readers do not rely on it */
  readonly maxSize: number;
  readonly leaseCount: number;
}

export function secretStorageOf(version: ImmutableContainerVersion): SecretStorage {
  return version === 1 ? 'cleartext' : 'blake2b';
}

export function encodeContainerHeader(version: ImmutableContainerVersion, allocatedSize: number, leaseCount: number): Uint8Array {
  const out = new Uint8Array(CONTAINER_HEADER_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, version);
  view.setUint32(4, Math.min(MAX_SIZE_FIELD, allocatedSize));
  view.setUint32(8, leaseCount);
  return out;
}

export function encodeLeaseCount(leaseCount: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, leaseCount);
  return out;
}

export function parseContainerHeader(bytes: Uint8Array): ContainerHeader {
  if (bytes.length < CONTAINER_HEADER_SIZE) {
    throw new BadContainerError(`an immutable share file starts with a ${CONTAINER_HEADER_SIZE}-byte header, got ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, CONTAINER_HEADER_SIZE);
  const version = view.getUint32(0);
  if (version !== 1 && version !== 2) {
    throw new BadContainerError(`unknown immutable container version ${version} (expected 1 or 2)`);
  }
  return { version, maxSize: view.getUint32(4), leaseCount: view.getUint32(8) };
}

/** Share-data length of a file of `fileSize` bytes with this header; a typed error if it cannot be. */
export function shareDataLength(fileSize: number, header: ContainerHeader): number {
  const length = fileSize - CONTAINER_HEADER_SIZE - IMMUTABLE_LEASE_RECORD_SIZE * header.leaseCount;
  if (length < 0) {
    throw new BadContainerError(`a ${fileSize}-byte share file cannot hold ${header.leaseCount} lease records`);
  }
  return length;
}

/** File offset of lease record `index` for a share with `dataLength` bytes of data. */
export function leaseOffset(dataLength: number, index: number): number {
  return SHARE_DATA_OFFSET + dataLength + IMMUTABLE_LEASE_RECORD_SIZE * index;
}

export interface ImmutableContainer {
  readonly header: ContainerHeader;
  readonly shareData: Uint8Array;
  readonly leases: readonly LeaseRecord[];
}

/** Parses a whole share file held in memory (tools, tests, and Tahoe's stored shares). */
export function parseImmutableContainer(file: Uint8Array): ImmutableContainer {
  const header = parseContainerHeader(file);
  const dataLength = shareDataLength(file.length, header);
  const leases: LeaseRecord[] = [];
  for (let i = 0; i < header.leaseCount; i++) {
    const at = leaseOffset(dataLength, i);
    leases.push(parseImmutableLease(file.subarray(at, at + IMMUTABLE_LEASE_RECORD_SIZE)));
  }
  return { header, shareData: file.subarray(SHARE_DATA_OFFSET, SHARE_DATA_OFFSET + dataLength), leases };
}

/** Builds a whole share file in memory; the inverse of parseImmutableContainer. */
export function buildImmutableContainer(
  shareData: Uint8Array,
  leases: readonly LeaseRecord[],
  version: ImmutableContainerVersion = CURRENT_CONTAINER_VERSION,
): Uint8Array {
  const out = new Uint8Array(CONTAINER_HEADER_SIZE + shareData.length + IMMUTABLE_LEASE_RECORD_SIZE * leases.length);
  out.set(encodeContainerHeader(version, shareData.length, leases.length), 0);
  out.set(shareData, SHARE_DATA_OFFSET);
  leases.forEach((lease, i) => out.set(encodeImmutableLease(lease), leaseOffset(shareData.length, i)));
  return out;
}
