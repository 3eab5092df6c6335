// URI:DIR2-…: directory caps (mutable-and-dirnodes.md §7). A directory cap is the cap of
// the file holding the directory's entries, with a directory prefix in place of the file's.

import { CapError } from './errors.js';
import { formatChk, formatChkVerifier, parseChkBody, parseChkVerifierBody } from './chk.js';
import { formatLiteral, parseLiteralBody } from './literal.js';
import {
  MUTABLE_READ_PREFIX,
  MUTABLE_VERIFIER_PREFIX,
  MUTABLE_WRITE_PREFIX,
  formatMutableBody,
  parseMutableBody,
} from './mutable.js';
import type { DirectoryCap, DirectoryFileCap } from './types.js';

export const DIR_MUTABLE_WRITE_PREFIX = 'URI:DIR2-ED25519:';
export const DIR_MUTABLE_READ_PREFIX = 'URI:DIR2-ED25519-RO:';
export const DIR_MUTABLE_VERIFIER_PREFIX = 'URI:DIR2-ED25519-Verifier:';
export const DIR_CHK_PREFIX = 'URI:DIR2-CHK:';
export const DIR_CHK_VERIFIER_PREFIX = 'URI:DIR2-CHK-Verifier:';
export const DIR_LIT_PREFIX = 'URI:DIR2-LIT:';

export const DIRECTORY_PREFIXES = [
  DIR_MUTABLE_WRITE_PREFIX,
  DIR_MUTABLE_READ_PREFIX,
  DIR_MUTABLE_VERIFIER_PREFIX,
  DIR_CHK_PREFIX,
  DIR_CHK_VERIFIER_PREFIX,
  DIR_LIT_PREFIX,
] as const;

const MUTABLE_PREFIX_OF_DIR: Record<string, string> = {
  [DIR_MUTABLE_WRITE_PREFIX]: MUTABLE_WRITE_PREFIX,
  [DIR_MUTABLE_READ_PREFIX]: MUTABLE_READ_PREFIX,
  [DIR_MUTABLE_VERIFIER_PREFIX]: MUTABLE_VERIFIER_PREFIX,
};

/** Parses the text after one of DIRECTORY_PREFIXES. */
export function parseDirectoryBody(prefix: string, body: string): DirectoryCap {
  const file = ((): DirectoryFileCap => {
    switch (prefix) {
      case DIR_CHK_PREFIX:
        return parseChkBody(body, prefix);
      case DIR_CHK_VERIFIER_PREFIX:
        return parseChkVerifierBody(body, prefix);
      case DIR_LIT_PREFIX:
        return parseLiteralBody(body, prefix);
    }
    const mutablePrefix = MUTABLE_PREFIX_OF_DIR[prefix];
    if (mutablePrefix === undefined) throw new CapError('prefix', 'not a directory cap prefix');
    return parseMutableBody(mutablePrefix, body);
  })();
  return { kind: 'dir', file };
}

export function directoryPrefixOf(file: DirectoryFileCap): string {
  switch (file.kind) {
    case 'ssk-ed25519':
      return DIR_MUTABLE_WRITE_PREFIX;
    case 'ssk-ed25519-ro':
      return DIR_MUTABLE_READ_PREFIX;
    case 'ssk-ed25519-verifier':
      return DIR_MUTABLE_VERIFIER_PREFIX;
    case 'chk':
      return DIR_CHK_PREFIX;
    case 'chk-verifier':
      return DIR_CHK_VERIFIER_PREFIX;
    case 'lit':
      return DIR_LIT_PREFIX;
    default:
      throw new CapError('prefix', `a directory cannot be stored in a file of kind ${JSON.stringify((file as { kind: unknown }).kind)}`);
  }
}

export function formatDirectory(cap: DirectoryCap): string {
  const { file } = cap;
  const prefix = directoryPrefixOf(file);
  switch (file.kind) {
    case 'chk':
      return formatChk(file, prefix);
    case 'chk-verifier':
      return formatChkVerifier(file, prefix);
    case 'lit':
      return formatLiteral(file, prefix);
    default:
      return prefix + formatMutableBody(file);
  }
}
