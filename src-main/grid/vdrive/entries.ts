import { formatCap, isWriteCap, parseAnyCap, readOnlyCapOf, type Cap } from '../../../src-shared/caps/index.js';
import { linkedMetadata, normalizeChildName, ChildNameError, type ChildMetadata, type DirectoryChild } from '../../core/dirnode/index.js';
import { DirectoryPathError } from './errors.js';

/** One entry of a directory listing. */
export interface DirectoryEntry {
  readonly name: string;
  /** the strongest cap the listing gives: the write cap where there is one, else the read-only cap */
  readonly cap: string;
  /** the child's read-only cap (an immutable child's only cap) */
  readonly readCap: string;
  /** the child's write cap: only in listings made with the directory's write cap */
  readonly writeCap?: string;
  readonly isDirectory: boolean;
  readonly metadata: ChildMetadata;
}

/** The metadata a caller may set on a link (link times are the system's). */
export type LinkMetadata = Omit<ChildMetadata, 'cairn'>;

export function entryOf(child: DirectoryChild): DirectoryEntry {
  const cap = child.rwUri ?? child.roUri;
  const entry = { name: child.name, cap, readCap: child.roUri, isDirectory: child.roUri.startsWith('URI:DIR2-'), metadata: child.metadata };
  return child.rwUri === undefined ? entry : { ...entry, writeCap: child.rwUri };
}

/** A child name as stored (NFC), or DirectoryPathError saying why it cannot be one. */
export function childName(name: string): string {
  if (name === '.' || name === '..') throw new DirectoryPathError(`a child cannot be named ${JSON.stringify(name)}`);
  try {
    return normalizeChildName(name);
  } catch (error) {
    if (error instanceof ChildNameError) throw new DirectoryPathError(error.message);
    throw error;
  }
}

/** Parses a cap given by a caller; a malformed one is a CapError that quotes no key. */
export function capOf(cap: string | Cap): Cap {
  return typeof cap === 'string' ? parseAnyCap(cap) : cap;
}

/** The entry that links `name` to `cap`: its read-only cap, and its write cap if it has one. */
export function childFor(name: string, cap: string | Cap, metadata: LinkMetadata, previous: DirectoryChild | undefined, now: number): DirectoryChild {
  const parsed = capOf(cap);
  const roUri = formatCap(readOnlyCapOf(parsed));
  const child = { name, roUri, metadata: linkedMetadata(metadata, previous?.metadata, now) };
  return isWriteCap(parsed) ? { ...child, rwUri: formatCap(parsed) } : child;
}
