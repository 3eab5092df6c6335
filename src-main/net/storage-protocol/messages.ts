// The storage protocol's messages: one request per stream (net/request.ts), the request and
// response HEADs as JSON, bulk bytes as the message body.
//
//   kind             request HEAD fields                                   body      response HEAD (body)
//   version          –                                                     –         VersionResponse
//   allocate         storageIndex renewSecret cancelSecret shareNumbers    –         AllocateResponse
//                    allocatedSize
//   write            storageIndex shareNumber offset length                bytes     {}
//   close / abort    storageIndex shareNumber                              –         {}
//   put-shares       storageIndex renewSecret cancelSecret shareNumbers    shares    AllocateResponse
//                    shareSize
//   list             storageIndex [prefixLength]                           –         { shares: [{ shareNumber, size }] }
//                                                                                    (each share's first bytes)
//   read             storageIndex shareNumber offset length                –         { length } (the bytes)
//   add-lease        storageIndex renewSecret cancelSecret                 –         { held }
//   renew-lease      storageIndex renewSecret                              –         {}
//   advise-corrupt   shareType storageIndex shareNumber reason             –         { recorded }
//   slot-read, slot-test-and-write: mutable shares (slot-messages.ts)
//
// Storage indexes travel as 26 lowercase base32 characters, lease secrets as 52. Every
// field is type- and size-checked, unknown fields are refused, and the same parsers check
// what a client is about to send and what a server answers.

import { base32Encode } from '../../../src-shared/base32.js';
import { storageIndexToBase32, type ShareNumber, type StorageIndex } from '../../storage/storage-index.js';
import type { AllocationRefusal } from '../../storage/backend.js';
import type { JsonValue, RequestLimits } from '../request.js';
import {
  MAX_SHARES_PER_REQUEST,
  StorageMessageError,
  booleanField,
  describeType,
  describeValue,
  fieldsOf,
  integerField,
  quote,
  secretField,
  shareNumberField,
  shareNumberListField,
  storageIndexField,
  stringField,
  type Fields,
} from './fields.js';
import {
  MAX_SLOT_WRITE_BYTES,
  SLOT_READ_FIELDS,
  SLOT_TEST_AND_WRITE_FIELDS,
  encodeReadVectors,
  encodeWriteHeads,
  parseSlotReadRequest,
  parseSlotTestAndWriteFields,
  slotWriteBodyLength,
  type SlotReadRequest,
  type SlotTestAndWriteRequest,
} from './slot-messages.js';

export { MAX_SHARES_PER_REQUEST, StorageMessageError } from './fields.js';

export const STORAGE_PROTOCOL = '/cairn/storage/1.0.0';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The most bytes one write request carries; clients split larger writes. */
export const MAX_WRITE_BYTES = MiB;
/** The largest share put-shares takes: it is for small files, whose shares cost more in round trips than in bytes. */
export const MAX_PUT_SHARE_BYTES = 64 * KiB;
/** The most share bytes one put-shares request carries (its body). */
export const MAX_PUT_SHARES_BODY_BYTES = MiB;
/** The most bytes of each share a list may ask for (256 shares of it stay within a read's limit). */
export const MAX_LIST_PREFIX_BYTES = 16 * KiB;
/** The most bytes one read request may ask for; clients split larger reads. */
export const MAX_READ_BYTES = 4 * MiB;
/** A corruption report's reason, in UTF-8 bytes. */
export const MAX_REASON_BYTES = 4 * KiB;
/** The application version string a server reports. */
export const MAX_APPLICATION_VERSION_CHARS = 200;

/**
 * Frame limits for both sides. A HEAD is at most a few KiB (256 share numbers, or a 4 KiB
 * reason that JSON may escape to 6 bytes a byte); bodies are one write or one read, or one
 * slot test-and-write, which carries a whole mutable share (at most MAX_SLOT_WRITE_BYTES).
 * The deadline covers a whole exchange, including waiting behind other requests on a slow
 * link: keep (requests in flight per server) × 1 MiB well inside what the link moves in it.
 */
