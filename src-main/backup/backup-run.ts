// One backup run: read the folder, upload what changed (the database says what did not),
// build the snapshot as immutable directories from the leaves up, and only then link it as
// Archives/<UTC time> and Latest. A run that stops part-way links nothing; the files it
// uploaded are in the database's journal, so the next run does not upload them again.
import { lstat, open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { formatCap, parseDirectoryCap, type DirectoryCap } from '../../src-shared/caps/index.js';
import type { ImmutableChild } from '../grid/vdrive/index.js';
import { BackupDatabase, databaseId, type FileRecord } from './backup-database.js';
import { BackupInputError, type BackupContext, type BackupEventListener, type BackupProblem, type BackupRequest, type BackupSummary } from './backup-request.js';
import { excludeRule, vcsRules, type ExcludeRule } from './exclude-rules.js';
import { readLocalTree, type LocalDirectory, type LocalFile, type LocalNode } from './local-tree.js';
import { ProgressMeter } from './progress-meter.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { linkSnapshot, targetDirectory, targetKey } from './snapshot-target.js';

/** Files uploaded at once: small files are mostly round trips, so a few in flight go much faster. */
const PARALLEL_UPLOADS = 4;

/** What an entry of a snapshot records beyond the cap (under the metadata key "backup"). */
export interface BackupEntryMetadata {
  /** permission bits */
  readonly mode: number;
  /** a symlink's target (the entry's cap holds the same text) */
  readonly symlink?: string;
  /** the local name as it was, when it is not in NFC (directory entries are stored NFC) */
  readonly localName?: string;
}

interface RunState {
  readonly context: BackupContext;
  readonly source: string;
  readonly database: BackupDatabase;
  readonly meter: ProgressMeter;
  readonly onEvent: BackupEventListener;
  readonly uploads: ConcurrencyLimit;
  uploaded: number;
  reused: number;
  bytesSent: number;
  bytesReused: number;
  directories: number;
  symlinks: number;
  readonly skipped: BackupProblem[];
  readonly failed: BackupProblem[];
}

function rulesOf(request: BackupRequest): ExcludeRule[] {
  const rules: ExcludeRule[] = [];
  for (const pattern of request.exclude ?? []) {
    try {
      rules.push(excludeRule(pattern));
    } catch (error) {
      throw new BackupInputError((error as Error).message);
    }
  }
  return request.excludeVcs === true ? [...rules, ...vcsRules()] : rules;
}

async function checkSource(source: string): Promise<void> {
  const info = await stat(source).catch((error: NodeJS.ErrnoException) => {
    throw new BackupInputError(error.code === 'ENOENT' ? `${source}: no such folder` : `${source}: ${error.message}`);
  });
  if (!info.isDirectory()) throw new BackupInputError(`${source} is not a folder: a backup copies a whole folder`);
}

/** Error codes of reading a local file (network codes such as ECONNRESET are the grid's). */
const LOCAL_FILE_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ELOOP', 'EIO', 'ENXIO', 'EBUSY', 'ETXTBSY']);

function reasonOf(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'it disappeared while the backup ran';
  return message.split('\n')[0] ?? String(error);
}

/**
 * Why an upload failed, when it is the local file's fault (it cannot be read, vanished or
 * changed while it was read); undefined when it is the grid's, which fails the whole run.
 */
async function localFailure(absolute: string, file: LocalFile, error: unknown): Promise<string | undefined> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && LOCAL_FILE_CODES.has(code)) return reasonOf(error);
  const now = await lstat(absolute).catch(() => undefined);
  if (now === undefined) return 'it disappeared while the backup ran';
  if (now.size !== file.size || now.mtimeMs !== file.mtimeMs) return 'it changed while it was read (the next backup will take it)';
  return undefined;
}

/** Backs up `request.source` to `request.target` and returns the summary; `onEvent` gets progress and problems. */
export async function runBackup(request: BackupRequest, context: BackupContext, onEvent: BackupEventListener): Promise<BackupSummary> {
  const started = Date.now();
  const source = resolve(request.source);
  await checkSource(source);
  const rules = rulesOf(request);
  const target = await targetDirectory(context, request.target.cap, request.target.path, 'the backup target');
  const id = databaseId(source, targetKey(request.target.cap, request.target.path));
  if (running.has(id)) throw new BackupInputError(`a backup of ${source} to this target is already running: wait for it to finish`);
  running.add(id);
  try {
    return await backUp(context, onEvent, { source, rules, target, id, started });
  } finally {
    running.delete(id);
  }
}

/** The runs in progress, by database id: two runs of one source and target would share a database. */
const running = new Set<string>();

interface RunSetup {
  readonly source: string;
  readonly rules: readonly ExcludeRule[];
  readonly target: DirectoryCap;
  readonly id: string;
  readonly started: number;
}

