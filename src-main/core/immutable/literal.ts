import type { LiteralCap } from '../../../src-shared/caps/index.js';
import { LITERAL_SIZE_THRESHOLD } from './params.js';

export function isLiteralSize(size: number): boolean {
  return size <= LITERAL_SIZE_THRESHOLD;
}

/** A `URI:LIT:` cap carries the whole file inline: no shares, no key. */
export function literalCap(data: Uint8Array): LiteralCap {
  if (!isLiteralSize(data.length)) {
    throw new RangeError(`a literal cap holds at most ${LITERAL_SIZE_THRESHOLD} bytes, got ${data.length}`);
  }
  return { kind: 'lit', data: Uint8Array.from(data) };
}
