// Local folder trees for the backup tests: one generated with every kind of entry a backup
// must keep, and a description of a tree (names, kinds, bytes' hash, mtimes) to compare two.
import { createHash, randomBytes } from 'node:crypto';
import { lstat, lutimes, mkdir, readFile, readdir, readlink, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** 2021-03-04T05:06:07.891Z: a time with a fraction of a second, in the past. */
export const OLD_TIME = 1614834367.891;

/**
 * Nested folders, Unicode names, empty folders, a symlink, a 0-byte file and a 20 MiB file,
 * each with its own mtime in the past. Returns the number of regular files.
 */
export async function generateTree(root: string, bigBytes = 20 * 1024 * 1024): Promise<number> {
  const files: Array<[string, Uint8Array]> = [
    ['top.txt', Buffer.from('top level\n')],
    ['zero.bin', new Uint8Array(0)],
    ['big.bin', randomBytes(bigBytes)],
    ['a/b/c/deep.txt', Buffer.from('deep inside\n'.repeat(10))],
    ['a/small.bin', randomBytes(3_000)],
    ['café/naïve – 日本語.txt', Buffer.from('unicode name\n')],
    ['café/emoji 🎉.bin', randomBytes(70_000)],
    ['café/de\u0301ja\u0300 NFD.txt', Buffer.from('a name in decomposed form\n')],
  ];
  for (const [path, bytes] of files) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), bytes);
  }
  await mkdir(join(root, 'empty'), { recursive: true });
  await mkdir(join(root, 'a', 'empty too'), { recursive: true });
  await symlink('a/b/c/deep.txt', join(root, 'link to deep'));
  let time = OLD_TIME;
  for (const path of files.map(([p]) => p)) await utimes(join(root, path), (time += 61.25), time);
  await lutimes(join(root, 'link to deep'), (time += 61.25), time);
  // folders last, deepest first: filling a folder changes its mtime
  for (const dir of ['a/b/c', 'a/b', 'a/empty too', 'a', 'café', 'empty']) await utimes(join(root, dir), (time += 61.25), time);
  return files.length;
}

export interface TreeEntry {
  readonly kind: 'file' | 'dir' | 'symlink';
  /** sha256 of a file's bytes, or a symlink's target */
  readonly content?: string;
  readonly mtimeMs: number;
}

/** Every entry below `root` (not the root itself), by relative path. */
export async function describeTree(root: string): Promise<Map<string, TreeEntry>> {
  const entries = new Map<string, TreeEntry>();
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const relative = prefix === '' ? name : `${prefix}/${name}`;
      const info = await lstat(path);
      if (info.isSymbolicLink()) entries.set(relative, { kind: 'symlink', content: await readlink(path), mtimeMs: info.mtimeMs });
      else if (info.isDirectory()) {
        await walk(path, relative);
        entries.set(relative, { kind: 'dir', mtimeMs: info.mtimeMs });
      } else entries.set(relative, { kind: 'file', content: createHash('sha256').update(await readFile(path)).digest('hex'), mtimeMs: info.mtimeMs });
    }
  }
  await walk(root, '');
  return entries;
}

/** What differs between two described trees ([] when they are the same; mtimes within 1 ms). */
export function treeDifferences(expected: Map<string, TreeEntry>, actual: Map<string, TreeEntry>): string[] {
  const differences: string[] = [];
  for (const [path, entry] of expected) {
    const other = actual.get(path);
    if (other === undefined) differences.push(`${path}: missing`);
    else if (other.kind !== entry.kind) differences.push(`${path}: a ${other.kind}, expected a ${entry.kind}`);
    else if (other.content !== entry.content) differences.push(`${path}: different contents`);
    else if (Math.abs(other.mtimeMs - entry.mtimeMs) >= 1) differences.push(`${path}: mtime ${other.mtimeMs}, expected ${entry.mtimeMs}`);
  }
  for (const path of actual.keys()) if (!expected.has(path)) differences.push(`${path}: not expected`);
  return differences;
}
