// The HTTP Range header (RFC 9110 §14), for one range of bytes. Several ranges, other
// units and malformed headers are ignored (the whole file is sent), as the RFC allows.
import type { ByteRange } from '../../core/immutable/decoder.js';

/**
 * The bytes [start, end) a Range header asks for in a file of `size` bytes; undefined for
 * the whole file; 'unsatisfiable' for a well-formed range that starts past the end.
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    // a suffix: the last N bytes
    const length = Number(last);
    if (length === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size };
  }
  const start = Number(first);
  const end = last === '' ? size : Number(last) + 1;
  if (last !== '' && end <= start) return undefined; // last < first: invalid, so ignored
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size) };
}
