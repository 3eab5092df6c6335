// Attenuation: write cap → read cap → verify cap (chk-format.md §5, §11; docs/formats.md).
// Every step is a one-way hash, so no cap yields the one above it.

import { taggedHash } from '../tagged-hash.js';
import { readkeyOfWritekey, storageIndexOfReadkey } from './mutable-keys.js';
import type {
  Cap,
  ChkReadCap,
  ChkVerifyCap,
  DirectoryCap,
  DirectoryFileCap,
  FileCap,
  MutableFileCap,
  MutableReadCap,
  MutableVerifyCap,
  MutableWriteCap,
} from './types.js';

export const STORAGE_INDEX_TAG = 'allmydata_immutable_key_to_storage_index_v1';

/** tagged_hash(STORAGE_INDEX_TAG, key, 16). Like Tahoe, any key length is hashed. */
export function storageIndexOfKey(key: Uint8Array): Uint8Array {
  return taggedHash(STORAGE_INDEX_TAG, key, 16);
}

function chkVerifyCapOf(cap: ChkReadCap | ChkVerifyCap): ChkVerifyCap {
  if (cap.kind === 'chk-verifier') return cap;
  return {
    kind: 'chk-verifier',
    storageIndex: storageIndexOfKey(cap.key),
    uebHash: cap.uebHash.slice(),
    neededShares: cap.neededShares,
    totalShares: cap.totalShares,
    size: cap.size,
  };
}

function mutableVerifyCapOf(cap: MutableFileCap): MutableVerifyCap {
  if (cap.kind === 'ssk-ed25519-verifier') return cap;
  const readkey = cap.kind === 'ssk-ed25519' ? readkeyOfWritekey(cap.writekey) : cap.readkey;
  return { kind: 'ssk-ed25519-verifier', storageIndex: storageIndexOfReadkey(readkey), fingerprint: cap.fingerprint.slice() };
}

/**
 * The verify cap of a cap; a verify cap is returned unchanged. A LIT directory has no
 * shares and so no verify cap (as in Tahoe): undefined.
 */
export function verifyCapOf(cap: ChkReadCap | ChkVerifyCap): ChkVerifyCap;
export function verifyCapOf(cap: MutableFileCap): MutableVerifyCap;
export function verifyCapOf(cap: DirectoryCap): DirectoryCap | undefined;
export function verifyCapOf(cap: Exclude<Cap, { kind: 'lit' }>): Cap | undefined;
export function verifyCapOf(cap: Exclude<Cap, { kind: 'lit' }>): Cap | undefined {
  switch (cap.kind) {
    case 'chk':
    case 'chk-verifier':
      return chkVerifyCapOf(cap);
    case 'ssk-ed25519':
    case 'ssk-ed25519-ro':
    case 'ssk-ed25519-verifier':
      return mutableVerifyCapOf(cap);
    case 'dir': {
      const file = cap.file;
      if (file.kind === 'lit') return undefined;
      return { kind: 'dir', file: verifyCapOf(file) as DirectoryFileCap };
    }
  }
}

function mutableReadCapOf(cap: MutableFileCap): MutableReadCap | MutableVerifyCap {
  if (cap.kind !== 'ssk-ed25519') return cap;
  return { kind: 'ssk-ed25519-ro', readkey: readkeyOfWritekey(cap.writekey), fingerprint: cap.fingerprint.slice() };
}

/**
 * The read-only form of a cap: a mutable write cap becomes its read cap (for files and
 * directories alike). Caps that cannot write (immutable, read-only, verify) are returned as
 * they are.
 */
export function readOnlyCapOf(cap: MutableWriteCap): MutableReadCap;
export function readOnlyCapOf<C extends FileCap | MutableReadCap | MutableVerifyCap>(cap: C): C;
export function readOnlyCapOf(cap: MutableFileCap): MutableReadCap | MutableVerifyCap;
export function readOnlyCapOf(cap: DirectoryCap): DirectoryCap;
export function readOnlyCapOf(cap: Cap): Cap;
export function readOnlyCapOf(cap: Cap): Cap {
  switch (cap.kind) {
    case 'ssk-ed25519':
      return mutableReadCapOf(cap);
    case 'dir':
      return cap.file.kind === 'ssk-ed25519' ? { kind: 'dir', file: mutableReadCapOf(cap.file) } : cap;
    default:
      return cap;
  }
}

/** Whether the cap can change what it names (a mutable write cap, file or directory). */
export function isWriteCap(cap: Cap): boolean {
  return cap.kind === 'ssk-ed25519' || (cap.kind === 'dir' && cap.file.kind === 'ssk-ed25519');
}

/** The storage index of a mutable cap: where its shares live. */
export function mutableStorageIndexOf(cap: MutableFileCap): Uint8Array {
  return mutableVerifyCapOf(cap).storageIndex;
}
