import { encodeChk, type ChkEncodeOptions } from '../../src-main/core/immutable/encoder.js';
import { memoryShareSource, type ShareSource } from '../../src-main/core/immutable/share-source.js';
import { decodeChk, type ChkDecodeOptions } from '../../src-main/core/immutable/decoder.js';
import { convergentKey } from '../../src-main/core/immutable/convergence.js';
import { DEFAULT_ENCODING_PARAMETERS, effectiveSegmentSize, type EncodingParameters } from '../../src-main/core/immutable/params.js';
import type { ChkReadCap } from '../../src-shared/caps/index.js';

export interface EncodedFile {
  readonly cap: ChkReadCap;
  /** each share's complete bytes, index = share number */
  readonly shares: Uint8Array[];
  readonly uriExtension: Uint8Array;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** Tahoe's vector data rule: the seed repeated end to end, cut to length. */
export function stretch(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += seed.length) out.set(seed.subarray(0, Math.min(seed.length, length - at)), at);
  return out;
}

export function chunked(data: Uint8Array, chunkSize = 100_003): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += chunkSize) chunks.push(data.subarray(at, at + chunkSize));
  return chunks;
}

export async function encodeToMemory(
  data: Uint8Array,
  params: Partial<EncodingParameters> & { convergence?: Uint8Array; key?: Uint8Array },
  extra: Partial<ChkEncodeOptions> = {},
): Promise<EncodedFile> {
  const full: EncodingParameters = { ...DEFAULT_ENCODING_PARAMETERS, ...params };
  const key =
    params.key ??
    (await convergentKey(chunked(data), params.convergence ?? new Uint8Array(16), full.neededShares, full.totalShares, effectiveSegmentSize(data.length, full)));
  const parts: Uint8Array[][] = [];
  for await (const event of encodeChk(chunked(data), { ...full, ...extra, size: data.length, key })) {
    if (event.type === 'start') for (let j = 0; j < full.totalShares; j++) parts.push([event.header]);
    else if (event.type === 'segment') event.blocks.forEach((b, j) => parts[j]!.push(b));
    else {
      event.trailers.forEach((t, j) => parts[j]!.push(t));
      return { cap: event.cap, shares: parts.map(concat), uriExtension: event.uriExtension };
    }
  }
  throw new Error('encoder ended early');
}

export async function decodeToMemory(cap: ChkReadCap, shares: readonly ShareSource[], options?: ChkDecodeOptions): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  for await (const chunk of decodeChk(cap, shares, options)) out.push(chunk);
  return concat(out);
}

export function sources(shares: readonly Uint8Array[], numbers: readonly number[]): ShareSource[] {
  return numbers.map((j) => memoryShareSource(`#${j}`, shares[j]!));
}

/** Fast byte equality for large buffers; on mismatch names the first differing offset. */
export function sameBytes(actual: Uint8Array, expected: Uint8Array): string {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  if (Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.length))) return 'same';
  const at = actual.findIndex((byte, i) => byte !== expected[i]);
  return `differs at offset ${at}`;
}
