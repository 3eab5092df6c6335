// URI:CHK: read caps and URI:CHK-Verifier: verify caps (chk-format.md §11).

import { base32Encode } from '../base32.js';
import type { ChkReadCap, ChkVerifyCap } from './types.js';
import {
  type BytesField,
  KEY,
  NEEDED_SHARES,
  SIZE,
  STORAGE_INDEX,
  TOTAL_SHARES,
  UEB_HASH,
  checkBytes,
  checkChkNumbers,
  decodeFixedField,
  parseDecimal,
  splitFields,
} from './fields.js';

export const CHK_PREFIX = 'URI:CHK:';
export const CHK_VERIFIER_PREFIX = 'URI:CHK-Verifier:';

interface ChkBody {
  readonly first: Uint8Array; // key or storage index
  readonly uebHash: Uint8Array;
  readonly neededShares: number;
  readonly totalShares: number;
  readonly size: number;
}

function parseBody(prefix: string, first: BytesField, body: string): ChkBody {
  const [firstText = '', uebText = '', kText = '', nText = '', sizeText = ''] = splitFields(prefix, body, 5);
  const firstBytes = decodeFixedField(first, firstText);
  const uebHash = decodeFixedField(UEB_HASH, uebText);
  const neededShares = parseDecimal(NEEDED_SHARES, kText);
  const totalShares = parseDecimal(TOTAL_SHARES, nText);
  const size = parseDecimal(SIZE, sizeText);
  checkChkNumbers(neededShares, totalShares, size);
  return { first: firstBytes, uebHash, neededShares, totalShares, size };
}

function formatBody(prefix: string, first: BytesField, cap: ChkReadCap | ChkVerifyCap, firstBytes: Uint8Array): string {
  checkBytes(first, firstBytes);
  checkBytes(UEB_HASH, cap.uebHash);
  checkChkNumbers(cap.neededShares, cap.totalShares, cap.size);
  const b32 = `${base32Encode(firstBytes)}:${base32Encode(cap.uebHash)}`;
  return `${prefix}${b32}:${cap.neededShares}:${cap.totalShares}:${cap.size}`;
}

/** Parses the text after `URI:CHK:` (or after `prefix`, e.g. `URI:DIR2-CHK:`, which messages name). */
export function parseChkBody(body: string, prefix = CHK_PREFIX): ChkReadCap {
  const { first, ...rest } = parseBody(prefix, KEY, body);
  return { kind: 'chk', key: first, ...rest };
}

/** Parses the text after `URI:CHK-Verifier:` (or after `prefix`). */
export function parseChkVerifierBody(body: string, prefix = CHK_VERIFIER_PREFIX): ChkVerifyCap {
  const { first, ...rest } = parseBody(prefix, STORAGE_INDEX, body);
  return { kind: 'chk-verifier', storageIndex: first, ...rest };
}

export function formatChk(cap: ChkReadCap, prefix = CHK_PREFIX): string {
  return formatBody(prefix, KEY, cap, cap.key);
}

export function formatChkVerifier(cap: ChkVerifyCap, prefix = CHK_VERIFIER_PREFIX): string {
  return formatBody(prefix, STORAGE_INDEX, cap, cap.storageIndex);
}
