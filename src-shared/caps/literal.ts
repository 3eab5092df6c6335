// URI:LIT: caps: the file's bytes in base32 (chk-format.md §2). `URI:LIT:` is the empty file.

import { base32Encode } from '../base32.js';
import { CapError } from './errors.js';
import { DATA, decodeField, splitFields } from './fields.js';
import type { LiteralCap } from './types.js';

export const LIT_PREFIX = 'URI:LIT:';

/** Parses the text after `URI:LIT:`. Any length is accepted, as Tahoe does. */
export function parseLiteralBody(body: string, prefix = LIT_PREFIX): LiteralCap {
  const [text = ''] = splitFields(prefix, body, 1);
  return { kind: 'lit', data: decodeField(DATA, text) };
}

export function formatLiteral(cap: LiteralCap, prefix = LIT_PREFIX): string {
  if (!(cap.data instanceof Uint8Array)) {
    throw new CapError('length', 'data must be a Uint8Array', DATA.name);
  }
  return prefix + base32Encode(cap.data);
}
