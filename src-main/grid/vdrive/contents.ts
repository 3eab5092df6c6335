import type { DirectoryCap, MutableWriteCap } from '../../../src-shared/caps/index.js';
import { directoryAccessOf, packMutableDirectory, unpackDirectory, type DirectoryChild } from '../../core/dirnode/index.js';
import { concatBytes } from '../../core/bytes.js';
import { downloadImmutable } from '../downloader.js';
import { modifyMutable, retrieveMutable } from '../mutable/index.js';
import { ReadOnlyDirectoryError } from './errors.js';
import type { VdriveOptions } from './options.js';

/**
 * A directory's entries as its cap may see them: with a write cap each child's write cap
 * is opened; a read cap never opens one, so the result then holds no write cap.
 */
export async function readDirectoryChildren(dir: DirectoryCap, options: VdriveOptions): Promise<DirectoryChild[]> {
  if (dir.file.kind === 'ssk-ed25519-verifier' || dir.file.kind === 'chk-verifier') {
    throw new ReadOnlyDirectoryError('a directory verify cap can check the directory but not read it: give its read or write cap');
  }
  const access = directoryAccessOf(dir);
  return unpackDirectory(await directoryContents(dir, options), access);
}

async function directoryContents(dir: DirectoryCap, options: VdriveOptions): Promise<Uint8Array> {
  const { file } = dir;
  switch (file.kind) {
    case 'ssk-ed25519':
    case 'ssk-ed25519-ro':
      return (await retrieveMutable(file, options)).plaintext;
    case 'lit':
      return file.data;
    case 'chk': {
      const chunks: Uint8Array[] = [];
      for await (const chunk of downloadImmutable(file, options)) chunks.push(chunk);
      return concatBytes(chunks);
    }
    default:
      throw new ReadOnlyDirectoryError('a directory verify cap cannot read the directory');
  }
}

/** The directory's mutable write cap, or ReadOnlyDirectoryError saying why `what` cannot be done. */
export function writableFileOf(dir: DirectoryCap, what: string): MutableWriteCap {
  const file = dir.file;
  if (file.kind === 'ssk-ed25519') return file;
  const kind = file.kind === 'ssk-ed25519-ro' ? 'read-only' : file.kind === 'chk' || file.kind === 'lit' ? 'of an immutable directory' : 'a verify cap';
  throw new ReadOnlyDirectoryError(`cannot ${what}: this directory cap is ${kind}; changing a directory needs its write cap`);
}

/** What a change does to a directory's entries; return undefined to leave them as they are. */
export type DirectoryChange = (children: DirectoryChild[]) => DirectoryChild[] | undefined;

/**
 * Changes a mutable directory: reads the newest version, applies `change`, publishes, and
 * on a conflict starts again from the newest version (modifyMutable), so concurrent edits
 * keep each other's entries. `change` may run more than once. A cap that cannot write gets
 * ReadOnlyDirectoryError saying what it would have done.
 */
export async function changeDirectory(dir: DirectoryCap, what: string, change: DirectoryChange, options: VdriveOptions): Promise<void> {
  const file = writableFileOf(dir, what);
  const access = { kind: 'write' as const, writekey: file.writekey };
  await modifyMutable(
    file,
    (current) => {
      const next = change(unpackDirectory(current, access));
      return next === undefined ? undefined : packMutableDirectory(next, file.writekey);
    },
    options,
  );
}
