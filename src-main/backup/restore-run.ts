// Restoring a snapshot, or a file or folder in one: folders (empty ones too), files (each
// streamed to a temporary name, checked against its cap by the downloader, then renamed),
// symlinks, permission bits and mtimes. Folders are made first; then files and symlinks
// are restored PARALLEL_DOWNLOADS at a time, each file's mode and mtime set once its content
// is in place. Folder mtimes are set last, deepest first, since writing into a folder
// changes its mtime.
import { randomBytes } from 'node:crypto';
import { chmod, lstat, lutimes, mkdir, open, readdir, rename, rm, symlink, utimes } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { immutableFileSizeOf, parseAnyCap, type DirectoryCap, type FileCap } from '../../src-shared/caps/index.js';
import type { ChildMetadata } from '../core/dirnode/index.js';
import { BackupInputError, type BackupContext, type BackupEventListener, type RestoreRequest, type RestoreSummary } from './backup-request.js';
import type { BackupEntryMetadata } from './backup-run.js';
import { forEachInLanes } from './parallel-lanes.js';
import { ProgressMeter } from './progress-meter.js';

/** Files downloaded at once: small files are mostly round trips, so a few in flight go much faster. */
const PARALLEL_DOWNLOADS = 4;

/** Characters that would make a name a path ("\\" separates folders on Windows only). */
const UNSAFE_NAME = process.platform === 'win32' ? /[/\\\0]/ : /[/\0]/;

type PlanItem =
  | { readonly kind: 'dir'; readonly path: string; readonly metadata: ChildMetadata | undefined }
  | { readonly kind: 'file'; readonly path: string; readonly cap: FileCap; readonly size: number; readonly metadata: ChildMetadata | undefined }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string; readonly metadata: ChildMetadata | undefined };

function backupFields(metadata: ChildMetadata | undefined): Partial<BackupEntryMetadata> {
  const fields = metadata?.backup;
  return typeof fields === 'object' && fields !== null ? (fields as Partial<BackupEntryMetadata>) : {};
}

/** The name to restore an entry under: the local name it had (when not NFC), else its name; never one that leaves its folder. */
function localNameOf(name: string, metadata: ChildMetadata | undefined): string {
  const local = backupFields(metadata).localName;
  const chosen = typeof local === 'string' && local.normalize('NFC') === name ? local : name;
  // A directory written by another program could hold any name.
  if (chosen === '' || chosen === '.' || chosen === '..' || UNSAFE_NAME.test(chosen)) {
    throw new Error(`the snapshot holds an entry named ${JSON.stringify(chosen)}, which is not a safe file name: restore refused`);
  }
  return chosen;
}

function sizeOf(cap: FileCap): number {
  return immutableFileSizeOf(cap) ?? 0;
}

/** Everything to write, parents before children (names from the grid are single names: no "/" or ".."). */
async function planOf(context: BackupContext, cap: DirectoryCap, path: string, metadata: ChildMetadata | undefined, plan: PlanItem[]): Promise<void> {
  plan.push({ kind: 'dir', path, metadata });
  for (const entry of await context.list(cap)) {
    const childPath = join(path, localNameOf(entry.name, entry.metadata));
    const child = parseAnyCap(entry.readCap);
    const symlinkTarget = backupFields(entry.metadata).symlink;
    if (typeof symlinkTarget === 'string') plan.push({ kind: 'symlink', path: childPath, target: symlinkTarget, metadata: entry.metadata });
    else if (child.kind === 'dir') await planOf(context, child, childPath, entry.metadata, plan);
    else if (child.kind === 'chk' || child.kind === 'lit') plan.push({ kind: 'file', path: childPath, cap: child, size: sizeOf(child), metadata: entry.metadata });
    else throw new Error(`${childPath} is not an immutable file: only backup snapshots can be restored`);
  }
}

/** What is at `path` locally: 'dir' (with whether it is empty), 'other', or undefined. */
async function localKind(path: string): Promise<{ kind: 'dir'; empty: boolean } | { kind: 'other' } | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) return undefined;
  if (!info.isDirectory()) return { kind: 'other' };
  return { kind: 'dir', empty: (await readdir(path)).length === 0 };
}