export const STORAGE_LIMITS: RequestLimits = {
  maxHeadBytes: 32 * KiB,
  maxChunkBytes: MiB,
  maxBodyBytes: MAX_SLOT_WRITE_BYTES,
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
  /** a slot test-and-write whose write enabler is not the one the slot's shares were written with */
  badWriteEnabler: 'bad-write-enabler',
} as const;
export type StorageRejectionCode = (typeof StorageRejectionCode)[keyof typeof StorageRejectionCode];


export type StorageRequestKind =
  | 'version'
  | 'allocate'
  | 'write'
  | 'close'
  | 'abort'
  | 'put-shares'
  | 'list'
  | 'read'
  | 'add-lease'
  | 'renew-lease'
  | 'advise-corrupt'
  | 'slot-read'
  | 'slot-test-and-write';

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
  | {
      /**
       * Allocate, write and close whole shares in one exchange: a small file's upload in one
       * round trip. The body holds the shares in ascending share-number order, `shareSize` bytes each.
       */
      readonly kind: 'put-shares';
      readonly storageIndex: StorageIndex;
      readonly renewSecret: Uint8Array;
      readonly cancelSecret: Uint8Array;
      readonly shareNumbers: readonly ShareNumber[];
      /** at most MAX_PUT_SHARE_BYTES, and shareNumbers × shareSize at most MAX_PUT_SHARES_BODY_BYTES */
      readonly shareSize: number;
    }
  | {
      readonly kind: 'list';
      readonly storageIndex: StorageIndex;
      /**
       * Send each listed share's first bytes too (at most MAX_LIST_PREFIX_BYTES; 0: none), in
       * ascending share-number order: a small file downloads in one round trip.
       */
      readonly prefixLength: number;
    }
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
      readonly shareType: 'immutable' | 'mutable';
      readonly storageIndex: StorageIndex;
      readonly shareNumber: ShareNumber;
      readonly reason: string;
    }
  | SlotReadRequest
  | SlotTestAndWriteRequest;

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

