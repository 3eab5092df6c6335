// URI:SSK-ED25519: caps: Cairn's mutable files (docs/formats.md). Each has two fields, a
// 16-byte key or storage index and the 32-byte fingerprint of the file's public key.

import { base32Encode } from '../base32.js';
import { type BytesField, FINGERPRINT, READKEY, STORAGE_INDEX, WRITEKEY, checkBytes, decodeFixedField, splitFields } from './fields.js';
import type { MutableFileCap, MutableReadCap, MutableVerifyCap, MutableWriteCap } from './types.js';

export const MUTABLE_WRITE_PREFIX = 'URI:SSK-ED25519:';
export const MUTABLE_READ_PREFIX = 'URI:SSK-ED25519-RO:';
export const MUTABLE_VERIFIER_PREFIX = 'URI:SSK-ED25519-Verifier:';

function parseBody(prefix: string, first: BytesField, body: string): [Uint8Array, Uint8Array] {
  const [firstText = '', fingerprintText = ''] = splitFields(prefix, body, 2);
  return [decodeFixedField(first, firstText), decodeFixedField(FINGERPRINT, fingerprintText)];
}

/** Parses the text after a mutable-file prefix. */
export function parseMutableBody(prefix: string, body: string): MutableFileCap {
  switch (prefix) {
    case MUTABLE_WRITE_PREFIX: {
      const [writekey, fingerprint] = parseBody(prefix, WRITEKEY, body);
      return { kind: 'ssk-ed25519', writekey, fingerprint };
    }
    case MUTABLE_READ_PREFIX: {
      const [readkey, fingerprint] = parseBody(prefix, READKEY, body);
      return { kind: 'ssk-ed25519-ro', readkey, fingerprint };
    }
    default: {
      const [storageIndex, fingerprint] = parseBody(MUTABLE_VERIFIER_PREFIX, STORAGE_INDEX, body);
      return { kind: 'ssk-ed25519-verifier', storageIndex, fingerprint };
    }
  }
}

function firstFieldOf(cap: MutableFileCap): [BytesField, Uint8Array] {
  switch (cap.kind) {
    case 'ssk-ed25519':
      return [WRITEKEY, (cap as MutableWriteCap).writekey];
    case 'ssk-ed25519-ro':
      return [READKEY, (cap as MutableReadCap).readkey];
    case 'ssk-ed25519-verifier':
      return [STORAGE_INDEX, (cap as MutableVerifyCap).storageIndex];
  }
}

/** The prefix-less body `b32(key or SI):b32(fingerprint)`; checks both lengths. */
export function formatMutableBody(cap: MutableFileCap): string {
  const [field, bytes] = firstFieldOf(cap);
  checkBytes(field, bytes);
  checkBytes(FINGERPRINT, cap.fingerprint);
  return `${base32Encode(bytes)}:${base32Encode(cap.fingerprint)}`;
}

export function mutablePrefixOf(cap: MutableFileCap): string {
  switch (cap.kind) {
    case 'ssk-ed25519':
      return MUTABLE_WRITE_PREFIX;
    case 'ssk-ed25519-ro':
      return MUTABLE_READ_PREFIX;
    case 'ssk-ed25519-verifier':
      return MUTABLE_VERIFIER_PREFIX;
  }
}

export function formatMutable(cap: MutableFileCap): string {
  return mutablePrefixOf(cap) + formatMutableBody(cap);
}
