// The storage protocol's messages: one request per stream (net/request.ts), the request and
// response HEADs as JSON, bulk bytes as the message body.
//
//   kind             request HEAD fields                                   body      response HEAD (body)
//   version          –                                                     –         VersionResponse
//   allocate         storageIndex renewSecret cancelSecret shareNumbers    –         AllocateResponse
//                    allocatedSize
//   write            storageIndex shareNumber offset length                bytes     {}
//   close / abort    storageIndex shareNumber                              –         {}
//   list             storageIndex                                          –         { shares: [{ shareNumber, size }] }
//   read             storageIndex shareNumber offset length                –         { length } (the bytes)
//   add-lease        storageIndex renewSecret cancelSecret                 –         { held }
//   renew-lease      storageIndex renewSecret                              –         {}
//   advise-corrupt   shareType storageIndex shareNumber reason             –         { recorded }
//
// Storage indexes travel as 26 lowercase base32 characters, lease secrets as 52. Every
// field is type- and size-checked, unknown fields are refused, and the same parsers check
// what a client is about to send and what a server answers.

import { base32Decode, base32Encode } from '../../../src-shared/base32.js';
import { LEASE_SECRET_SIZE } from '../../storage/lease-record.js';
import {
  MAX_SHARE_NUMBER,
  storageIndexFromBase32,
  storageIndexToBase32,
  type ShareNumber,
  type StorageIndex,
} from '../../storage/storage-index.js';
import type { AllocationRefusal } from '../../storage/backend.js';
import type { JsonValue, RequestLimits } from '../request.js';

export const STORAGE_PROTOCOL = '/cairn/storage/1.0.0';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The most bytes one write request carries; clients split larger writes. */
export const MAX_WRITE_BYTES = MiB;
/** The most bytes one read request may ask for; clients split larger reads. */
export const MAX_READ_BYTES = 4 * MiB;
/** At most this many share numbers per request (Tahoe's MAX_BUCKETS). */
export const MAX_SHARES_PER_REQUEST = MAX_SHARE_NUMBER + 1;
/** A corruption report's reason, in UTF-8 bytes. */
export const MAX_REASON_BYTES = 4 * KiB;
/** The application version string a server reports. */
export const MAX_APPLICATION_VERSION_CHARS = 200;

/**
 * Frame limits for both sides. A HEAD is at most a few KiB (256 share numbers, or a 4 KiB
 * reason that JSON may escape to 6 bytes a byte); bodies are one write or one read.
 * The deadline covers a whole exchange, including waiting behind other requests on a slow
 * link: keep (requests in flight per server) × 1 MiB well inside what the link moves in it.
 */
export const STORAGE_LIMITS: RequestLimits = {
  maxHeadBytes: 32 * KiB,
  maxChunkBytes: MiB,
  maxBodyBytes: MAX_READ_BYTES,
  timeoutMs: 120_000,
};

/**
 * The codes a storage server puts in ERROR frames (besides net/request.ts's 'bad-request',
 * 'too-large', 'internal' and 'timeout'). Messages are for humans and never hold a secret.
 */
export const StorageRejectionCode = {
  /** a malformed request: bad field, bad storage index, out-of-range share number… */
  badRequest: 'bad-request',
  /** a write that ends past the share's allocated size */
  dataTooLarge: 'data-too-large',
  /** a write that changes bytes already written */
  conflictingWrite: 'conflicting-write',
  /** no open upload of that share from this peer (never allocated, closed, aborted, idle) */
  noSuchBucket: 'no-such-bucket',
  /** the server holds no such (final) share */
  noSuchShare: 'no-such-share',
  /** renew-lease found no lease with that renew secret */
  noSuchLease: 'no-such-lease',
  /** no space for what the request needs (a new lease on a full or read-only server) */
  serverFull: 'server-full',
  /** this peer already holds the most open uploads the server allows one peer */
  tooManyUploads: 'too-many-uploads',
  /** the share file on the server cannot be parsed */
  shareUnreadable: 'share-unreadable',
} as const;
export type StorageRejectionCode = (typeof StorageRejectionCode)[keyof typeof StorageRejectionCode];

