// Cap string -> cap object, dispatching on the prefix.

import { CHK_PREFIX, CHK_VERIFIER_PREFIX, parseChkBody, parseChkVerifierBody } from './chk.js';
import { DIRECTORY_PREFIXES, parseDirectoryBody } from './directory.js';
import { CapError } from './errors.js';
import { LIT_PREFIX, parseLiteralBody } from './literal.js';
import { MUTABLE_READ_PREFIX, MUTABLE_VERIFIER_PREFIX, MUTABLE_WRITE_PREFIX, parseMutableBody } from './mutable.js';
import type { Cap, ChkReadCap, DirectoryCap, FileCap, MutableFileCap } from './types.js';

const FILE_PREFIXES = [CHK_PREFIX, CHK_VERIFIER_PREFIX, LIT_PREFIX] as const;
const MUTABLE_PREFIXES = [MUTABLE_WRITE_PREFIX, MUTABLE_READ_PREFIX, MUTABLE_VERIFIER_PREFIX] as const;

const EXPECTED_FILE = `expected ${CHK_PREFIX}, ${CHK_VERIFIER_PREFIX} or ${LIT_PREFIX}`;
const EXPECTED_ANY = 'expected a URI:CHK:, URI:LIT:, URI:SSK-ED25519: or URI:DIR2-… cap';

/** Prefixes Tahoe puts on caps inside directory entries. */
const DIR_ENTRY_PREFIXES = ['ro.', 'imm.'];

/** Cap types are short and start upper-case, so echoing one never echoes a base32 key. */
const CAP_TYPE = /^URI:[A-Z][A-Za-z0-9-]{0,20}:/;

function prefixError(text: string, expected: string): CapError {
  if (text === '') return new CapError('prefix', `empty cap string (${expected})`);
  const type = CAP_TYPE.exec(text);
  if (type) return new CapError('prefix', `unknown cap prefix "${type[0]}" (${expected})`);
  if (text.startsWith('URI:')) return new CapError('prefix', `unknown cap type after "URI:" (${expected})`);
  return new CapError('prefix', `cap must start with "URI:" (${expected})`);
}

function withoutEntryPrefix(text: string): string {
  const cap = text.trim();
  const dirPrefix = DIR_ENTRY_PREFIXES.find((p) => cap.startsWith(p));
  return dirPrefix === undefined ? cap : cap.slice(dirPrefix.length);
}

function knownPrefixOf(cap: string): string | undefined {
  return [...FILE_PREFIXES, ...MUTABLE_PREFIXES, ...DIRECTORY_PREFIXES].find((p) => cap.startsWith(p));
}

function parseKnown(prefix: string, body: string): Cap {
  switch (prefix) {
    case CHK_PREFIX:
      return parseChkBody(body);
    case CHK_VERIFIER_PREFIX:
      return parseChkVerifierBody(body);
    case LIT_PREFIX:
      return parseLiteralBody(body);
  }
  if ((MUTABLE_PREFIXES as readonly string[]).includes(prefix)) return parseMutableBody(prefix, body);
  return parseDirectoryBody(prefix, body);
}

/** Any cap Cairn knows: immutable and mutable files, and directories. */
export function parseAnyCap(text: string): Cap {
  const cap = withoutEntryPrefix(text);
  const prefix = knownPrefixOf(cap);
  if (prefix === undefined) throw prefixError(cap, EXPECTED_ANY);
  return parseKnown(prefix, cap.slice(prefix.length));
}

function describeKind(prefix: string): string {
  if ((MUTABLE_PREFIXES as readonly string[]).includes(prefix)) return 'a mutable file cap';
  if ((DIRECTORY_PREFIXES as readonly string[]).includes(prefix)) return 'a directory cap';
  return 'an immutable file cap';
}

function parseOnly(text: string, allowed: readonly string[], expected: string): Cap {
  const cap = withoutEntryPrefix(text);
  const prefix = knownPrefixOf(cap);
  if (prefix === undefined) throw prefixError(cap, expected);
  if (!allowed.includes(prefix)) throw new CapError('prefix', `"${prefix}" is ${describeKind(prefix)} (${expected})`);
  return parseKnown(prefix, cap.slice(prefix.length));
}

/** An immutable file's cap (URI:CHK:, URI:CHK-Verifier:, URI:LIT:). */
export function parseCap(text: string): FileCap {
  return parseOnly(text, FILE_PREFIXES, EXPECTED_FILE) as FileCap;
}

/** A mutable file's cap (URI:SSK-ED25519:, -RO:, -Verifier:). */
export function parseMutableCap(text: string): MutableFileCap {
  return parseOnly(text, MUTABLE_PREFIXES, `expected ${MUTABLE_PREFIXES.join(', ')}`) as MutableFileCap;
}

/** A directory cap (URI:DIR2-ED25519:, URI:DIR2-CHK:, URI:DIR2-LIT:…). */
export function parseDirectoryCap(text: string): DirectoryCap {
  return parseOnly(text, DIRECTORY_PREFIXES, 'expected a URI:DIR2-… directory cap') as DirectoryCap;
}

export function parseChkReadCap(text: string): ChkReadCap {
  const cap = parseCap(text);
  if (cap.kind !== 'chk') {
    const got = cap.kind === 'lit' ? LIT_PREFIX : CHK_VERIFIER_PREFIX;
    throw new CapError('prefix', `expected a ${CHK_PREFIX} read cap, got a ${got} cap`);
  }
  return cap;
}
