// The storage protocol's mutable-slot messages (Tahoe's slot_readv and
// slot_testv_and_readv_and_writev). HEADs carry the vectors' offsets and lengths; the bytes
// (test specimens, write data, read data) travel in the body, in the order the HEAD lists them.
//
//   slot-read            storageIndex shareNumbers readVectors                      → { shares } + read data
//   slot-test-and-write  storageIndex writeEnabler renewSecret cancelSecret          → { success, shares } + read data
//                        writes readVectors  (+ body: per write, its specimens then its data)
//
// shareNumbers is a list or "all". Unlike Tahoe's wire protocol, an empty list means no
// share, never every share. `shares` in an answer is [{ shareNumber, lengths }]: the bytes
// each read vector gave for that share (cut at the end of its data).

import { MAX_MUTABLE_SHARE_SIZE } from '../../core/mutable/share-layout.js';
import type { ShareNumber, StorageIndex } from '../../storage/storage-index.js';
import {
  MAX_SHARES_PER_REQUEST,
  StorageMessageError,
  booleanField,
  describeType,
  describeValue,
  fieldsOf,
  integerField,
  isShareNumber,
  shareNumberListField,
  type Fields,
} from './fields.js';
import type { JsonValue } from '../request.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Vectors of each kind per list (the backend's MAX_VECTORS). */
export const MAX_SLOT_VECTORS = 256;
/**
 * Read data one slot request may ask for, over every share it may touch ("all" and a
 * test-and-write's reads count as 256 shares). Clients split larger reads.
 */
export const MAX_SLOT_READ_BYTES = 4 * MiB;
/** Body of one test-and-write: a whole share of the largest mutable file, and its test specimens. */
export const MAX_SLOT_WRITE_BYTES = MAX_MUTABLE_SHARE_SIZE + 64 * KiB;

export interface SlotReadVector {
  readonly offset: number;
  readonly length: number;
}

/** A test vector as the HEAD carries it: its specimen is `specimenLength` bytes of the body. */
export interface SlotTestVectorHead {
  readonly offset: number;
  readonly length: number;
  readonly operator: 'eq';
  readonly specimenLength: number;
}

/** A write vector as the HEAD carries it: its data is `length` bytes of the body. */
export interface SlotWriteVectorHead {
  readonly offset: number;
  readonly length: number;
}

export interface SlotWriteHead {
  readonly shareNumber: ShareNumber;
  readonly testVectors: readonly SlotTestVectorHead[];
  readonly writeVectors: readonly SlotWriteVectorHead[];
  /** cut the share's data to this length (0 deletes the share) */
  readonly newLength: number | undefined;
}

export interface SlotReadRequest {
  readonly kind: 'slot-read';
  readonly storageIndex: StorageIndex;
  readonly shareNumbers: readonly ShareNumber[] | 'all';
  readonly readVectors: readonly SlotReadVector[];
}

export interface SlotTestAndWriteRequest {
  readonly kind: 'slot-test-and-write';
  readonly storageIndex: StorageIndex;
  readonly writeEnabler: Uint8Array;
  readonly renewSecret: Uint8Array;
  readonly cancelSecret: Uint8Array;
  readonly writes: readonly SlotWriteHead[];
  readonly readVectors: readonly SlotReadVector[];
}

export const SLOT_READ_FIELDS = ['kind', 'storageIndex', 'shareNumbers', 'readVectors'] as const;
export const SLOT_TEST_AND_WRITE_FIELDS = ['kind', 'storageIndex', 'writeEnabler', 'renewSecret', 'cancelSecret', 'writes', 'readVectors'] as const;

function listField(value: unknown, what: string, max: number): readonly unknown[] {
  if (!Array.isArray(value)) throw new StorageMessageError(`${what} must be a list, not ${describeType(value)}`);
  if (value.length > max) throw new StorageMessageError(`${what} has ${value.length} items, more than ${max}`);
  return value;
}

