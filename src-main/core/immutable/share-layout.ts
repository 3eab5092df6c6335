import { HASH_SIZE } from '../crypto/hashes.js';
import { neededHashes, treeNodeCount } from '../hash-tree.js';
import type { ChkGeometry } from './params.js';

// The bytes of one immutable share as a client writes them and a storage server keeps
// them (chk-format.md §12). Version 1 has 32-bit fields; version 2 has 64-bit fields and
// is used only when a value would not fit in 32 bits. All offsets count from byte 0.

export type ShareLayoutVersion = 1 | 2;

export interface ShareLayout {
  readonly version: ShareLayoutVersion;
  readonly blockSize: number;
  readonly shareDataSize: number;
  readonly dataOffset: number;
  readonly plaintextTreeOffset: number;
  readonly crypttextTreeOffset: number;
  readonly blockTreeOffset: number;
  readonly shareHashesOffset: number;
  readonly uebOffset: number;
}

const V1_HEADER_SIZE = 0x24;
const V2_HEADER_SIZE = 0x44;
export const MAX_HEADER_SIZE = V2_HEADER_SIZE;
const SHARE_HASH_ENTRY_SIZE = 2 + HASH_SIZE;
const UINT32_LIMIT = 2 ** 32;

export function headerSize(version: ShareLayoutVersion): number {
  return version === 1 ? V1_HEADER_SIZE : V2_HEADER_SIZE;
}

export function uebLengthFieldSize(version: ShareLayoutVersion): number {
  return version === 1 ? 4 : 8;
}

/** Entries in every share's share-hash chain: D+1 for N > 1, 1 for N = 1. */
export function shareHashCount(totalShares: number): number {
  return neededHashes(totalShares, 0, true).length;
}

function layoutFor(version: ShareLayoutVersion, geometry: ChkGeometry): ShareLayout {
  const treeSize = treeNodeCount(geometry.numSegments) * HASH_SIZE;
  const dataOffset = headerSize(version);
  const plaintextTreeOffset = dataOffset + geometry.shareDataSize;
  const crypttextTreeOffset = plaintextTreeOffset + treeSize;
  const blockTreeOffset = crypttextTreeOffset + treeSize;
  const shareHashesOffset = blockTreeOffset + treeSize;
  const uebOffset = shareHashesOffset + shareHashCount(geometry.totalShares) * SHARE_HASH_ENTRY_SIZE;
  return {
    version,
    blockSize: geometry.blockSize,
    shareDataSize: geometry.shareDataSize,
    dataOffset,
    plaintextTreeOffset,
    crypttextTreeOffset,
    blockTreeOffset,
    shareHashesOffset,
    uebOffset,
  };
}

export function shareLayout(geometry: ChkGeometry): ShareLayout {
  const v1 = layoutFor(1, geometry);
  const fits = v1.blockSize < UINT32_LIMIT && v1.shareDataSize < UINT32_LIMIT && v1.uebOffset < UINT32_LIMIT;
  return fits ? v1 : layoutFor(2, geometry);
}

/** Total bytes of one share: what the client allocates on a server and writes. */
export function shareSize(layout: ShareLayout, uebLength: number): number {
  return layout.uebOffset + uebLengthFieldSize(layout.version) + uebLength;
}

/** The eight header fields after the version, in the order they are stored. */
const HEADER_FIELDS = [
  'blockSize',
  'shareDataSize',
  'dataOffset',
  'plaintextTreeOffset',
  'crypttextTreeOffset',
  'blockTreeOffset',
  'shareHashesOffset',
  'uebOffset',
] as const;

export function encodeShareHeader(layout: ShareLayout): Uint8Array {
  const out = new Uint8Array(headerSize(layout.version));
  const view = new DataView(out.buffer);
  view.setUint32(0, layout.version);
  HEADER_FIELDS.map((field) => layout[field]).forEach((value, i) => {
    if (layout.version === 1) view.setUint32(4 + 4 * i, value);
    else view.setBigUint64(4 + 8 * i, BigInt(value));
  });
  return out;
}