/** How many of a share's first bytes a list with this prefix length carries. */
export function listedPrefixLength(share: ShareListing, prefixLength: number): number {
  return Math.min(share.size, prefixLength);
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

const ALLOCATION_REFUSALS: readonly AllocationRefusal[] = ['read-only', 'share-too-large', 'server-full'];

// ---- requests ----

const REQUEST_FIELDS: { readonly [K in StorageRequestKind]: readonly string[] } = {
  version: ['kind'],
  allocate: ['kind', 'storageIndex', 'renewSecret', 'cancelSecret', 'shareNumbers', 'allocatedSize'],
  write: ['kind', 'storageIndex', 'shareNumber', 'offset', 'length'],
  close: ['kind', 'storageIndex', 'shareNumber'],
  abort: ['kind', 'storageIndex', 'shareNumber'],
  'put-shares': ['kind', 'storageIndex', 'renewSecret', 'cancelSecret', 'shareNumbers', 'shareSize'],
  list: ['kind', 'storageIndex', 'prefixLength'],
  read: ['kind', 'storageIndex', 'shareNumber', 'offset', 'length'],
  'add-lease': ['kind', 'storageIndex', 'renewSecret', 'cancelSecret'],
  'renew-lease': ['kind', 'storageIndex', 'renewSecret'],
  'advise-corrupt': ['kind', 'shareType', 'storageIndex', 'shareNumber', 'reason'],
  'slot-read': SLOT_READ_FIELDS,
  'slot-test-and-write': SLOT_TEST_AND_WRITE_FIELDS,
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
  // a list's prefixLength may be left out (no prefixes)
  const required = kind === 'list' && !Object.hasOwn(head, 'prefixLength') ? ['kind', 'storageIndex'] : REQUEST_FIELDS[kind];
  const fields = fieldsOf(head, what, required);
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
    case 'put-shares': {
      const shareNumbers = shareNumberListField(fields, 'shareNumbers', what);
      const shareSize = integerField(fields, 'shareSize', MAX_PUT_SHARE_BYTES, what);
      if (shareNumbers.length * shareSize > MAX_PUT_SHARES_BODY_BYTES) {
        throw new StorageMessageError(`${what}: ${shareNumbers.length} shares of ${shareSize} bytes are more than the ${MAX_PUT_SHARES_BODY_BYTES} bytes one request may carry`);
      }
      return {
        kind,
        storageIndex: storageIndexField(fields, what),
        renewSecret: secretField(fields, 'renewSecret', what),
        cancelSecret: secretField(fields, 'cancelSecret', what),
        shareNumbers,
        shareSize,
      };
    }
    case 'list':
      return {
        kind,
        storageIndex: storageIndexField(fields, what),
        prefixLength: fields.prefixLength === undefined ? 0 : integerField(fields, 'prefixLength', MAX_LIST_PREFIX_BYTES, what),
      };
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
      const shareType = fields.shareType;
      if (shareType !== 'immutable' && shareType !== 'mutable') {
        throw new StorageMessageError(`${what}: "shareType" must be "immutable" or "mutable", not ${describeValue(shareType)}`);
      }
      return {
        kind,
        shareType,
        storageIndex: storageIndexField(fields, what),
        shareNumber: shareNumberField(fields, 'shareNumber', what),
        reason: stringField(fields, 'reason', MAX_REASON_BYTES, what),
      };
    }
    case 'slot-read':
      return parseSlotReadRequest(fields, what, storageIndexField(fields, what));
    case 'slot-test-and-write':
      return {
        kind,
        storageIndex: storageIndexField(fields, what),
        writeEnabler: secretField(fields, 'writeEnabler', what),
        renewSecret: secretField(fields, 'renewSecret', what),
        cancelSecret: secretField(fields, 'cancelSecret', what),
        ...parseSlotTestAndWriteFields(fields, what),
      };
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
    case 'put-shares':
      return {
        kind: request.kind,
        storageIndex: storageIndexToBase32(request.storageIndex),
        renewSecret: base32Encode(request.renewSecret),
        cancelSecret: base32Encode(request.cancelSecret),
        shareNumbers: [...request.shareNumbers],
        shareSize: request.shareSize,
      };
    case 'list':
      return { kind: request.kind, storageIndex: storageIndexToBase32(request.storageIndex), prefixLength: request.prefixLength };
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
    case 'slot-read':
      return {
        kind: request.kind,
        storageIndex: storageIndexToBase32(request.storageIndex),
        shareNumbers: request.shareNumbers === 'all' ? 'all' : [...request.shareNumbers],
        readVectors: encodeReadVectors(request.readVectors),
      };
    case 'slot-test-and-write':
      return {
        kind: request.kind,
        storageIndex: storageIndexToBase32(request.storageIndex),
        writeEnabler: base32Encode(request.writeEnabler),
        renewSecret: base32Encode(request.renewSecret),
        cancelSecret: base32Encode(request.cancelSecret),
        writes: encodeWriteHeads(request.writes),
        readVectors: encodeReadVectors(request.readVectors),
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
    case 'put-shares':
      return `put-shares ${storageIndexToBase32(request.storageIndex)} shares [${request.shareNumbers.join(',')}] of ${request.shareSize} bytes`;
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
    case 'slot-read':
      return `slot-read ${storageIndexToBase32(request.storageIndex)} shares ${request.shareNumbers === 'all' ? 'all' : `[${request.shareNumbers.join(',')}]`}`;
    case 'slot-test-and-write':
      return `slot-test-and-write ${storageIndexToBase32(request.storageIndex)} shares [${request.writes.map((w) => w.shareNumber).join(',')}] with ${slotWriteBodyLength(request.writes)} bytes`;
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
