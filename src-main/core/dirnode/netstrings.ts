import { DirectoryFormatError } from './errors.js';

const COLON = 0x3a;
const COMMA = 0x2c;
/** Longest length prefix accepted: 9 digits (under 1 GB) is far beyond any directory. */
const MAX_DIGITS = 9;

/** Reads the netstring at `at`; returns its body (a view) and where the next one starts. */
export function readNetstring(bytes: Uint8Array, at: number, where: string): { body: Uint8Array; next: number } {
  let length = 0;
  let i = at;
  while (i < bytes.length && bytes[i] !== COLON) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9 || i - at >= MAX_DIGITS) throw new DirectoryFormatError(`${where}: bad netstring length at byte ${at}`);
    length = length * 10 + digit;
    i++;
  }
  if (i === at || i >= bytes.length) throw new DirectoryFormatError(`${where}: bad netstring length at byte ${at}`);
  if (bytes[at] === 0x30 && i - at > 1) throw new DirectoryFormatError(`${where}: netstring length with a leading zero at byte ${at}`);
  const start = i + 1;
  const end = start + length;
  if (end >= bytes.length) throw new DirectoryFormatError(`${where}: netstring at byte ${at} runs past the end`);
  if (bytes[end] !== COMMA) throw new DirectoryFormatError(`${where}: netstring at byte ${at} does not end with ","`);
  return { body: bytes.subarray(start, end), next: end + 1 };
}