function offsetAndLength(fields: Fields, lengthKey: string, maxLength: number, what: string): { offset: number; length: number } {
  const offset = integerField(fields, 'offset', Number.MAX_SAFE_INTEGER, what);
  const length = integerField(fields, lengthKey, maxLength, what);
  if (offset + length > Number.MAX_SAFE_INTEGER) throw new StorageMessageError(`${what}: offset + ${lengthKey} is too large`);
  return { offset, length };
}

function readVectorsField(fields: Fields, what: string): SlotReadVector[] {
  return listField(fields.readVectors, `${what}: "readVectors"`, MAX_SLOT_VECTORS).map((item, i) => {
    const where = `${what}: read vector ${i}`;
    return offsetAndLength(fieldsOf(item, where, ['offset', 'length']), 'length', MAX_SLOT_READ_BYTES, where);
  });
}

function readBytesAsked(vectors: readonly SlotReadVector[], shares: number): number {
  return vectors.reduce((sum, v) => sum + v.length, 0) * shares;
}

function checkReadSize(vectors: readonly SlotReadVector[], shares: number, what: string): void {
  const asked = readBytesAsked(vectors, shares);
  if (asked > MAX_SLOT_READ_BYTES) {
    throw new StorageMessageError(`${what}: the read vectors ask for up to ${asked} bytes (${shares} shares), more than the limit of ${MAX_SLOT_READ_BYTES}`);
  }
}

export function parseSlotReadRequest(fields: Fields, what: string, storageIndex: StorageIndex): SlotReadRequest {
  const raw = fields.shareNumbers;
  const shareNumbers = raw === 'all' ? 'all' : Array.isArray(raw) ? shareNumberListField(fields, 'shareNumbers', what) : undefined;
  if (shareNumbers === undefined) throw new StorageMessageError(`${what}: "shareNumbers" must be "all" or a list, not ${describeValue(raw)}`);
  const readVectors = readVectorsField(fields, what);
  checkReadSize(readVectors, shareNumbers === 'all' ? MAX_SHARES_PER_REQUEST : shareNumbers.length, what);
  return { kind: 'slot-read', storageIndex, shareNumbers, readVectors };
}

function writeHeadField(item: unknown, what: string): SlotWriteHead {
  const fields = fieldsOf(item, what, ['shareNumber', 'testVectors', 'writeVectors', 'newLength']);
  const shareNumber = fields.shareNumber;
  if (!isShareNumber(shareNumber)) throw new StorageMessageError(`${what}: "shareNumber" must be a share number in 0..255, not ${describeValue(shareNumber)}`);
  const testVectors = listField(fields.testVectors, `${what}: "testVectors"`, MAX_SLOT_VECTORS).map((test, i) => {
    const where = `${what}: test vector ${i}`;
    const v = fieldsOf(test, where, ['offset', 'length', 'operator', 'specimenLength']);
    if (v.operator !== 'eq') throw new StorageMessageError(`${where}: "operator" must be "eq" (the only test), not ${describeValue(v.operator)}`);
    const { offset, length } = offsetAndLength(v, 'length', MAX_SLOT_WRITE_BYTES, where);
    return { offset, length, operator: 'eq' as const, specimenLength: integerField(v, 'specimenLength', MAX_SLOT_WRITE_BYTES, where) };
  });
  const writeVectors = listField(fields.writeVectors, `${what}: "writeVectors"`, MAX_SLOT_VECTORS).map((write, i) => {
    const where = `${what}: write vector ${i}`;
    return offsetAndLength(fieldsOf(write, where, ['offset', 'length']), 'length', MAX_SLOT_WRITE_BYTES, where);
  });
  const newLength = fields.newLength === null ? undefined : integerField(fields, 'newLength', Number.MAX_SAFE_INTEGER, what);
  return { shareNumber, testVectors, writeVectors, newLength };
}

