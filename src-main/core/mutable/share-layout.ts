import { HASH_SIZE } from '../crypto/hashes.js';
import { neededHashes } from '../hash-tree.js';
import { ED25519_PUBLIC_KEY_SIZE, ED25519_SEED_SIZE, ED25519_SIGNATURE_SIZE } from './ed25519.js';
import { BadMutableShareError, type MutableShareProblem } from './errors.js';

// One share of a Cairn mutable file (docs/formats.md): Tahoe's SDMF layout with a raw
// Ed25519 key and signature, and a version byte of its own. Big-endian, tightly packed:
//
//   0    B    version = 0xCA
//   1    Q    seqnum
//   9    32s  root hash R (of the share hash tree)
//   41   16s  salt (the data key's IV)
//   57   B    k
//   58   B    N
//   59   Q    segment size
//   67   Q    data length
//   --- 0..75: the signed prefix; 0..57: the checkstring ---
//   75   L    offset: signature
//   79   L    offset: share hash chain
//   83   L    offset: block hash tree
//   87   L    offset: share data
//   91   Q    offset: encrypted private key
//   99   Q    offset: end of share
//   107  32s  verification key (raw Ed25519 public key)
//   139  64s  signature (Ed25519 over bytes 0..75)
//   203  …    share hash chain (>H32s per node), block hash tree (1 hash), block, encrypted key (32)

export const MUTABLE_SHARE_VERSION = 0xca;
export const SIGNED_PREFIX_SIZE = 75;
export const CHECKSTRING_SIZE = 57;
const HEADER_SIZE = 107;
/** The bytes a servermap update needs: header, verification key and signature. */
export const SHARE_HEAD_SIZE = HEADER_SIZE + ED25519_PUBLIC_KEY_SIZE + ED25519_SIGNATURE_SIZE;
const CHAIN_ENTRY_SIZE = 2 + HASH_SIZE;
/** N is one byte in the share. */
export const MAX_MUTABLE_SHARES = 255;
/**
 * The largest mutable file: 16 MiB. A version is encoded and decoded whole, in memory, so
 * the limit keeps a publish to tens of MiB; directories of 10 000 entries take about 4 MiB.
 */
export const MAX_MUTABLE_FILE_SIZE = 16 * 1024 * 1024;

/** What the signed prefix says about one version of the file. */
export interface MutableVersionInfo {
  readonly seqnum: number;
  readonly rootHash: Uint8Array;
  readonly salt: Uint8Array;
  readonly neededShares: number;
  readonly totalShares: number;
  readonly segmentSize: number;
  readonly dataLength: number;
  /** bytes 0..75 of every share of this version, the signed bytes */
  readonly signedPrefix: Uint8Array;
  /** bytes 0..57: the test-and-set token for writing over this version */
  readonly checkstring: Uint8Array;
}

/** Where each part of a share starts; all fixed by k, N and the data length. */
export interface MutableShareLayout {
  readonly signature: number;
  readonly shareHashChain: number;
  readonly blockHashTree: number;
  readonly shareData: number;
  readonly encryptedKey: number;
  readonly end: number;
}

function fail(label: string, problem: MutableShareProblem, detail: string): never {
  throw new BadMutableShareError(label, problem, detail);
}

export function blockSizeOf(segmentSize: number, neededShares: number): number {
  return segmentSize / neededShares;
}

/** Share-hash chain length: the depth of a share tree over N leaves. */
export function shareHashChainLength(totalShares: number): number {
  return neededHashes(totalShares, 0).length;
}

export function layoutOf(neededShares: number, totalShares: number, dataLength: number): MutableShareLayout {
  const segmentSize = Math.ceil(dataLength / neededShares) * neededShares;
  const signature = HEADER_SIZE + ED25519_PUBLIC_KEY_SIZE;
  const shareHashChain = signature + ED25519_SIGNATURE_SIZE;
  const blockHashTree = shareHashChain + shareHashChainLength(totalShares) * CHAIN_ENTRY_SIZE;
  const shareData = blockHashTree + HASH_SIZE;
  const encryptedKey = shareData + blockSizeOf(segmentSize, neededShares);
  return { signature, shareHashChain, blockHashTree, shareData, encryptedKey, end: encryptedKey + ED25519_SEED_SIZE };
}