async function backUp(context: BackupContext, onEvent: BackupEventListener, { source, rules, target, id, started }: RunSetup): Promise<BackupSummary> {
  const database = await BackupDatabase.open(context.databaseDir, id);
  const tree = await readLocalTree(source, rules);
  for (const problem of tree.skipped) onEvent({ type: 'problem', kind: 'skipped', ...problem });
  const meter = new ProgressMeter(tree.files, tree.bytes, onEvent);
  const state: RunState = { context, source, database, meter, onEvent, uploads: new ConcurrencyLimit(PARALLEL_UPLOADS), uploaded: 0, reused: 0, bytesSent: 0, bytesReused: 0, directories: 0, symlinks: 0, skipped: [...tree.skipped], failed: [] };
  const snapshot = await backUpDirectory(state, tree.root);
  meter.finish();
  const name = await linkSnapshot(context, target, snapshot);
  await database.commit();
  return {
    type: 'summary',
    snapshot: name,
    snapshotCap: formatCap(snapshot),
    filesUploaded: state.uploaded,
    filesReused: state.reused,
    filesSkipped: state.skipped.length,
    filesFailed: state.failed.length,
    directories: state.directories,
    symlinks: state.symlinks,
    bytesSent: state.bytesSent,
    bytesReused: state.bytesReused,
    seconds: (Date.now() - started) / 1000,
    skipped: state.skipped,
    failed: state.failed,
  };
}

async function backUpDirectory(state: RunState, directory: LocalDirectory): Promise<DirectoryCap> {
  // Children go in parallel; the uploads themselves wait for a slot (state.uploads).
  const results = await Promise.allSettled(directory.children.map((child) => backUpNode(state, child)));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  const children = results.flatMap((result) => (result.status === 'fulfilled' && result.value !== undefined ? [result.value] : []));
  state.directories++;
  // Unchanged entries give the same folder: reuse its cap rather than upload it again.
  const entries = createHash('sha256').update(JSON.stringify(children)).digest('hex');
  const known = state.database.directory(directory.path, entries);
  if (known !== undefined) return parseDirectoryCap(known);
  const cap = await state.uploads.run(() => state.context.createImmutableDirectory(children));
  state.database.builtDirectory(directory.path, { entries, cap: formatCap(cap) });
  return cap;
}

function fieldsOf(node: LocalNode): BackupEntryMetadata {
  return node.name.normalize('NFC') === node.name ? { mode: node.mode } : { mode: node.mode, localName: node.name };
}

async function backUpNode(state: RunState, node: LocalNode): Promise<ImmutableChild | undefined> {
  const mtime = node.mtimeMs / 1000;
  switch (node.kind) {
    case 'dir': {
      const cap = await backUpDirectory(state, node);
      return { name: node.name, cap: formatCap(cap), metadata: { mtime, backup: fieldsOf(node) } };
    }
    case 'symlink': {
      const cap = await state.context.uploadBytes(new TextEncoder().encode(node.target));
      state.symlinks++;
      return { name: node.name, cap: formatCap(cap), metadata: { mtime, backup: { ...fieldsOf(node), symlink: node.target } } };
    }
    case 'file': {
      const cap = await backUpFile(state, node);
      return cap === undefined ? undefined : { name: node.name, cap, metadata: { size: node.size, mtime, backup: fieldsOf(node) } };
    }
  }
}

/** The file's cap: from the database when unchanged, else uploaded; undefined when it could not be read. */
async function backUpFile(state: RunState, file: LocalFile): Promise<string | undefined> {
  const { database, meter } = state;
  const record = { size: file.size, mtimeMs: file.mtimeMs, ino: file.ino };
  const known = database.unchanged(file.path, record);
  if (known !== undefined) {
    state.reused++;
    state.bytesReused += file.size;
    meter.skipOver(file.size);
    return known;
  }
  // Opening counts against the limit too: thousands of files in one folder must not open at once.
  return state.uploads.run(() => uploadFile(state, file, record));
}

async function uploadFile(state: RunState, file: LocalFile, record: Omit<FileRecord, 'cap'>): Promise<string | undefined> {
  const { database, meter, context } = state;
  const absolute = join(state.source, ...file.path.split('/'));
  try {
    // Opened first: a file that cannot be read is skipped, not failed.
    await (await open(absolute, 'r')).close();
  } catch (error) {
    return problem(state, 'skipped', file, reasonOf(error));
  }
  meter.startFile(file.path);
  let sent = 0;
  try {
    const cap = formatCap(
      await context.uploadFile(absolute, file.size, (done) => {
        meter.moved(done - sent);
        sent = done;
      }),
    );
    meter.moved(file.size - sent);
    meter.endFile(file.path);
    state.uploaded++;
    state.bytesSent += file.size;
    await database.uploaded(file.path, { ...record, cap });
    return cap;
  } catch (error) {
    const reason = await localFailure(absolute, file, error);
    if (reason === undefined) throw error;
    meter.moved(file.size - sent);
    meter.endFile(file.path);
    return problem(state, 'failed', file, reason);
  }
}

function problem(state: RunState, kind: 'skipped' | 'failed', file: LocalFile, reason: string): undefined {
  const entry = { path: file.path, reason };
  (kind === 'skipped' ? state.skipped : state.failed).push(entry);
  state.onEvent({ type: 'problem', kind, ...entry });
  if (kind === 'skipped') state.meter.skipOver(file.size);
  return undefined;
}
