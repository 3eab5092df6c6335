import type { Cap, DirectoryCap } from '../../../src-shared/caps/index.js';
import { equalBytes } from '../../core/bytes.js';
import { packMutableDirectory, type DirectoryChild } from '../../core/dirnode/index.js';
import { generateWriterKeys } from '../../core/mutable/index.js';
import { createMutable } from '../mutable/index.js';
import { changeDirectory, readDirectoryChildren, writableFileOf } from './contents.js';
import { childFor, childName, entryOf, type DirectoryEntry, type LinkMetadata } from './entries.js';
import { ChildExistsError, NoSuchChildError } from './errors.js';
import { nowOf, type VdriveOptions } from './options.js';

export interface LinkOptions {
  /** what the caller knows of the child: size, mtime, ctime, own keys */
  readonly metadata?: LinkMetadata;
  /** replace an entry of that name (default true, as Tahoe); false: ChildExistsError */
  readonly overwrite?: boolean;
}

/** A new, empty mutable directory; returns its write cap. */
export async function createDirectory(options: VdriveOptions): Promise<DirectoryCap> {
  const { cap } = await createMutable(new Uint8Array(0), options);
  return { kind: 'dir', file: cap };
}

/** A child to link when a directory is made (Tahoe's mkdir-with-children). */
export interface InitialChild {
  readonly name: string;
  readonly cap: string | Cap;
  readonly metadata?: LinkMetadata;
}

/**
 * A new mutable directory that already holds `children`, published once (not one publish
 * per child). Names must be distinct after normalisation.
 */
export async function createDirectoryWithChildren(children: readonly InitialChild[], options: VdriveOptions): Promise<DirectoryCap> {
  const keys = generateWriterKeys();
  const now = nowOf(options);
  const seen = new Set<string>();
  const entries = children.map((child) => {
    const name = childName(child.name);
    if (seen.has(name)) throw new ChildExistsError(`two children are named ${JSON.stringify(name)}`);
    seen.add(name);
    return childFor(name, child.cap, child.metadata ?? {}, undefined, now);
  });
  const { cap } = await createMutable(packMutableDirectory(entries, keys.writekey), { ...options, keys });
  return { kind: 'dir', file: cap };
}

/**
 * A directory's entries, sorted by name. With a write cap, children with write caps show
 * them; with a read cap (or an immutable directory) no entry holds any write cap.
 */
export async function listDirectory(dir: DirectoryCap, options: VdriveOptions): Promise<DirectoryEntry[]> {
  return (await readDirectoryChildren(dir, options)).map(entryOf);
}

function without(children: readonly DirectoryChild[], name: string): DirectoryChild[] {
  return children.filter((child) => child.name !== name);
}

function findChild(children: readonly DirectoryChild[], name: string, where: string): DirectoryChild {
  const child = children.find((c) => c.name === name);
  if (child === undefined) throw new NoSuchChildError(name, `no child named ${JSON.stringify(name)} in ${where}`);
  return child;
}

/** Links `name` to `cap` (a file or a directory) in a mutable directory. */
export async function linkChild(dir: DirectoryCap, name: string, cap: string | Cap, options: VdriveOptions & LinkOptions): Promise<void> {
  const stored = childName(name);
  const now = nowOf(options);
  await changeDirectory(
    dir,
    `link ${JSON.stringify(stored)}`,
    (children) => {
      const previous = children.find((c) => c.name === stored);
      if (previous !== undefined && options.overwrite === false) throw new ChildExistsError(`the directory already has a child named ${JSON.stringify(stored)}`);
      return [...without(children, stored), childFor(stored, cap, options.metadata ?? {}, previous, now)];
    },
    options,
  );
}

/** Removes `name` from a mutable directory (the child itself stays on the grid); returns the entry removed. */
export async function unlinkChild(dir: DirectoryCap, name: string, options: VdriveOptions): Promise<DirectoryEntry> {
  const stored = childName(name);
  let removed: DirectoryChild | undefined;
  await changeDirectory(
    dir,
    `unlink ${JSON.stringify(stored)}`,
    (children) => {
      removed = findChild(children, stored, 'the directory');
      return without(children, stored);
    },
    options,
  );
  return entryOf(removed!);
}

/** Renames a child within one mutable directory, in one publish. */
export async function renameChild(dir: DirectoryCap, from: string, to: string, options: VdriveOptions & Pick<LinkOptions, 'overwrite'>): Promise<void> {
  const [source, target] = [childName(from), childName(to)];
  writableFileOf(dir, `rename ${JSON.stringify(source)}`);
  if (source === target) {
    findChild(await readDirectoryChildren(dir, options), source, 'the directory');
    return;
  }
  const now = nowOf(options);
  await changeDirectory(
    dir,
    `rename ${JSON.stringify(source)}`,
    (children) => {
      const child = findChild(children, source, 'the directory');
      const previous = children.find((c) => c.name === target);
      if (previous !== undefined && options.overwrite === false) throw new ChildExistsError(`the directory already has a child named ${JSON.stringify(target)}`);
      const { cairn: _times, ...fields } = child.metadata;
      const moved = { ...child, name: target, metadata: { ...fields, cairn: { linkcrtime: now, linkmotime: now } } };
      return [...without(without(children, source), target), moved];
    },
    options,
  );
}

function sameDirectory(a: DirectoryCap, b: DirectoryCap): boolean {
  return 'fingerprint' in a.file && 'fingerprint' in b.file && equalBytes(a.file.fingerprint, b.file.fingerprint);
}

/**
 * Moves a child to another mutable directory (or renames it, when both are the same): it
 * is linked in the target first, then unlinked from the source, so a failure between the
 * two leaves it in both, never in neither.
 */
export async function moveChild(
  from: DirectoryCap,
  name: string,
  to: DirectoryCap,
  newName: string,
  options: VdriveOptions & Pick<LinkOptions, 'overwrite'>,
): Promise<void> {
  const [source, target] = [childName(name), childName(newName)];
  writableFileOf(from, `move ${JSON.stringify(source)} out of the source directory`);
  writableFileOf(to, `move ${JSON.stringify(source)} into the target directory`);
  if (sameDirectory(from, to)) return renameChild(from, source, target, options);
  const child = findChild(await readDirectoryChildren(from, options), source, 'the source directory');
  const { cairn: _times, ...metadata } = child.metadata;
  await linkChild(to, target, child.rwUri ?? child.roUri, { ...options, metadata });
  await unlinkChild(from, source, options);
}

/** Makes an empty mutable directory and links it as `name`; returns its write cap. */
export async function mkdirChild(dir: DirectoryCap, name: string, options: VdriveOptions): Promise<DirectoryCap> {
  const stored = childName(name);
  // Checked first so a read-only cap or an existing name wastes no new directory.
  writableFileOf(dir, `make directory ${JSON.stringify(stored)}`);
  if ((await readDirectoryChildren(dir, options)).some((c) => c.name === stored)) {
    throw new ChildExistsError(`the directory already has a child named ${JSON.stringify(stored)}`);
  }
  const child = await createDirectory(options);
  await linkChild(dir, stored, child, { ...options, overwrite: false });
  return child;
}
