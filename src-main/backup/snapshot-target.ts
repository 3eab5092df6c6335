// The grid side of a backup target: the directory named by the request (made if missing),
// its `Archives/` folder, and linking a finished snapshot as `Archives/<UTC time>` and
// `Latest`.
import { formatCap, isWriteCap, type DirectoryCap } from '../../src-shared/caps/index.js';
import { ChildExistsError, NoSuchChildError, splitPath } from '../grid/vdrive/index.js';
import { BackupInputError, type BackupContext } from './backup-request.js';

export const ARCHIVES = 'Archives';
export const LATEST = 'Latest';

/** "2024-05-01T12:00:00Z": a snapshot's name, to the second. */
export function snapshotName(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** The target directory (made, with any missing parents, if it does not exist); it must be writable. */
export async function targetDirectory(context: BackupContext, start: DirectoryCap, path: string, label: string): Promise<DirectoryCap> {
  const names = splitPath(path);
  let dir = start;
  for (const [i, name] of names.entries()) {
    const walked = names.slice(0, i + 1).join('/');
    let resolved;
    try {
      resolved = (await context.resolve(dir, name)).cap;
    } catch (error) {
      if (!(error instanceof NoSuchChildError)) throw error;
      if (!isWriteCap(dir)) throw new BackupInputError(`${label}: cannot make ${JSON.stringify(walked)}: the directory holding it is read-only`);
      resolved = await context.mkdir(dir, name);
    }
    if (resolved.kind !== 'dir') throw new BackupInputError(`${label}: ${JSON.stringify(walked)} is a file, not a directory: a backup needs a directory to hold its snapshots`);
    dir = resolved;
  }
  if (!isWriteCap(dir)) throw new BackupInputError(`${label} is a read-only directory: a backup needs its write cap`);
  return dir;
}

/** Links a finished snapshot as Archives/<name> (a name not yet taken, waiting for the next second if need be) and Latest. */
export async function linkSnapshot(context: BackupContext, target: DirectoryCap, snapshot: DirectoryCap): Promise<string> {
  const archives = await targetDirectory(context, target, ARCHIVES, ARCHIVES);
  for (;;) {
    const name = snapshotName(new Date());
    try {
      await context.link(archives, name, snapshot, { overwrite: false });
      await context.link(target, LATEST, snapshot, { overwrite: true });
      return name;
    } catch (error) {
      if (!(error instanceof ChildExistsError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
    }
  }
}

/** What identifies a target for the backup database: the directory's cap and the path (hashed before use). */
export function targetKey(cap: DirectoryCap, path: string): string {
  return `${formatCap(cap)}/${splitPath(path).join('/')}`;
}
