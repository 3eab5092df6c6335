// Field readers for the storage protocol's JSON HEADs: each checks type, range and size,
// and names the field at fault without ever echoing a secret.

import { base32Decode } from '../../../src-shared/base32.js';
import { LEASE_SECRET_SIZE } from '../../storage/lease-record.js';
import { MAX_SHARE_NUMBER, storageIndexFromBase32, type ShareNumber, type StorageIndex } from '../../storage/storage-index.js';
import type { JsonValue } from '../request.js';

/** At most this many share numbers per request (Tahoe's MAX_BUCKETS). */
export const MAX_SHARES_PER_REQUEST = MAX_SHARE_NUMBER + 1;

const STORAGE_INDEX_CHARS = 26;
const SECRET_CHARS = 52;

/** A HEAD that breaks the protocol: a missing, extra, mistyped or out-of-range field. */
export class StorageMessageError extends Error {
  override readonly name = 'StorageMessageError';
}

export type Fields = { readonly [key: string]: JsonValue | undefined };

export function quote(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The value as an object with exactly the `required` keys (and none else). */
export function fieldsOf(value: unknown, what: string, required: readonly string[]): Fields {
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

export function integerField(fields: Fields, key: string, max: number, what: string): number {
  const value = fields[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StorageMessageError(`${what}: "${key}" must be a non-negative safe integer, not ${describeValue(value)}`);
  }
  if (value > max) throw new StorageMessageError(`${what}: "${key}" is ${value}, more than the limit of ${max}`);
  return value;
}

export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return quote(value);
  return describeType(value);
}

export function booleanField(fields: Fields, key: string, what: string): boolean {
  const value = fields[key];
  if (typeof value !== 'boolean') throw new StorageMessageError(`${what}: "${key}" must be true or false, not ${describeType(value)}`);
  return value;
}

export function stringField(fields: Fields, key: string, maxBytes: number, what: string): string {
  const value = fields[key];
  if (typeof value !== 'string') throw new StorageMessageError(`${what}: "${key}" must be a string, not ${describeType(value)}`);
  // Counted as UTF-8 without encoding a possibly huge string first: a char is at most 3 bytes.
  if (value.length > maxBytes || (value.length * 3 > maxBytes && Buffer.byteLength(value, 'utf8') > maxBytes)) {
    throw new StorageMessageError(`${what}: "${key}" is longer than ${maxBytes} bytes`);
  }
  return value;
}

export function storageIndexField(fields: Fields, what: string): StorageIndex {
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
export function secretField(fields: Fields, key: string, what: string): Uint8Array {
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

export function isShareNumber(value: unknown): value is ShareNumber {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SHARE_NUMBER;
}

export function shareNumberField(fields: Fields, key: string, what: string): ShareNumber {
  const value = fields[key];
  if (!isShareNumber(value)) {
    throw new StorageMessageError(`${what}: "${key}" must be an integer in 0..${MAX_SHARE_NUMBER}, not ${describeValue(value)}`);
  }
  return value;
}

/** Distinct share numbers, at most MAX_SHARES_PER_REQUEST, returned sorted. */
export function shareNumberListField(fields: Fields, key: string, what: string): ShareNumber[] {
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
