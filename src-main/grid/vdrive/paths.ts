import { parseAnyCap, type Cap, type DirectoryCap } from '../../../src-shared/caps/index.js';
import type { ChildMetadata } from '../../core/dirnode/index.js';
import { readDirectoryChildren } from './contents.js';
import { childName } from './entries.js';
import { DirectoryPathError, NoSuchChildError, NotADirectoryError } from './errors.js';
import type { VdriveOptions } from './options.js';

export interface ResolvedPath {
  /** what the path names: the strongest cap the walk gave (a write cap only if every directory on the way gave one) */
  readonly cap: Cap;
  /** the entry's metadata in its directory (none for the starting directory itself) */
  readonly metadata?: ChildMetadata;
  /** the path's names, NFC-normalised */
  readonly names: readonly string[];
}

/**
 * The names of a path `a/b/c`. A leading or trailing "/" is ignored and "" is the starting
 * directory; empty names ("a//b"), "." and ".." are refused with DirectoryPathError.
 */
export function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\//, '').replace(/\/$/, '');
  if (trimmed === '') return [];
  return trimmed.split('/').map((name) => {
    if (name === '') throw new DirectoryPathError(`path ${JSON.stringify(path)} has an empty name (two "/" in a row)`);
    return childName(name);
  });
}

/**
 * Walks `path` from a directory cap. Throws NoSuchChildError (with the part of the path
 * that exists), NotADirectoryError when the path goes through a file, DirectoryPathError
 * for a bad name.
 */
export async function resolvePath(start: DirectoryCap, path: string, options: VdriveOptions): Promise<ResolvedPath> {
  const names = splitPath(path);
  let cap: Cap = start;
  let metadata: ChildMetadata | undefined;
  for (const [i, name] of names.entries()) {
    const walked = names.slice(0, i).join('/');
    if (cap.kind !== 'dir') throw new NotADirectoryError(`${JSON.stringify(walked)} is a file, not a directory: it has no child ${JSON.stringify(name)}`);
    const child = (await readDirectoryChildren(cap, options)).find((c) => c.name === name);
    if (child === undefined) {
      throw new NoSuchChildError(name, `no child named ${JSON.stringify(name)} in ${walked === '' ? 'the starting directory' : JSON.stringify(walked)}`);
    }
    cap = parseAnyCap(child.rwUri ?? child.roUri);
    metadata = child.metadata;
  }
  return metadata === undefined ? { cap, names } : { cap, metadata, names };
}
