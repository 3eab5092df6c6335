import { join } from 'node:path';
import { base32Decode, base32Encode } from '../../src-shared/base32.js';
import { BadShareNumberError, BadStorageIndexError } from './errors.js';

export const STORAGE_INDEX_SIZE = 16;
/** Share numbers are one byte on the wire and in caps (at most 256 shares per file). */
export const MAX_SHARE_NUMBER = 255;

declare const storageIndexBrand: unique symbol;
declare const shareNumberBrand: unique symbol;

/** A checked 16-byte storage index; only `checkStorageIndex` makes one. */
export type StorageIndex = Uint8Array & { readonly [storageIndexBrand]: true };
/** A checked share number in 0..255. */
export type ShareNumber = number & { readonly [shareNumberBrand]: true };

export function checkStorageIndex(value: unknown): StorageIndex {
  if (!(value instanceof Uint8Array)) throw new BadStorageIndexError('the storage index must be bytes');
  if (value.length !== STORAGE_INDEX_SIZE) {
    throw new BadStorageIndexError(`a storage index is ${STORAGE_INDEX_SIZE} bytes, got ${value.length}`);
  }
  return Uint8Array.from(value) as StorageIndex; // a copy: the caller may reuse its buffer
}

/** Parses the 26-character lowercase base32 form (as in URLs and directory names). */
export function storageIndexFromBase32(text: string): StorageIndex {
  if (!/^[a-z2-7]{26}$/.test(text)) {
    throw new BadStorageIndexError(`a storage index is 26 lowercase base32 characters, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  try {
    return checkStorageIndex(base32Decode(text));
  } catch (error) {
    throw new BadStorageIndexError(`not a storage index: ${(error as Error).message}`);
  }
}

export function checkShareNumber(value: unknown): ShareNumber {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SHARE_NUMBER) {
    throw new BadShareNumberError(`a share number is an integer in 0..${MAX_SHARE_NUMBER}, got ${String(value)}`);
  }
  return value as ShareNumber;
}

/** The share number a file in a bucket directory is named after, or undefined for other files. */
export function shareNumberFromFileName(name: string): ShareNumber | undefined {
  // Canonical decimal only, so "007" or "1e2" never alias a real share.
  if (!/^(0|[1-9][0-9]{0,2})$/.test(name)) return undefined;
  const value = Number(name);
  return value <= MAX_SHARE_NUMBER ? (value as ShareNumber) : undefined;
}

/** Where shares live under a storage directory (`STORAGEDIR/shares/...`). */
export class ShareTree {
  readonly sharesDir: string;
  readonly incomingDir: string;

  constructor(storageDir: string) {
    this.sharesDir = join(storageDir, 'shares');
    this.incomingDir = join(this.sharesDir, 'incoming');
  }

  bucketDir(si: StorageIndex): string {
    return join(this.sharesDir, ...bucketSegments(si));
  }

  sharePath(si: StorageIndex, shnum: ShareNumber): string {
    return join(this.bucketDir(si), String(shnum));
  }

  incomingBucketDir(si: StorageIndex): string {
    return join(this.incomingDir, ...bucketSegments(si));
  }

  incomingSharePath(si: StorageIndex, shnum: ShareNumber): string {
    return join(this.incomingBucketDir(si), String(shnum));
  }

  /** Where a mutable share is written before it is renamed over the old one. */
  mutableTempDir(): string {
    return join(this.incomingDir, 'mutable');
  }

  mutableTempPath(si: StorageIndex, shnum: ShareNumber): string {
    return join(this.mutableTempDir(), `${bucketSegments(si)[1]}.${shnum}`);
  }
}

/** `[<first 2 chars of b32>, <b32>]`: 1024 prefix directories keep directory sizes small. */
function bucketSegments(si: StorageIndex): [string, string] {
  // Re-checked here because paths are the one place a bad value would do harm.
  if (si.length !== STORAGE_INDEX_SIZE) throw new BadStorageIndexError(`a storage index is ${STORAGE_INDEX_SIZE} bytes, got ${si.length}`);
  const b32 = base32Encode(si);
  return [b32.slice(0, 2), b32];
}

export function storageIndexToBase32(si: StorageIndex): string {
  return base32Encode(si);
}