/** Bytes of a test-and-write's body: every specimen and every write's data. */
export function slotWriteBodyLength(writes: readonly SlotWriteHead[]): number {
  let total = 0;
  for (const write of writes) {
    for (const test of write.testVectors) total += test.specimenLength;
    for (const vector of write.writeVectors) total += vector.length;
  }
  return total;
}

export function parseSlotTestAndWriteFields(fields: Fields, what: string): Pick<SlotTestAndWriteRequest, 'writes' | 'readVectors'> {
  const seen = new Set<number>();
  const writes = listField(fields.writes, `${what}: "writes"`, MAX_SHARES_PER_REQUEST).map((item, i) => {
    const write = writeHeadField(item, `${what}: write ${i}`);
    if (seen.has(write.shareNumber)) throw new StorageMessageError(`${what}: share ${write.shareNumber} is written twice`);
    seen.add(write.shareNumber);
    return write;
  });
  const bodyLength = slotWriteBodyLength(writes);
  if (bodyLength > MAX_SLOT_WRITE_BYTES) {
    throw new StorageMessageError(`${what}: the specimens and data come to ${bodyLength} bytes, more than the limit of ${MAX_SLOT_WRITE_BYTES}`);
  }
  const readVectors = readVectorsField(fields, what);
  checkReadSize(readVectors, MAX_SHARES_PER_REQUEST, what); // applied to every share held
  return { writes, readVectors };
}

export function encodeReadVectors(vectors: readonly SlotReadVector[]): JsonValue {
  return vectors.map((v) => ({ offset: v.offset, length: v.length }));
}

export function encodeWriteHeads(writes: readonly SlotWriteHead[]): JsonValue {
  return writes.map((write) => ({
    shareNumber: write.shareNumber,
    testVectors: write.testVectors.map((t) => ({ offset: t.offset, length: t.length, operator: t.operator, specimenLength: t.specimenLength })),
    writeVectors: write.writeVectors.map((v) => ({ offset: v.offset, length: v.length })),
    newLength: write.newLength ?? null,
  }));
}

// ---- share writes <-> HEAD + body ----

/** What to do to one share if every test passes (the backend's ShareWrite). */
export interface SlotShareWrite {
  readonly testVectors: readonly { readonly offset: number; readonly length: number; readonly operator: 'eq'; readonly specimen: Uint8Array }[];
  readonly writeVectors: readonly { readonly offset: number; readonly data: Uint8Array }[];
  readonly newLength?: number;
}

/** The HEAD entries and the body of a map of share writes. */
export function splitShareWrites(writes: ReadonlyMap<number, SlotShareWrite>): { heads: SlotWriteHead[]; body: Uint8Array[] } {
  const heads: SlotWriteHead[] = [];
  const body: Uint8Array[] = [];
  for (const [shareNumber, write] of writes) {
    heads.push({
      shareNumber: shareNumber as ShareNumber,
      testVectors: write.testVectors.map((t) => ({ offset: t.offset, length: t.length, operator: t.operator, specimenLength: t.specimen.length })),
      writeVectors: write.writeVectors.map((v) => ({ offset: v.offset, length: v.data.length })),
      newLength: write.newLength,
    });
    for (const test of write.testVectors) body.push(test.specimen);
    for (const vector of write.writeVectors) body.push(vector.data);
  }
  return { heads, body };
}

/** Rebuilds the share writes from the HEAD entries and the body (exactly slotWriteBodyLength bytes). */
export function joinShareWrites(heads: readonly SlotWriteHead[], body: Uint8Array): Map<number, SlotShareWrite> {
  let at = 0;
  const take = (length: number): Uint8Array => {
    const part = body.subarray(at, at + length);
    at += length;
    return part;
  };
  const writes = new Map<number, SlotShareWrite>();
  for (const head of heads) {
    const testVectors = head.testVectors.map((t) => ({ offset: t.offset, length: t.length, operator: t.operator, specimen: take(t.specimenLength) }));
    const writeVectors = head.writeVectors.map((v) => ({ offset: v.offset, data: take(v.length) }));
    writes.set(head.shareNumber, head.newLength === undefined ? { testVectors, writeVectors } : { testVectors, writeVectors, newLength: head.newLength });
  }
  if (at !== body.length) throw new StorageMessageError(`the body has ${body.length} bytes, the HEAD's vectors ${at}`);
  return writes;
}