/** A header that cannot be read; the caller names the share. */
export class ShareHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShareHeaderError';
  }
}

/** Reads a header from the first bytes of a share (at least 0x24, or 0x44 for version 2). */
export function parseShareHeader(bytes: Uint8Array): ShareLayout {
  if (bytes.length < 4) throw new ShareHeaderError(`share is only ${bytes.length} bytes: too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(0);
  if (version !== 1 && version !== 2) throw new ShareHeaderError(`unknown share layout version ${version} (expected 1 or 2)`);
  const size = headerSize(version);
  if (bytes.length < size) throw new ShareHeaderError(`share is only ${bytes.length} bytes: too short for a v${version} header`);
  const fields: Record<string, number> = {};
  HEADER_FIELDS.forEach((field, i) => {
    const value = version === 1 ? view.getUint32(4 + 4 * i) : Number(view.getBigUint64(4 + 8 * i));
    if (!Number.isSafeInteger(value)) throw new ShareHeaderError(`share header field ${field} is out of range`);
    fields[field] = value;
  });
  const layout = { version, ...fields } as ShareLayout;
  const { dataOffset, plaintextTreeOffset, crypttextTreeOffset, blockTreeOffset, shareHashesOffset, uebOffset } = layout;
  const offsets = [dataOffset, plaintextTreeOffset, crypttextTreeOffset, blockTreeOffset, shareHashesOffset, uebOffset];
  if (dataOffset !== size || offsets.some((o, i) => i > 0 && o < offsets[i - 1]!)) {
    throw new ShareHeaderError('share header offsets are not in order');
  }
  return layout;
}

/**
 * Every header field is determined by the file's geometry (Tahoe's writers never leave
 * gaps), so any difference means a corrupt share. Returns what is wrong, or undefined.
 */
export function checkLayoutMatches(found: ShareLayout, geometry: ChkGeometry): string | undefined {
  const expected = layoutFor(found.version, geometry);
  for (const field of Object.keys(expected) as Array<keyof ShareLayout>) {
    if (found[field] !== expected[field]) return `share header field ${field} is ${found[field]}, but this file needs ${expected[field]}`;
  }
  return undefined;
}

export function encodeShareHashes(entries: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const sorted = [...entries.entries()].sort(([a], [b]) => a - b);
  const out = new Uint8Array(sorted.length * SHARE_HASH_ENTRY_SIZE);
  const view = new DataView(out.buffer);
  sorted.forEach(([index, hash], i) => {
    view.setUint16(i * SHARE_HASH_ENTRY_SIZE, index);
    out.set(hash, i * SHARE_HASH_ENTRY_SIZE + 2);
  });
  return out;
}

/** Share-hash entries are an unordered (index, hash) list; writers differ in their order. */
export function parseShareHashes(bytes: Uint8Array): Map<number, Uint8Array> {
  if (bytes.length % SHARE_HASH_ENTRY_SIZE !== 0) {
    throw new ShareHeaderError(`share hash area is ${bytes.length} bytes, not a multiple of ${SHARE_HASH_ENTRY_SIZE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = new Map<number, Uint8Array>();
  for (let at = 0; at < bytes.length; at += SHARE_HASH_ENTRY_SIZE) {
    const index = view.getUint16(at);
    if (entries.has(index)) throw new ShareHeaderError(`share hash area repeats node ${index}`);
    entries.set(index, bytes.subarray(at + 2, at + SHARE_HASH_ENTRY_SIZE));
  }
  return entries;
}

export function encodeUebWithLength(layout: ShareLayout, ueb: Uint8Array): Uint8Array {
  const fieldSize = uebLengthFieldSize(layout.version);
  const out = new Uint8Array(fieldSize + ueb.length);
  const view = new DataView(out.buffer);
  if (fieldSize === 4) view.setUint32(0, ueb.length);
  else view.setBigUint64(0, BigInt(ueb.length));
  out.set(ueb, fieldSize);
  return out;
}