const STORAGE_INDEX_CHARS = 26;
const SECRET_CHARS = 52;

export type StorageRequestKind =
  | 'version'
  | 'allocate'
  | 'write'
  | 'close'
  | 'abort'
  | 'list'
  | 'read'
  | 'add-lease'
  | 'renew-lease'
  | 'advise-corrupt';

export type StorageRequest =
  | { readonly kind: 'version' }
  | {
      readonly kind: 'allocate';
      readonly storageIndex: StorageIndex;
      readonly renewSecret: Uint8Array;
      readonly cancelSecret: Uint8Array;
      readonly shareNumbers: readonly ShareNumber[];
      readonly allocatedSize: number;
    }
  | {
      readonly kind: 'write';
      readonly storageIndex: StorageIndex;
      readonly shareNumber: ShareNumber;
      readonly offset: number;
      /** the body's exact length, at most MAX_WRITE_BYTES */
      readonly length: number;
    }
  | { readonly kind: 'close' | 'abort'; readonly storageIndex: StorageIndex; readonly shareNumber: ShareNumber }
  | { readonly kind: 'list'; readonly storageIndex: StorageIndex }
  | {
      readonly kind: 'read';
      readonly storageIndex: StorageIndex;
      readonly shareNumber: ShareNumber;
      readonly offset: number;
      /** at most MAX_READ_BYTES */
      readonly length: number;
    }
  | {
      readonly kind: 'add-lease';
      readonly storageIndex: StorageIndex;
      readonly renewSecret: Uint8Array;
      readonly cancelSecret: Uint8Array;
    }
  | { readonly kind: 'renew-lease'; readonly storageIndex: StorageIndex; readonly renewSecret: Uint8Array }
  | {
      readonly kind: 'advise-corrupt';
      readonly shareType: 'immutable';
      readonly storageIndex: StorageIndex;
      readonly shareNumber: ShareNumber;
      readonly reason: string;
    };

export interface VersionResponse {
  /** what a client may allocate now (available space, capped by the server's share limit) */
  readonly maximumImmutableShareSize: number;
  readonly availableSpace: number;
  readonly applicationVersion: string;
}

export interface AllocateResponse {
  /** every share the server holds for the storage index, not only those asked for */
  readonly alreadyHave: ShareNumber[];
  /** shares this client may now write (write, then close or abort) */
  readonly allocated: ShareNumber[];
  /** shares asked for that are neither held, in progress, nor allocated */
  readonly refused: ShareNumber[];
  readonly refusedBecause: AllocationRefusal | undefined;
}

export interface ShareListing {
  readonly shareNumber: ShareNumber;
  /** bytes of share data */
  readonly size: number;
}

export interface ListResponse {
  readonly shares: ShareListing[];
}

export interface ReadResponse {
  /** the body's length: at most the length asked for, less at the end of the share */
  readonly length: number;
}

export interface AddLeaseResponse {
  /** whether the server held any share of the storage index (nothing to lease otherwise) */
  readonly held: boolean;
}

export interface AdviseCorruptResponse {
  /** whether a report was written (not when the server lacks the share or the space) */
  readonly recorded: boolean;
}

/** A HEAD that breaks the protocol: a missing, extra, mistyped or out-of-range field. */
export class StorageMessageError extends Error {
  override readonly name = 'StorageMessageError';
}

const ALLOCATION_REFUSALS: readonly AllocationRefusal[] = ['read-only', 'share-too-large', 'server-full'];

// ---- field readers ----

type Fields = { readonly [key: string]: JsonValue | undefined };

function quote(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The value as an object with exactly the `required` keys (and none else). */
function fieldsOf(value: unknown, what: string, required: readonly string[]): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StorageMessageError(`${what} must be an object, not ${describeType(value)}`);
  }
  const fields = value as Fields;
  for (const key of Object.keys(fields)) {
    if (!required.includes(key)) throw new StorageMessageError(`${what} has an unexpected field ${quote(key)}`);
  }
  for (const key of required) {
    if (!Object.hasOwn(fields, key)) throw new StorageMessageError(`${what} lacks the field "${key}"`);
  }
  return fields;
}