/** Bytes of one share of a file of `dataLength` bytes encoded k-of-N. */
export function mutableShareSize(neededShares: number, totalShares: number, dataLength: number): number {
  return layoutOf(neededShares, totalShares, dataLength).end;
}

/** The largest share any Cairn mutable file has (1-of-255 at the size limit). */
export const MAX_MUTABLE_SHARE_SIZE = mutableShareSize(1, MAX_MUTABLE_SHARES, MAX_MUTABLE_FILE_SIZE);

export interface SignedPrefixFields {
  readonly seqnum: number;
  readonly rootHash: Uint8Array;
  readonly salt: Uint8Array;
  readonly neededShares: number;
  readonly totalShares: number;
  readonly segmentSize: number;
  readonly dataLength: number;
}

export function encodeSignedPrefix(fields: SignedPrefixFields): Uint8Array {
  const out = new Uint8Array(SIGNED_PREFIX_SIZE);
  const view = new DataView(out.buffer);
  view.setUint8(0, MUTABLE_SHARE_VERSION);
  view.setBigUint64(1, BigInt(fields.seqnum));
  out.set(fields.rootHash, 9);
  out.set(fields.salt, 41);
  view.setUint8(57, fields.neededShares);
  view.setUint8(58, fields.totalShares);
  view.setBigUint64(59, BigInt(fields.segmentSize));
  view.setBigUint64(67, BigInt(fields.dataLength));
  return out;
}

function safeUint64(view: DataView, at: number, label: string, what: string): number {
  const value = view.getBigUint64(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(label, 'bad-header', `its ${what} is too large`);
  return Number(value);
}

/** Parses and sanity-checks the signed prefix (the first 75 bytes of a share). */
export function parseSignedPrefix(bytes: Uint8Array, label = 'share'): MutableVersionInfo {
  if (bytes.length < 1) fail(label, 'truncated', 'share is empty');
  if (bytes[0] !== MUTABLE_SHARE_VERSION) {
    const tahoe = bytes[0] === 0 || bytes[0] === 1 ? ' (a Tahoe SDMF/MDMF share?)' : '';
    fail(label, 'unknown-version', `unknown mutable share version ${bytes[0]}${tahoe}, expected ${MUTABLE_SHARE_VERSION}`);
  }
  if (bytes.length < SIGNED_PREFIX_SIZE) fail(label, 'truncated', `share is ${bytes.length} bytes, too short for its ${SIGNED_PREFIX_SIZE}-byte signed prefix`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, SIGNED_PREFIX_SIZE);
  const seqnum = safeUint64(view, 1, label, 'seqnum');
  const neededShares = view.getUint8(57);
  const totalShares = view.getUint8(58);
  const segmentSize = safeUint64(view, 59, label, 'segment size');
  const dataLength = safeUint64(view, 67, label, 'data length');
  if (neededShares < 1 || totalShares < neededShares) fail(label, 'bad-header', `its k=${neededShares}, N=${totalShares} are impossible`);
  if (dataLength > MAX_MUTABLE_FILE_SIZE) fail(label, 'bad-header', `its data length ${dataLength} is over the ${MAX_MUTABLE_FILE_SIZE}-byte limit`);
  if (segmentSize !== Math.ceil(dataLength / neededShares) * neededShares) {
    fail(label, 'bad-header', `its segment size ${segmentSize} does not fit data length ${dataLength} and k=${neededShares}`);
  }
  const signedPrefix = bytes.slice(0, SIGNED_PREFIX_SIZE);
  return {
    seqnum,
    rootHash: signedPrefix.slice(9, 41),
    salt: signedPrefix.slice(41, 57),
    neededShares,
    totalShares,
    segmentSize,
    dataLength,
    signedPrefix,
    checkstring: signedPrefix.slice(0, CHECKSTRING_SIZE),
  };
}

function encodeOffsets(layout: MutableShareLayout): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE - SIGNED_PREFIX_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, layout.signature);
  view.setUint32(4, layout.shareHashChain);
  view.setUint32(8, layout.blockHashTree);
  view.setUint32(12, layout.shareData);
  view.setBigUint64(16, BigInt(layout.encryptedKey));
  view.setBigUint64(24, BigInt(layout.end));
  return out;
}

