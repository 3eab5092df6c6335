// Cap string -> FileCap, dispatching on the prefix.

import { CHK_PREFIX, CHK_VERIFIER_PREFIX, parseChkBody, parseChkVerifierBody } from './chk.js';
import { CapError } from './errors.js';
import { LIT_PREFIX, parseLiteralBody } from './literal.js';
import type { ChkReadCap, FileCap } from './types.js';

const EXPECTED = `expected ${CHK_PREFIX}, ${CHK_VERIFIER_PREFIX} or ${LIT_PREFIX}`;

/** Prefixes Tahoe puts on caps inside directory entries. */
const DIR_ENTRY_PREFIXES = ['ro.', 'imm.'];

/** Cap types are short and start upper-case, so echoing one never echoes a base32 key. */
const CAP_TYPE = /^URI:[A-Z][A-Za-z0-9-]{0,19}:/;

function prefixError(text: string): CapError {
  if (text === '') return new CapError('prefix', `empty cap string (${EXPECTED})`);
  const type = CAP_TYPE.exec(text);
  if (type) return new CapError('prefix', `unknown cap prefix "${type[0]}" (${EXPECTED})`);
  if (text.startsWith('URI:')) return new CapError('prefix', `unknown cap type after "URI:" (${EXPECTED})`);
  return new CapError('prefix', `cap must start with "URI:" (${EXPECTED})`);
}

export function parseCap(text: string): FileCap {
  let cap = text.trim();
  const dirPrefix = DIR_ENTRY_PREFIXES.find((p) => cap.startsWith(p));
  if (dirPrefix !== undefined) cap = cap.slice(dirPrefix.length);

  if (cap.startsWith(CHK_PREFIX)) return parseChkBody(cap.slice(CHK_PREFIX.length));
  if (cap.startsWith(CHK_VERIFIER_PREFIX)) return parseChkVerifierBody(cap.slice(CHK_VERIFIER_PREFIX.length));
  if (cap.startsWith(LIT_PREFIX)) return parseLiteralBody(cap.slice(LIT_PREFIX.length));
  throw prefixError(cap);
}

export function parseChkReadCap(text: string): ChkReadCap {
  const cap = parseCap(text);
  if (cap.kind !== 'chk') {
    const got = cap.kind === 'lit' ? LIT_PREFIX : CHK_VERIFIER_PREFIX;
    throw new CapError('prefix', `expected a ${CHK_PREFIX} read cap, got a ${got} cap`);
  }
  return cap;
}