function integerField(fields: Fields, key: string, max: number, what: string): number {
  const value = fields[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StorageMessageError(`${what}: "${key}" must be a non-negative safe integer, not ${describeValue(value)}`);
  }
  if (value > max) throw new StorageMessageError(`${what}: "${key}" is ${value}, more than the limit of ${max}`);
  return value;
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return quote(value);
  return describeType(value);
}

function booleanField(fields: Fields, key: string, what: string): boolean {
  const value = fields[key];
  if (typeof value !== 'boolean') throw new StorageMessageError(`${what}: "${key}" must be true or false, not ${describeType(value)}`);
  return value;
}

function stringField(fields: Fields, key: string, maxBytes: number, what: string): string {
  const value = fields[key];
  if (typeof value !== 'string') throw new StorageMessageError(`${what}: "${key}" must be a string, not ${describeType(value)}`);
  // Counted as UTF-8 without encoding a possibly huge string first: a char is at most 3 bytes.
  if (value.length > maxBytes || (value.length * 3 > maxBytes && Buffer.byteLength(value, 'utf8') > maxBytes)) {
    throw new StorageMessageError(`${what}: "${key}" is longer than ${maxBytes} bytes`);
  }
  return value;
}

function storageIndexField(fields: Fields, what: string): StorageIndex {
  const value = fields.storageIndex;
  if (typeof value !== 'string') {
    throw new StorageMessageError(`${what}: "storageIndex" must be a string, not ${describeType(value)}`);
  }
  if (value.length !== STORAGE_INDEX_CHARS || !/^[a-z2-7]+$/.test(value)) {
    throw new StorageMessageError(
      `${what}: "storageIndex" must be ${STORAGE_INDEX_CHARS} lowercase base32 characters, not ${quote(value)}`,
    );
  }
  try {
    return storageIndexFromBase32(value);
  } catch {
    throw new StorageMessageError(`${what}: "storageIndex" ${quote(value)} is not the base32 form of 16 bytes`);
  }
}

/** A 32-byte lease secret. Its value never appears in a message: messages get logged. */
function secretField(fields: Fields, key: string, what: string): Uint8Array {
  const value = fields[key];
  if (typeof value !== 'string' || value.length !== SECRET_CHARS || !/^[a-z2-7]+$/.test(value)) {
    throw new StorageMessageError(`${what}: "${key}" must be ${SECRET_CHARS} lowercase base32 characters (${LEASE_SECRET_SIZE} bytes)`);
  }
  let bytes: Uint8Array;
  try {
    bytes = base32Decode(value);
  } catch {
    throw new StorageMessageError(`${what}: "${key}" is not the base32 form of ${LEASE_SECRET_SIZE} bytes`);
  }
  if (bytes.length !== LEASE_SECRET_SIZE) {
    throw new StorageMessageError(`${what}: "${key}" is not the base32 form of ${LEASE_SECRET_SIZE} bytes`);
  }
  return bytes;
}

function isShareNumber(value: unknown): value is ShareNumber {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SHARE_NUMBER;
}

function shareNumberField(fields: Fields, key: string, what: string): ShareNumber {
  const value = fields[key];
  if (!isShareNumber(value)) {
    throw new StorageMessageError(`${what}: "${key}" must be an integer in 0..${MAX_SHARE_NUMBER}, not ${describeValue(value)}`);
  }
  return value;
}

/** Distinct share numbers, at most MAX_SHARES_PER_REQUEST, returned sorted. */
function shareNumberListField(fields: Fields, key: string, what: string): ShareNumber[] {
  const value = fields[key];
  if (!Array.isArray(value)) throw new StorageMessageError(`${what}: "${key}" must be a list, not ${describeType(value)}`);
  if (value.length > MAX_SHARES_PER_REQUEST) {
    throw new StorageMessageError(`${what}: "${key}" lists ${value.length} share numbers, more than ${MAX_SHARES_PER_REQUEST}`);
  }
  const seen = new Set<ShareNumber>();
  for (const item of value) {
    if (!isShareNumber(item)) {
      throw new StorageMessageError(`${what}: "${key}" holds ${describeValue(item)}, not a share number in 0..${MAX_SHARE_NUMBER}`);
    }
    if (seen.has(item)) throw new StorageMessageError(`${what}: "${key}" lists share ${item} twice`);
    seen.add(item);
  }
  return [...seen].sort((a, b) => a - b);
}