/** The first bytes of a share: enough to learn and check its version. */
export interface MutableShareHead {
  readonly info: MutableVersionInfo;
  readonly layout: MutableShareLayout;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Parses the first SHARE_HEAD_SIZE bytes of a share (more are ignored). The stored offsets
 * must be exactly those k, N and the data length imply. Nothing is verified here: see
 * verifyShareHead.
 */
export function parseMutableShareHead(bytes: Uint8Array, label = 'share'): MutableShareHead {
  const info = parseSignedPrefix(bytes, label);
  if (bytes.length < SHARE_HEAD_SIZE) fail(label, 'truncated', `share is ${bytes.length} bytes, too short for its ${SHARE_HEAD_SIZE}-byte head`);
  const layout = layoutOf(info.neededShares, info.totalShares, info.dataLength);
  const expected = encodeOffsets(layout);
  const stored = bytes.subarray(SIGNED_PREFIX_SIZE, HEADER_SIZE);
  if (!stored.every((byte, i) => byte === expected[i])) fail(label, 'bad-header', 'its offset table does not match its k, N and data length');
  return {
    info,
    layout,
    publicKey: bytes.slice(HEADER_SIZE, HEADER_SIZE + ED25519_PUBLIC_KEY_SIZE),
    signature: bytes.slice(layout.signature, layout.signature + ED25519_SIGNATURE_SIZE),
  };
}

/** Every part of a whole share, parsed but not verified. */
export interface MutableShareParts extends MutableShareHead {
  /** share-tree node index → hash; Cairn, like SDMF, leaves out the share's own leaf */
  readonly shareHashChain: ReadonlyMap<number, Uint8Array>;
  /** the block hash tree's one node: the hash of the one block */
  readonly blockHashTreeRoot: Uint8Array;
  readonly block: Uint8Array;
  readonly encryptedKey: Uint8Array;
}

export function parseMutableShare(bytes: Uint8Array, label = 'share'): MutableShareParts {
  const head = parseMutableShareHead(bytes, label);
  const { layout } = head;
  if (bytes.length !== layout.end) {
    fail(label, bytes.length < layout.end ? 'truncated' : 'bad-header', `share is ${bytes.length} bytes, its header says ${layout.end}`);
  }
  const shareHashChain = new Map<number, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = layout.shareHashChain; at < layout.blockHashTree; at += CHAIN_ENTRY_SIZE) {
    const index = view.getUint16(at);
    if (shareHashChain.has(index)) fail(label, 'bad-share-hashes', `its share hash chain repeats node ${index}`);
    shareHashChain.set(index, bytes.slice(at + 2, at + CHAIN_ENTRY_SIZE));
  }
  return {
    ...head,
    shareHashChain,
    blockHashTreeRoot: bytes.slice(layout.blockHashTree, layout.shareData),
    block: bytes.subarray(layout.shareData, layout.encryptedKey),
    encryptedKey: bytes.slice(layout.encryptedKey, layout.end),
  };
}

export interface MutableShareContents {
  readonly signedPrefix: Uint8Array;
  readonly layout: MutableShareLayout;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly shareHashChain: ReadonlyMap<number, Uint8Array>;
  readonly blockHash: Uint8Array;
  readonly block: Uint8Array;
  readonly encryptedKey: Uint8Array;
}

export function packMutableShare(parts: MutableShareContents): Uint8Array {
  const { layout } = parts;
  const out = new Uint8Array(layout.end);
  out.set(parts.signedPrefix, 0);
  out.set(encodeOffsets(layout), SIGNED_PREFIX_SIZE);
  out.set(parts.publicKey, HEADER_SIZE);
  out.set(parts.signature, layout.signature);
  const view = new DataView(out.buffer);
  let at = layout.shareHashChain;
  for (const [index, hash] of [...parts.shareHashChain].sort(([a], [b]) => a - b)) {
    view.setUint16(at, index);
    out.set(hash, at + 2);
    at += CHAIN_ENTRY_SIZE;
  }
  out.set(parts.blockHash, layout.blockHashTree);
  out.set(parts.block, layout.shareData);
  out.set(parts.encryptedKey, layout.encryptedKey);
  return out;
}

/** The checkstring (test-and-set token) at the start of a share. */
export function checkstringOf(share: Uint8Array): Uint8Array {
  return share.slice(0, CHECKSTRING_SIZE);
}
