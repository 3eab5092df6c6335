// Reading the folder to back up: every file, folder and symlink below the root, with what
// the backup records of each, minus what the exclude rules leave out. Symlinks are recorded,
// never followed; anything else that is not a regular file (a FIFO, a socket, a device) and
// any folder that cannot be listed is reported and skipped.
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import type { BackupProblem } from './backup-request.js';
import { IGNORE_FILE, ignoreFileRules, isExcluded, type ExcludeRule } from './exclude-rules.js';

interface NodeBase {
  readonly name: string;
  /** relative to the root, "/"-separated ("" for the root itself) */
  readonly path: string;
  readonly mtimeMs: number;
  readonly mode: number;
}

export interface LocalFile extends NodeBase {
  readonly kind: 'file';
  readonly size: number;
  readonly ino: number;
}

export interface LocalSymlink extends NodeBase {
  readonly kind: 'symlink';
  readonly target: string;
}

export interface LocalDirectory extends NodeBase {
  readonly kind: 'dir';
  readonly children: LocalNode[];
}

export type LocalNode = LocalFile | LocalSymlink | LocalDirectory;

export interface LocalTree {
  readonly root: LocalDirectory;
  readonly files: number;
  readonly bytes: number;
  readonly skipped: BackupProblem[];
}

function reasonOf(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'it disappeared while the backup ran';
  return message.split('\n')[0] ?? String(error);
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** Reads the tree at `rootDir`; `rules` are the --exclude and --exclude-vcs rules. */
export async function readLocalTree(rootDir: string, rules: readonly ExcludeRule[]): Promise<LocalTree> {
  const skipped: BackupProblem[] = [];
  let files = 0;
  let bytes = 0;

  async function readDirectory(absolute: string, path: string, name: string, stats: Stats, inherited: readonly ExcludeRule[]): Promise<LocalDirectory> {
    const directory: LocalDirectory = { kind: 'dir', name, path, mtimeMs: stats.mtimeMs, mode: stats.mode & 0o7777, children: [] };
    let names: string[];
    try {
      names = (await readdir(absolute)).sort();
    } catch (error) {
      skipped.push({ path: path === '' ? '.' : path, reason: `cannot list the folder: ${reasonOf(error)}` });
      return directory;
    }
    let rules = inherited;
    if (names.includes(IGNORE_FILE)) {
      const text = await readFile(join(absolute, IGNORE_FILE), 'utf8').catch(() => '');
      rules = [...inherited, ...ignoreFileRules(text, path)];
    }
    for (const child of names) {
      const childPath = path === '' ? child : `${path}/${child}`;
      const childAbsolute = join(absolute, child);
      let info: Stats;
      try {
        info = await lstat(childAbsolute);
      } catch (error) {
        skipped.push({ path: childPath, reason: reasonOf(error) });
        continue;
      }
      if (isExcluded(rules, childPath, info.isDirectory())) continue;
      const base = { name: child, path: childPath, mtimeMs: info.mtimeMs, mode: info.mode & 0o7777 };
      if (info.isDirectory()) {
        directory.children.push(await readDirectory(childAbsolute, childPath, child, info, rules));
      } else if (info.isSymbolicLink()) {
        try {
          directory.children.push({ ...base, kind: 'symlink', target: await readlink(childAbsolute) });
        } catch (error) {
          skipped.push({ path: childPath, reason: reasonOf(error) });
        }
      } else if (info.isFile()) {
        directory.children.push({ ...base, kind: 'file', size: info.size, ino: info.ino });
        files++;
        bytes += info.size;
      } else {
        skipped.push({ path: childPath, reason: `${kindOf(info)}: only regular files, folders and symlinks are backed up` });
      }
    }
    return directory;
  }

  const rootStats = await lstat(rootDir);
  const root = await readDirectory(rootDir, '', '', rootStats, rules);
  return { root, files, bytes, skipped };
}