// ---- requests ----

const REQUEST_FIELDS: { readonly [K in StorageRequestKind]: readonly string[] } = {
  version: ['kind'],
  allocate: ['kind', 'storageIndex', 'renewSecret', 'cancelSecret', 'shareNumbers', 'allocatedSize'],
  write: ['kind', 'storageIndex', 'shareNumber', 'offset', 'length'],
  close: ['kind', 'storageIndex', 'shareNumber'],
  abort: ['kind', 'storageIndex', 'shareNumber'],
  list: ['kind', 'storageIndex'],
  read: ['kind', 'storageIndex', 'shareNumber', 'offset', 'length'],
  'add-lease': ['kind', 'storageIndex', 'renewSecret', 'cancelSecret'],
  'renew-lease': ['kind', 'storageIndex', 'renewSecret'],
  'advise-corrupt': ['kind', 'shareType', 'storageIndex', 'shareNumber', 'reason'],
};

function isRequestKind(value: unknown): value is StorageRequestKind {
  return typeof value === 'string' && Object.hasOwn(REQUEST_FIELDS, value);
}

/** Checks a request HEAD from the wire; throws StorageMessageError (never echoing a secret). */
export function parseStorageRequest(head: unknown): StorageRequest {
  if (typeof head !== 'object' || head === null || Array.isArray(head)) {
    throw new StorageMessageError(`a storage request must be an object, not ${describeType(head)}`);
  }
  const kind = (head as Fields).kind;
  if (!isRequestKind(kind)) {
    if (kind === undefined) throw new StorageMessageError('a storage request lacks the field "kind"');
    if (typeof kind !== 'string') throw new StorageMessageError(`a storage request's "kind" must be a string, not ${describeType(kind)}`);
    throw new StorageMessageError(`unknown storage request kind ${quote(kind)}`);
  }
  const what = `${kind} request`;
  const fields = fieldsOf(head, what, REQUEST_FIELDS[kind]);
  switch (kind) {
    case 'version':
      return { kind };
    case 'allocate':
      return {
        kind,
        storageIndex: storageIndexField(fields, what),
        renewSecret: secretField(fields, 'renewSecret', what),
        cancelSecret: secretField(fields, 'cancelSecret', what),
        shareNumbers: shareNumberListField(fields, 'shareNumbers', what),
        allocatedSize: integerField(fields, 'allocatedSize', Number.MAX_SAFE_INTEGER, what),
      };
    case 'write': {
      const offset = integerField(fields, 'offset', Number.MAX_SAFE_INTEGER, what);
      const length = integerField(fields, 'length', MAX_WRITE_BYTES, what);
      if (offset + length > Number.MAX_SAFE_INTEGER) throw new StorageMessageError(`${what}: offset + length is too large`);
      return { kind, storageIndex: storageIndexField(fields, what), shareNumber: shareNumberField(fields, 'shareNumber', what), offset, length };
    }
    case 'close':
    case 'abort':
      return { kind, storageIndex: storageIndexField(fields, what), shareNumber: shareNumberField(fields, 'shareNumber', what) };
    case 'list':
      return { kind, storageIndex: storageIndexField(fields, what) };
    case 'read':
      return {
        kind,
        storageIndex: storageIndexField(fields, what),
        shareNumber: shareNumberField(fields, 'shareNumber', what),
        offset: integerField(fields, 'offset', Number.MAX_SAFE_INTEGER, what),
        length: integerField(fields, 'length', MAX_READ_BYTES, what),
      };
    case 'add-lease':
      return {
        kind,
        storageIndex: storageIndexField(fields, what),
        renewSecret: secretField(fields, 'renewSecret', what),
        cancelSecret: secretField(fields, 'cancelSecret', what),
      };
    case 'renew-lease':
      return { kind, storageIndex: storageIndexField(fields, what), renewSecret: secretField(fields, 'renewSecret', what) };
    case 'advise-corrupt': {
      if (fields.shareType !== 'immutable') {
        throw new StorageMessageError(`${what}: "shareType" must be "immutable" (this protocol has no mutable shares), not ${describeValue(fields.shareType)}`);
      }
      return {
        kind,
        shareType: 'immutable',
        storageIndex: storageIndexField(fields, what),
        shareNumber: shareNumberField(fields, 'shareNumber', what),
        reason: stringField(fields, 'reason', MAX_REASON_BYTES, what),
      };
    }
  }
}

