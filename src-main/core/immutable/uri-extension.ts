import { concatBytes } from '../bytes.js';
import { netstring } from '../crypto/netstring.js';
import { taggedHash } from '../crypto/hashes.js';
import { UEB_TAG } from '../crypto/tags.js';
import { UriExtensionError } from './errors.js';

// The URI extension block (chk-format.md §10): sorted `key:netstring(value)` entries.
// Its tagged hash is in the cap, so it commits to every other hash of the file.

/** The downloader rejects a UEB this long or longer (Tahoe's limit). */
export const MAX_UEB_SIZE = 2000;

export interface UriExtension {
  readonly codecName: string;
  readonly segmentSize: number;
  readonly neededShares: number;
  readonly totalShares: number;
  readonly numSegments: number;
  readonly size: number;
  /** padded tail segment size (a multiple of k) from `tail_codec_params` */
  readonly tailSegmentSize: number;
  readonly crypttextHash: Uint8Array;
  readonly crypttextRootHash: Uint8Array;
  readonly shareRootHash: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('latin1');
const KEY_PATTERN = /^[a-zA-Z_-]+$/;

export function packUriExtension(ueb: UriExtension): Uint8Array {
  const { segmentSize: seg, neededShares: k, totalShares: n } = ueb;
  const fields: Array<[string, Uint8Array | string]> = [
    ['codec_name', ueb.codecName],
    ['codec_params', `${seg}-${k}-${n}`],
    ['crypttext_hash', ueb.crypttextHash],
    ['crypttext_root_hash', ueb.crypttextRootHash],
    ['needed_shares', String(k)],
    ['num_segments', String(ueb.numSegments)],
    ['segment_size', String(seg)],
    ['share_root_hash', ueb.shareRootHash],
    ['size', String(ueb.size)],
    ['tail_codec_params', `${ueb.tailSegmentSize}-${k}-${n}`],
    ['total_shares', String(n)],
  ];
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return concatBytes(fields.flatMap(([key, value]) => [encoder.encode(`${key}:`), netstring(value)]));
}

export function uriExtensionHash(packed: Uint8Array): Uint8Array {
  return taggedHash(UEB_TAG, packed);
}

/** Splits a packed UEB into its raw fields; unknown keys are kept (old uploads carry more). */
export function unpackUriExtensionFields(packed: Uint8Array): Map<string, Uint8Array> {
  const fields = new Map<string, Uint8Array>();
  let at = 0;
  const find = (byte: number, from: number, what: string): number => {
    const i = packed.indexOf(byte, from);
    if (i < 0) throw new UriExtensionError(`URI extension block is truncated: no "${what}" after offset ${from}`);
    return i;
  };
  while (at < packed.length) {
    const colon = find(0x3a, at, ':');
    const key = decoder.decode(packed.subarray(at, colon));
    if (!KEY_PATTERN.test(key)) throw new UriExtensionError(`URI extension block has a bad key at offset ${at}`);
    const lengthEnd = find(0x3a, colon + 1, ':');
    const lengthText = decoder.decode(packed.subarray(colon + 1, lengthEnd));
    if (!/^(0|[1-9][0-9]{0,5})$/.test(lengthText)) {
      throw new UriExtensionError(`URI extension field "${key}" has a bad length "${lengthText}"`);
    }
    const start = lengthEnd + 1;
    const end = start + Number(lengthText);
    if (end >= packed.length || packed[end] !== 0x2c) {
      throw new UriExtensionError(`URI extension field "${key}" is truncated or lacks its closing ","`);
    }
    if (fields.has(key)) throw new UriExtensionError(`URI extension block repeats the key "${key}"`);
    fields.set(key, packed.subarray(start, end));
    at = end + 1;
  }
  return fields;
}

function requireField(fields: Map<string, Uint8Array>, key: string): Uint8Array {
  const value = fields.get(key);
  if (value === undefined) throw new UriExtensionError(`URI extension block lacks "${key}"`);
  return value;
}

function integerField(fields: Map<string, Uint8Array>, key: string): number {
  const text = decoder.decode(requireField(fields, key));
  if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UriExtensionError(`URI extension field "${key}" is not a decimal integer`);
  }
  return Number(text);
}

function hashField(fields: Map<string, Uint8Array>, key: string): Uint8Array {
  const value = requireField(fields, key);
  if (value.length !== 32) throw new UriExtensionError(`URI extension field "${key}" must be 32 bytes, got ${value.length}`);
  return value;
}

function codecParams(fields: Map<string, Uint8Array>, key: string): [number, number, number] {
  const text = decoder.decode(requireField(fields, key));
  const match = /^(0|[1-9][0-9]*)-([1-9][0-9]*)-([1-9][0-9]*)$/.exec(text);
  if (!match) throw new UriExtensionError(`URI extension field "${key}" is not "segsize-k-n"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Parses and cross-checks a UEB (its fields must agree with each other). */
export function unpackUriExtension(packed: Uint8Array): UriExtension {
  if (packed.length >= MAX_UEB_SIZE) throw new UriExtensionError(`URI extension block is too large (${packed.length} bytes)`);
  const fields = unpackUriExtensionFields(packed);
  const ueb: UriExtension = {
    codecName: decoder.decode(requireField(fields, 'codec_name')),
    segmentSize: integerField(fields, 'segment_size'),
    neededShares: integerField(fields, 'needed_shares'),
    totalShares: integerField(fields, 'total_shares'),
    numSegments: integerField(fields, 'num_segments'),
    size: integerField(fields, 'size'),
    tailSegmentSize: codecParams(fields, 'tail_codec_params')[0],
    crypttextHash: hashField(fields, 'crypttext_hash'),
    crypttextRootHash: hashField(fields, 'crypttext_root_hash'),
    shareRootHash: hashField(fields, 'share_root_hash'),
  };
  if (ueb.codecName !== 'crs') throw new UriExtensionError(`unsupported codec "${ueb.codecName}" (only "crs")`);
  const [seg, k, n] = codecParams(fields, 'codec_params');
  const [, tailK, tailN] = codecParams(fields, 'tail_codec_params');
  if (seg !== ueb.segmentSize || k !== ueb.neededShares || n !== ueb.totalShares || tailK !== k || tailN !== n) {
    throw new UriExtensionError('URI extension block codec parameters disagree with its other fields');
  }
  return ueb;
}
