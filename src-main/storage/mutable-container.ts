import { taggedHash } from '../core/crypto/hashes.js';
import { BadContainerError } from './errors.js';
import type { LeaseRecord, SecretStorage } from './lease-record.js';

/**
 * Tahoe's server-side mutable share file (mutable-and-dirnodes.md §5), big-endian:
 *
 *   0     32   magic (v1: cleartext lease secrets; v2: BLAKE2b-256 of them)
 *   32    20   node id of the server that recorded the write enabler
 *   52    32   write enabler
 *   84    8    data length
 *   92    8    offset of the extra-lease count (≥ 468 + data length)
 *   100   368  4 lease slots × 92 bytes: owner (0 = empty), expiration, renew, cancel, node id
 *   468   …    share data
 *   X     4    count of extra leases, then that many 92-byte leases
 *
 * Cairn always rewrites a whole file (docs/storage.md), so it writes the extra-lease count
 * right after the data; it reads any offset Tahoe may have left.
 */
export type MutableContainerVersion = 1 | 2;

const MAGIC_TEXT_V1 = 'Tahoe mutable container v1\n';
const MAGIC_TEXT_V2 = 'Tahoe mutable container v2\n';
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const MAGIC_V1 = Uint8Array.from([...ascii(MAGIC_TEXT_V1), 0x75, 0x09, 0x44, 0x03, 0x8e]);
const MAGIC_V2 = Uint8Array.from([...ascii(MAGIC_TEXT_V2), ...taggedHash('allmydata_mutable_container_header', ascii(MAGIC_TEXT_V2), 5)]);
export const MUTABLE_MAGIC_SIZE = 32;
export const CURRENT_MUTABLE_CONTAINER_VERSION: MutableContainerVersion = 2;

export const NODE_ID_SIZE = 20;
export const WRITE_ENABLER_SIZE = 32;
const DATA_LENGTH_OFFSET = 84;
const EXTRA_LEASE_OFFSET_OFFSET = 92;
const LEASE_SLOTS_OFFSET = 100;
export const MUTABLE_LEASE_RECORD_SIZE = 92;
export const LEASE_SLOTS = 4;
export const MUTABLE_HEADER_SIZE = LEASE_SLOTS_OFFSET;
export const MUTABLE_DATA_OFFSET = LEASE_SLOTS_OFFSET + LEASE_SLOTS * MUTABLE_LEASE_RECORD_SIZE; // 468
/** Owner 0 marks an empty slot, so a lease is stored with owner ≥ 1 (Tahoe's mutable writes use 1). */
const MIN_STORED_OWNER = 1;
const MAX_UINT32 = 0xffff_ffff;

/** A lease as a mutable container stores it: with the node id of the server that granted it. */
export interface MutableLeaseRecord extends LeaseRecord {
  readonly nodeId?: Uint8Array;
}

export interface MutableContainerHeader {
  readonly version: MutableContainerVersion;
  readonly writeEnablerNodeId: Uint8Array;
  readonly writeEnabler: Uint8Array;
  readonly dataLength: number;
  readonly extraLeaseOffset: number;
}

export interface MutableContainer {
  readonly version: MutableContainerVersion;
  readonly writeEnablerNodeId: Uint8Array;
  readonly writeEnabler: Uint8Array;
  readonly data: Uint8Array;
  readonly leases: readonly MutableLeaseRecord[];
}