/** The JSON HEAD of a request. Run it through parseStorageRequest to check it before sending. */
export function encodeStorageRequest(request: StorageRequest): JsonValue {
  switch (request.kind) {
    case 'version':
      return { kind: request.kind };
    case 'allocate':
      return {
        kind: request.kind,
        storageIndex: storageIndexToBase32(request.storageIndex),
        renewSecret: base32Encode(request.renewSecret),
        cancelSecret: base32Encode(request.cancelSecret),
        shareNumbers: [...request.shareNumbers],
        allocatedSize: request.allocatedSize,
      };
    case 'write':
    case 'read':
      return {
        kind: request.kind,
        storageIndex: storageIndexToBase32(request.storageIndex),
        shareNumber: request.shareNumber,
        offset: request.offset,
        length: request.length,
      };
    case 'close':
    case 'abort':
      return { kind: request.kind, storageIndex: storageIndexToBase32(request.storageIndex), shareNumber: request.shareNumber };
    case 'list':
      return { kind: request.kind, storageIndex: storageIndexToBase32(request.storageIndex) };
    case 'add-lease':
      return {
        kind: request.kind,
        storageIndex: storageIndexToBase32(request.storageIndex),
        renewSecret: base32Encode(request.renewSecret),
        cancelSecret: base32Encode(request.cancelSecret),
      };
    case 'renew-lease':
      return { kind: request.kind, storageIndex: storageIndexToBase32(request.storageIndex), renewSecret: base32Encode(request.renewSecret) };
    case 'advise-corrupt':
      return {
        kind: request.kind,
        shareType: request.shareType,
        storageIndex: storageIndexToBase32(request.storageIndex),
        shareNumber: request.shareNumber,
        reason: request.reason,
      };
  }
}

/** A short description of a request for logs and error messages: no secrets. */
export function describeStorageRequest(request: StorageRequest): string {
  switch (request.kind) {
    case 'version':
      return 'version';
    case 'allocate':
      return `allocate ${storageIndexToBase32(request.storageIndex)} shares [${request.shareNumbers.join(',')}] of ${request.allocatedSize} bytes`;
    case 'write':
    case 'read':
      return `${request.kind} ${storageIndexToBase32(request.storageIndex)}/${request.shareNumber} ${request.length} bytes at ${request.offset}`;
    case 'close':
    case 'abort':
    case 'advise-corrupt':
      return `${request.kind} ${storageIndexToBase32(request.storageIndex)}/${request.shareNumber}`;
    case 'list':
    case 'add-lease':
    case 'renew-lease':
      return `${request.kind} ${storageIndexToBase32(request.storageIndex)}`;
  }
}

// ---- responses ----

export function encodeVersionResponse(response: VersionResponse): JsonValue {
  return { ...response };
}

export function parseVersionResponse(head: unknown): VersionResponse {
  const what = 'version response';
  const fields = fieldsOf(head, what, ['maximumImmutableShareSize', 'availableSpace', 'applicationVersion']);
  return {
    maximumImmutableShareSize: integerField(fields, 'maximumImmutableShareSize', Number.MAX_SAFE_INTEGER, what),
    availableSpace: integerField(fields, 'availableSpace', Number.MAX_SAFE_INTEGER, what),
    applicationVersion: stringField(fields, 'applicationVersion', MAX_APPLICATION_VERSION_CHARS, what),
  };
}

export function encodeAllocateResponse(response: AllocateResponse): JsonValue {
  return {
    alreadyHave: [...response.alreadyHave],
    allocated: [...response.allocated],
    refused: [...response.refused],
    refusedBecause: response.refusedBecause ?? null,
  };
}

