// Parsing and checking of individual cap fields. Messages name the field, never its value.

import { Base32Error, base32Decode, base32Length } from '../base32.js';
import { CapError } from './errors.js';

export interface Field {
  readonly name: string; // cap property
  readonly label: string; // for messages
}

export interface BytesField extends Field {
  readonly bytes: number;
}

export const KEY: BytesField = { name: 'key', label: 'key', bytes: 16 };
export const WRITEKEY: BytesField = { name: 'writekey', label: 'write key', bytes: 16 };
export const READKEY: BytesField = { name: 'readkey', label: 'read key', bytes: 16 };
export const FINGERPRINT: BytesField = { name: 'fingerprint', label: 'public key fingerprint', bytes: 32 };
export const STORAGE_INDEX: BytesField = { name: 'storageIndex', label: 'storage index', bytes: 16 };
export const UEB_HASH: BytesField = { name: 'uebHash', label: 'UEB hash', bytes: 32 };
export const NEEDED_SHARES: Field = { name: 'neededShares', label: 'needed shares k' };
export const TOTAL_SHARES: Field = { name: 'totalShares', label: 'total shares N' };
export const SIZE: Field = { name: 'size', label: 'size' };
export const DATA: Field = { name: 'data', label: 'data' };

export const MAX_SHARES = 256;

/** Splits a cap body on ':' and checks the field count. */
export function splitFields(prefix: string, body: string, expected: number): string[] {
  const fields = body.split(':');
  if (fields.length !== expected) {
    const noun = fields.length === 1 ? 'field' : 'fields';
    throw new CapError(
      'field-count',
      `${prefix} cap has ${fields.length} ${noun} after the prefix, expected ${expected}`,
    );
  }
  return fields;
}

export function decodeField(field: Field, text: string): Uint8Array {
  try {
    return base32Decode(text);
  } catch (err) {
    if (!(err instanceof Base32Error)) throw err;
    const cause = { cause: err };
    switch (err.kind) {
      case 'character':
        throw new CapError('base32', `${err.message} in ${field.label}`, field.name, cause);
      case 'unused-bits':
        throw new CapError(
          'base32',
          `${field.label} has non-zero unused bits in its last base32 character (position ${err.position})`,
          field.name,
          cause,
        );
      case 'length':
        throw new CapError(
          'length',
          `${field.label} has an impossible base32 length ${text.length} (${text.length % 8} mod 8)`,
          field.name,
          cause,
        );
    }
  }
}

export function decodeFixedField(field: BytesField, text: string): Uint8Array {
  const chars = base32Length(field.bytes);
  if (text.length !== chars) {
    throw new CapError(
      'length',
      `${field.label} must be ${chars} base32 characters (${field.bytes} bytes), got ${text.length}`,
      field.name,
    );
  }
  return decodeField(field, text);
}

/** Decimal without sign or leading zeros, at most Number.MAX_SAFE_INTEGER. */
export function parseDecimal(field: Field, text: string): number {
  if (text === '') throw new CapError('number', `${field.label} is empty`, field.name);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) {
      const char = JSON.stringify(String.fromCodePoint(text.codePointAt(i) ?? 0));
      throw new CapError(
        'number',
        `${field.label} must be a decimal integer: invalid character ${char} at position ${i}`,
        field.name,
      );
    }
  }
  if (text.length > 1 && text.startsWith('0')) {
    throw new CapError('number', `${field.label} must not have leading zeros`, field.name);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new CapError(
      'range',
      `${field.label} is larger than the maximum safe integer ${Number.MAX_SAFE_INTEGER}`,
      field.name,
    );
  }
  return value;
}

/** For formatting: the bytes must have the field's exact length. */
export function checkBytes(field: BytesField, bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== field.bytes) {
    const got = bytes instanceof Uint8Array ? `${bytes.length}` : typeof bytes;
    throw new CapError('length', `${field.label} must be ${field.bytes} bytes, got ${got}`, field.name);
  }
}

/** Checks 1 ≤ k ≤ N ≤ 256 and that size is a non-negative safe integer. */
export function checkChkNumbers(neededShares: number, totalShares: number, size: number): void {
  for (const [field, value] of [
    [NEEDED_SHARES, neededShares],
    [TOTAL_SHARES, totalShares],
    [SIZE, size],
  ] as const) {
    if (!Number.isSafeInteger(value)) {
      throw new CapError('number', `${field.label} must be a safe integer, got ${value}`, field.name);
    }
  }
  for (const [field, value] of [
    [NEEDED_SHARES, neededShares],
    [TOTAL_SHARES, totalShares],
  ] as const) {
    if (value < 1 || value > MAX_SHARES) {
      throw new CapError('range', `${field.label}=${value} is out of range 1..${MAX_SHARES}`, field.name);
    }
  }
  if (neededShares > totalShares) {
    throw new CapError(
      'k-greater-than-n',
      `needed shares k=${neededShares} is greater than total shares N=${totalShares}`,
      NEEDED_SHARES.name,
    );
  }
  if (size < 0) throw new CapError('range', `size must not be negative, got ${size}`, SIZE.name);
}