/** Restores `request.source` to `request.destination`; `onEvent` gets progress. */
export async function runRestore(request: RestoreRequest, context: BackupContext, onEvent: BackupEventListener): Promise<RestoreSummary> {
  const started = Date.now();
  const resolved = await context.resolve(request.source.cap, request.source.path);
  let destination = resolve(request.destination);
  const existing = await localKind(destination);
  const plan: PlanItem[] = [];
  if (resolved.cap.kind === 'dir') {
    if (resolved.cap.file.kind !== 'chk' && resolved.cap.file.kind !== 'lit') {
      throw new BackupInputError('that folder is not in a backup snapshot (it can change): restore …/Latest, …/Archives/<time>, or a path inside one');
    }
    if (existing?.kind === 'other') throw new BackupInputError(`${destination} exists and is not a folder: cannot restore a folder onto it`);
    if (existing?.kind === 'dir' && !existing.empty && request.force !== true) {
      throw new BackupInputError(`${destination} is a folder that is not empty: restore into a new or empty folder, or pass --force to write into it`);
    }
    await planOf(context, resolved.cap, destination, resolved.metadata, plan);
  } else {
    const cap = resolved.cap;
    if (cap.kind !== 'chk' && cap.kind !== 'lit') throw new BackupInputError('only files and folders of a backup snapshot can be restored');
    if (existing?.kind === 'dir') {
      const name = resolved.names.at(-1);
      if (name === undefined) throw new BackupInputError(`${destination} is a folder: give the file's new path`);
      destination = join(destination, localNameOf(name, resolved.metadata));
    }
    const symlinkTarget = backupFields(resolved.metadata).symlink;
    if ((await localKind(destination)) !== undefined && request.force !== true) throw new BackupInputError(`${destination} already exists: pass --force to replace it`);
    await mkdir(dirname(destination), { recursive: true });
    plan.push(typeof symlinkTarget === 'string' ? { kind: 'symlink', path: destination, target: symlinkTarget, metadata: resolved.metadata } : { kind: 'file', path: destination, cap, size: sizeOf(cap), metadata: resolved.metadata });
  }
  const files = plan.filter((item) => item.kind === 'file');
  const meter = new ProgressMeter(files.length, files.reduce((sum, item) => sum + item.size, 0), onEvent);
  // progress names files as the snapshot does, not by their local path
  const top = resolved.cap.kind === 'dir' ? destination : join(destination, '..');
  const force = request.force === true;
  // Folders first, parents before children, so every file's folder exists when its lane takes it.
  for (const item of plan) if (item.kind === 'dir') await restoreItem(context, item, meter, force, relative(top, item.path), undefined);
  const leaves = plan.filter((item) => item.kind !== 'dir');
  await forEachInLanes(leaves, PARALLEL_DOWNLOADS, (item, signal) => restoreItem(context, item, meter, force, relative(top, item.path), signal));
  // Folder times last, deepest first: writing into a folder changes its mtime.
  for (const item of [...plan].reverse()) {
    if (item.kind !== 'dir') continue;
    const mode = backupFields(item.metadata).mode;
    if (typeof mode === 'number') await chmod(item.path, mode);
    await setTimes(item);
  }
  meter.finish();
  return {
    type: 'summary',
    files: files.length,
    directories: plan.filter((item) => item.kind === 'dir').length,
    symlinks: plan.filter((item) => item.kind === 'symlink').length,
    bytes: meter.bytesDone,
    seconds: (Date.now() - started) / 1000,
  };
}

/** `signal` aborts a file's download when another lane failed. */
async function restoreItem(context: BackupContext, item: PlanItem, meter: ProgressMeter, force: boolean, label: string, signal: AbortSignal | undefined): Promise<void> {
  const mode = backupFields(item.metadata).mode;
  switch (item.kind) {
    case 'dir':
      await mkdir(item.path, { recursive: true });
      if (typeof mode === 'number') await chmod(item.path, mode | 0o700); // the owner must be able to fill it
      return;
    case 'symlink':
      if (force) await rm(item.path, { force: true });
      await symlink(item.target, item.path);
      await setTimes(item);
      return;
    case 'file': {
      meter.startFile(label);
      if (force && (await localKind(item.path))?.kind === 'dir') throw new BackupInputError(`${item.path} is a folder: cannot restore a file onto it`);
      await writeAtomically(item.path, context.download(item.cap), (bytes) => meter.moved(bytes), signal);
      if (typeof mode === 'number') await chmod(item.path, mode);
      await setTimes(item);
      meter.endFile(label);
      return;
    }
  }
}

async function setTimes(item: PlanItem): Promise<void> {
  const mtime = item.metadata?.mtime;
  if (typeof mtime !== 'number') return;
  if (item.kind === 'symlink') await lutimes(item.path, mtime, mtime);
  else await utimes(item.path, mtime, mtime);
}

/** Writes a download under a temporary name and renames it when complete: a failed download leaves no partial file. */
async function writeAtomically(path: string, chunks: AsyncIterable<Uint8Array>, onChunk: (bytes: number) => void, signal: AbortSignal | undefined): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.partial`;
  const handle = await open(temporary, 'wx', 0o600);
  let renamed = false;
  try {
    for await (const chunk of chunks) {
      signal?.throwIfAborted();
      await handle.write(chunk);
      onChunk(chunk.length);
    }
    await handle.sync();
    await handle.close();
    await rename(temporary, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
    }
  }
}