/** Checks an allocate answer against the request it answers (a server may be hostile). */
export function parseAllocateResponse(head: unknown, requested: readonly number[]): AllocateResponse {
  const what = 'allocate response';
  const fields = fieldsOf(head, what, ['alreadyHave', 'allocated', 'refused', 'refusedBecause']);
  const alreadyHave = shareNumberListField(fields, 'alreadyHave', what);
  const allocated = shareNumberListField(fields, 'allocated', what);
  const refused = shareNumberListField(fields, 'refused', what);
  const reason = fields.refusedBecause;
  let refusedBecause: AllocationRefusal | undefined;
  if (reason !== null) {
    if (typeof reason !== 'string' || !(ALLOCATION_REFUSALS as readonly string[]).includes(reason)) {
      throw new StorageMessageError(`${what}: "refusedBecause" must be null or one of ${ALLOCATION_REFUSALS.join(', ')}, not ${describeValue(reason)}`);
    }
    refusedBecause = reason as AllocationRefusal;
  }
  for (const shnum of [...allocated, ...refused]) {
    if (!requested.includes(shnum)) throw new StorageMessageError(`${what}: share ${shnum} was not asked for`);
  }
  for (const shnum of allocated) {
    if (refused.includes(shnum) || alreadyHave.includes(shnum)) {
      throw new StorageMessageError(`${what}: share ${shnum} is both allocated and held or refused`);
    }
  }
  if ((refused.length > 0) !== (refusedBecause !== undefined)) {
    throw new StorageMessageError(`${what}: "refusedBecause" must be given exactly when shares are refused`);
  }
  return { alreadyHave, allocated, refused, refusedBecause };
}

export function encodeListResponse(response: ListResponse): JsonValue {
  return { shares: response.shares.map((share) => ({ shareNumber: share.shareNumber, size: share.size })) };
}

export function parseListResponse(head: unknown): ListResponse {
  const what = 'list response';
  const fields = fieldsOf(head, what, ['shares']);
  const list = fields.shares;
  if (!Array.isArray(list)) throw new StorageMessageError(`${what}: "shares" must be a list, not ${describeType(list)}`);
  if (list.length > MAX_SHARES_PER_REQUEST) throw new StorageMessageError(`${what}: more than ${MAX_SHARES_PER_REQUEST} shares`);
  const seen = new Set<number>();
  const shares = list.map((item): ShareListing => {
    const entry = fieldsOf(item, `${what} entry`, ['shareNumber', 'size']);
    const shareNumber = shareNumberField(entry, 'shareNumber', `${what} entry`);
    if (seen.has(shareNumber)) throw new StorageMessageError(`${what}: share ${shareNumber} is listed twice`);
    seen.add(shareNumber);
    return { shareNumber, size: integerField(entry, 'size', Number.MAX_SAFE_INTEGER, `${what} entry`) };
  });
  return { shares: shares.sort((a, b) => a.shareNumber - b.shareNumber) };
}

export function encodeReadResponse(response: ReadResponse): JsonValue {
  return { length: response.length };
}

export function parseReadResponse(head: unknown, maxLength: number): ReadResponse {
  const what = 'read response';
  return { length: integerField(fieldsOf(head, what, ['length']), 'length', maxLength, what) };
}

export function encodeAddLeaseResponse(response: AddLeaseResponse): JsonValue {
  return { held: response.held };
}

export function parseAddLeaseResponse(head: unknown): AddLeaseResponse {
  const what = 'add-lease response';
  return { held: booleanField(fieldsOf(head, what, ['held']), 'held', what) };
}

export function encodeAdviseCorruptResponse(response: AdviseCorruptResponse): JsonValue {
  return { recorded: response.recorded };
}

export function parseAdviseCorruptResponse(head: unknown): AdviseCorruptResponse {
  const what = 'advise-corrupt response';
  return { recorded: booleanField(fieldsOf(head, what, ['recorded']), 'recorded', what) };
}

/** The empty answer of write, close, abort and renew-lease. */
export function parseEmptyResponse(head: unknown, kind: StorageRequestKind): void {
  fieldsOf(head, `${kind} response`, []);
}
