// Tahoe base32: RFC 4648 alphabet, lowercase, no "=" padding, MSB-first.

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const CHUNK = 8192; // characters per String.fromCharCode call

/** Char code -> 5-bit value, or -1 for characters outside [a-z2-7]. */
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export type Base32ErrorKind = 'character' | 'length' | 'unused-bits';

export class Base32Error extends Error {
  override readonly name = 'Base32Error';
  readonly kind: Base32ErrorKind;
  /** 0-based index of the offending character, when there is one. */
  readonly position: number | undefined;

  constructor(kind: Base32ErrorKind, message: string, position?: number) {
    super(message);
    this.kind = kind;
    this.position = position;
  }
}

/** Number of base32 characters for `byteLength` bytes. */
export function base32Length(byteLength: number): number {
  return Math.ceil((byteLength * 8) / 5);
}

export function base32Encode(bytes: Uint8Array): string {
  const codes = new Uint8Array(base32Length(bytes.length));
  let buffer = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | (bytes[i] ?? 0)) & 0xfff; // at most 12 live bits
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      codes[j++] = ALPHABET_CODES[(buffer >>> bits) & 31] ?? 0;
    }
  }
  if (bits > 0) codes[j++] = ALPHABET_CODES[(buffer << (5 - bits)) & 31] ?? 0;
  const parts: string[] = [];
  for (let i = 0; i < codes.length; i += CHUNK) {
    // apply() takes a typed array as its argument list; spreading one is much slower.
    parts.push(String.fromCharCode.apply(null, codes.subarray(i, i + CHUNK) as unknown as number[]));
  }
  return parts.join('');
}

/** Quoted, escaped form of the code point at `index`, for error messages. */
function describeChar(text: string, index: number): string {
  return JSON.stringify(String.fromCodePoint(text.codePointAt(index) ?? 0));
}

export function base32Decode(text: string): Uint8Array {
  const length = text.length;
  const rem = length % 8;
  if (rem === 1 || rem === 3 || rem === 6) {
    throw new Base32Error(
      'length',
      `invalid base32 length ${length}: no byte string encodes to a length of ${rem} mod 8`,
    );
  }
  const out = new Uint8Array(Math.floor((length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (DECODE[code] ?? -1) : -1;
    if (value < 0) {
      const hint = code >= 65 && code <= 90 ? ' (base32 must be lowercase)' : '';
      throw new Base32Error(
        'character',
        `invalid base32 character ${describeChar(text, i)} at position ${i}${hint}`,
        i,
      );
    }
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (buffer >>> bits) & 0xff;
    }
  }
  // The leftover bits all sit in the last character and must be zero.
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new Base32Error(
      'unused-bits',
      `non-zero unused bits in the last base32 character (position ${length - 1})`,
      length - 1,
    );
  }
  return out;
}