// ---- answers ----

/** The `shares` field and body of an answer carrying read data. */
export function encodeReadData(readData: ReadonlyMap<number, readonly Uint8Array[]>): { shares: JsonValue; body: Uint8Array[] } {
  const shares: JsonValue[] = [];
  const body: Uint8Array[] = [];
  for (const [shareNumber, pieces] of [...readData].sort(([a], [b]) => a - b)) {
    shares.push({ shareNumber, lengths: pieces.map((piece) => piece.length) });
    body.push(...pieces);
  }
  return { shares, body };
}

/**
 * Checks an answer's read data against what was asked (a server may be hostile): known
 * shares only, one length per read vector, none longer than its vector, and exactly the body.
 */
export function parseReadData(
  fields: Fields,
  body: Uint8Array,
  asked: { readonly shareNumbers: readonly number[] | 'all'; readonly readVectors: readonly SlotReadVector[] },
  what: string,
): Map<number, Uint8Array[]> {
  const list = listField(fields.shares, `${what}: "shares"`, MAX_SHARES_PER_REQUEST);
  const readData = new Map<number, Uint8Array[]>();
  let at = 0;
  for (const item of list) {
    const entry = fieldsOf(item, `${what}: share entry`, ['shareNumber', 'lengths']);
    const shareNumber = entry.shareNumber;
    if (!isShareNumber(shareNumber)) throw new StorageMessageError(`${what}: ${describeValue(shareNumber)} is not a share number`);
    if (readData.has(shareNumber)) throw new StorageMessageError(`${what}: share ${shareNumber} is listed twice`);
    if (asked.shareNumbers !== 'all' && !asked.shareNumbers.includes(shareNumber)) throw new StorageMessageError(`${what}: share ${shareNumber} was not asked for`);
    const lengths = listField(entry.lengths, `${what}: share ${shareNumber} "lengths"`, MAX_SLOT_VECTORS);
    if (lengths.length !== asked.readVectors.length) {
      throw new StorageMessageError(`${what}: share ${shareNumber} has ${lengths.length} pieces for ${asked.readVectors.length} read vectors`);
    }
    const pieces = lengths.map((length, i) => {
      const max = asked.readVectors[i]!.length;
      if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0 || length > max) {
        throw new StorageMessageError(`${what}: share ${shareNumber} piece ${i} has length ${describeValue(length)}, not 0..${max}`);
      }
      if (at + length > body.length) throw new StorageMessageError(`${what}: the body is shorter than the lengths say`);
      const piece = body.subarray(at, at + length);
      at += length;
      return piece;
    });
    readData.set(shareNumber, pieces);
  }
  if (at !== body.length) throw new StorageMessageError(`${what}: the body has ${body.length} bytes, the lengths say ${at}`);
  return readData;
}

export function parseSlotTestAndWriteResponse(
  head: unknown,
  body: Uint8Array,
  readVectors: readonly SlotReadVector[],
): { success: boolean; readData: Map<number, Uint8Array[]> } {
  const what = 'slot-test-and-write response';
  const fields = fieldsOf(head, what, ['success', 'shares']);
  return { success: booleanField(fields, 'success', what), readData: parseReadData(fields, body, { shareNumbers: 'all', readVectors }, what) };
}

export function parseSlotReadResponse(head: unknown, body: Uint8Array, request: SlotReadRequest): Map<number, Uint8Array[]> {
  const what = 'slot-read response';
  return parseReadData(fieldsOf(head, what, ['shares']), body, request, what);
}