export function mutableSecretStorageOf(version: MutableContainerVersion): SecretStorage {
  return version === 1 ? 'cleartext' : 'blake2b';
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The container version its first 32 bytes name, or undefined when it is not a mutable container. */
export function mutableContainerVersionOf(start: Uint8Array): MutableContainerVersion | undefined {
  const magic = start.subarray(0, MUTABLE_MAGIC_SIZE);
  if (sameBytes(magic, MAGIC_V2)) return 2;
  if (sameBytes(magic, MAGIC_V1)) return 1;
  return undefined;
}

function uint64(view: DataView, at: number, what: string): number {
  const value = view.getBigUint64(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadContainerError(`mutable container ${what} is out of range`);
  return Number(value);
}

export function parseMutableHeader(bytes: Uint8Array): MutableContainerHeader {
  if (bytes.length < MUTABLE_HEADER_SIZE) throw new BadContainerError(`a mutable share file starts with a ${MUTABLE_HEADER_SIZE}-byte header, got ${bytes.length} bytes`);
  const version = mutableContainerVersionOf(bytes);
  if (version === undefined) throw new BadContainerError('not a mutable share file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, MUTABLE_HEADER_SIZE);
  const dataLength = uint64(view, DATA_LENGTH_OFFSET, 'data length');
  const extraLeaseOffset = uint64(view, EXTRA_LEASE_OFFSET_OFFSET, 'extra-lease offset');
  if (extraLeaseOffset < MUTABLE_DATA_OFFSET + dataLength) throw new BadContainerError('mutable container extra leases overlap its data');
  return {
    version,
    writeEnablerNodeId: bytes.slice(32, 52),
    writeEnabler: bytes.slice(52, 84),
    dataLength,
    extraLeaseOffset,
  };
}

function parseLease(bytes: Uint8Array): MutableLeaseRecord | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, MUTABLE_LEASE_RECORD_SIZE);
  const ownerNumber = view.getUint32(0);
  if (ownerNumber === 0) return undefined;
  return {
    ownerNumber,
    expirationTime: view.getUint32(4),
    renewSecret: bytes.slice(8, 40),
    cancelSecret: bytes.slice(40, 72),
    nodeId: bytes.slice(72, 92),
  };
}

function encodeLease(lease: MutableLeaseRecord, defaultNodeId: Uint8Array): Uint8Array {
  const out = new Uint8Array(MUTABLE_LEASE_RECORD_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.max(MIN_STORED_OWNER, lease.ownerNumber >>> 0));
  view.setUint32(4, Math.min(MAX_UINT32, Math.max(0, Math.floor(lease.expirationTime))));
  out.set(lease.renewSecret, 8);
  out.set(lease.cancelSecret, 40);
  out.set(lease.nodeId ?? defaultNodeId, 72);
  return out;
}

/** Parses a whole mutable share file held in memory. */
export function parseMutableContainer(file: Uint8Array): MutableContainer {
  const header = parseMutableHeader(file);
  const dataEnd = MUTABLE_DATA_OFFSET + header.dataLength;
  if (file.length < dataEnd || file.length < header.extraLeaseOffset + 4) {
    throw new BadContainerError(`a ${file.length}-byte mutable share file cannot hold ${header.dataLength} bytes of data and its lease count`);
  }
  const leases: MutableLeaseRecord[] = [];
  for (let slot = 0; slot < LEASE_SLOTS; slot++) {
    const at = LEASE_SLOTS_OFFSET + slot * MUTABLE_LEASE_RECORD_SIZE;
    const lease = parseLease(file.subarray(at, at + MUTABLE_LEASE_RECORD_SIZE));
    if (lease !== undefined) leases.push(lease);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const extraCount = view.getUint32(header.extraLeaseOffset);
  const extraStart = header.extraLeaseOffset + 4;
  if (file.length < extraStart + extraCount * MUTABLE_LEASE_RECORD_SIZE) {
    throw new BadContainerError(`a ${file.length}-byte mutable share file cannot hold ${extraCount} extra leases`);
  }
  for (let i = 0; i < extraCount; i++) {
    const at = extraStart + i * MUTABLE_LEASE_RECORD_SIZE;
    const lease = parseLease(file.subarray(at, at + MUTABLE_LEASE_RECORD_SIZE));
    if (lease !== undefined) leases.push(lease);
  }
  return {
    version: header.version,
    writeEnablerNodeId: header.writeEnablerNodeId,
    writeEnabler: header.writeEnabler,
    data: file.subarray(MUTABLE_DATA_OFFSET, dataEnd),
    leases,
  };
}

/** Bytes a container with this much data and this many leases takes. */
export function mutableContainerSize(dataLength: number, leaseCount: number): number {
  return MUTABLE_DATA_OFFSET + dataLength + 4 + Math.max(0, leaseCount - LEASE_SLOTS) * MUTABLE_LEASE_RECORD_SIZE;
}

/** Builds a whole mutable share file: leases fill the 4 slots, then the extra-lease area. */
export function buildMutableContainer(container: MutableContainer, defaultNodeId: Uint8Array): Uint8Array {
  const { data, leases } = container;
  if (container.writeEnablerNodeId.length !== NODE_ID_SIZE || defaultNodeId.length !== NODE_ID_SIZE) {
    throw new BadContainerError(`a node id is ${NODE_ID_SIZE} bytes`);
  }
  if (container.writeEnabler.length !== WRITE_ENABLER_SIZE) throw new BadContainerError(`a write enabler is ${WRITE_ENABLER_SIZE} bytes`);
  const out = new Uint8Array(mutableContainerSize(data.length, leases.length));
  const view = new DataView(out.buffer);
  out.set(container.version === 1 ? MAGIC_V1 : MAGIC_V2, 0);
  out.set(container.writeEnablerNodeId, 32);
  out.set(container.writeEnabler, 52);
  const extraLeaseOffset = MUTABLE_DATA_OFFSET + data.length;
  view.setBigUint64(DATA_LENGTH_OFFSET, BigInt(data.length));
  view.setBigUint64(EXTRA_LEASE_OFFSET_OFFSET, BigInt(extraLeaseOffset));
  leases.slice(0, LEASE_SLOTS).forEach((lease, slot) => out.set(encodeLease(lease, defaultNodeId), LEASE_SLOTS_OFFSET + slot * MUTABLE_LEASE_RECORD_SIZE));
  out.set(data, MUTABLE_DATA_OFFSET);
  const extra = leases.slice(LEASE_SLOTS);
  view.setUint32(extraLeaseOffset, extra.length);
  extra.forEach((lease, i) => out.set(encodeLease(lease, defaultNodeId), extraLeaseOffset + 4 + i * MUTABLE_LEASE_RECORD_SIZE));
  return out;
}
