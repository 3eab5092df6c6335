import { checkByteCount } from './arguments.js';
import { BadArgumentError, DataTooLargeError } from './errors.js';
import { checkShareNumber, type ShareNumber } from './storage-index.js';

// The vectors of Tahoe's slot_readv and slot_testv_and_readv_and_writev, checked.

/** Read `length` bytes at `offset` of a share's data (cut at its end). */
export interface ReadVector {
  readonly offset: number;
  readonly length: number;
}

/** Passes when the share's data at offset..offset+length equals `specimen` (Tahoe: only "eq"). */
export interface TestVector {
  readonly offset: number;
  readonly length: number;
  readonly operator: 'eq';
  readonly specimen: Uint8Array;
}

export interface WriteVector {
  readonly offset: number;
  readonly data: Uint8Array;
}

/** What to do to one share if every test of the call passes. */
export interface ShareWrite {
  readonly testVectors: readonly TestVector[];
  readonly writeVectors: readonly WriteVector[];
  /** cut the data to this length (it only ever shrinks it); 0 deletes the share */
  readonly newLength?: number;
}

/** At most this many vectors of each kind per share and per call. */
export const MAX_VECTORS = 256;

function checkList<T>(value: unknown, what: string): readonly T[] {
  if (!Array.isArray(value)) throw new BadArgumentError(`${what} must be a list`);
  if (value.length > MAX_VECTORS) throw new BadArgumentError(`at most ${MAX_VECTORS} ${what}, got ${value.length}`);
  return value as T[];
}

function checkBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new BadArgumentError(`${what} must be bytes`);
  return value;
}

export function checkReadVectors(value: unknown): ReadVector[] {
  return checkList<ReadVector>(value, 'read vectors').map((v) => ({
    offset: checkByteCount(v?.offset, 'read offset'),
    length: checkByteCount(v?.length, 'read length'),
  }));
}

/** Checks every share's vectors; no write may end past `maxDataSize`. */
export function checkShareWrites(value: unknown, maxDataSize: number): Map<ShareNumber, ShareWrite> {
  if (!(value instanceof Map)) throw new BadArgumentError('share writes must be a map from share number');
  const checked = new Map<ShareNumber, ShareWrite>();
  for (const [shareNumber, write] of value as Map<unknown, ShareWrite>) {
    const shnum = checkShareNumber(shareNumber);
    const testVectors = checkList<TestVector>(write?.testVectors, 'test vectors').map((v) => {
      if (v?.operator !== 'eq') throw new BadArgumentError(`the only test operator is "eq", got ${JSON.stringify(String(v?.operator)).slice(0, 20)}`);
      return { offset: checkByteCount(v.offset, 'test offset'), length: checkByteCount(v.length, 'test length'), operator: 'eq' as const, specimen: checkBytes(v.specimen, 'a test specimen') };
    });
    const writeVectors = checkList<WriteVector>(write?.writeVectors, 'write vectors').map((v) => {
      const offset = checkByteCount(v?.offset, 'write offset');
      const data = checkBytes(v.data, 'write data');
      if (offset + data.length > maxDataSize) {
        throw new DataTooLargeError(`share ${shnum}: a write ending at byte ${offset + data.length} is past the ${maxDataSize}-byte limit for a mutable share`);
      }
      return { offset, data };
    });
    const newLength = write.newLength === undefined ? undefined : checkByteCount(write.newLength, 'new length');
    checked.set(shnum, newLength === undefined ? { testVectors, writeVectors } : { testVectors, writeVectors, newLength });
  }
  return checked;
}

/** Tahoe's test: the data slice must equal the specimen exactly (a missing share is empty). */
export function testPasses(data: Uint8Array, test: TestVector): boolean {
  const slice = data.subarray(test.offset, test.offset + test.length);
  return Buffer.compare(slice, test.specimen) === 0;
}

/** The share's data after the writes and the truncation; undefined when it is to be deleted. */
export function applyShareWrite(data: Uint8Array, write: ShareWrite): Uint8Array | undefined {
  if (write.newLength === 0) return undefined;
  const end = write.writeVectors.reduce((max, v) => Math.max(max, v.offset + v.data.length), data.length);
  const out = new Uint8Array(end);
  out.set(data);
  for (const v of write.writeVectors) out.set(v.data, v.offset);
  return write.newLength !== undefined && write.newLength < out.length ? out.subarray(0, write.newLength) : out;
}
