// What a backup or a restore is asked to do, what it reports while it runs, and what it
// needs from the node (BackupContext). The CLI, the web API and the job scheduler all go
// through the same engine (backup-run.ts, restore-run.ts).
import type { Cap, DirectoryCap, FileCap } from '../../src-shared/caps/index.js';
import type { DirectoryEntry, ImmutableChild, ResolvedPath } from '../grid/vdrive/index.js';

/** Bad input to a backup or restore (a missing folder, a target that is a file): one clear line, nothing changed. */
export class BackupInputError extends Error {
  override readonly name = 'BackupInputError';
}

export interface BackupRequest {
  /** the local folder to back up: an absolute path on the node's computer */
  readonly source: string;
  /** the grid directory that holds `Archives/` and `Latest` (a write cap) */
  readonly target: { readonly cap: DirectoryCap; readonly path: string };
  /** glob patterns of names or relative paths to leave out (see exclude-rules.ts) */
  readonly exclude?: readonly string[];
  /** leave out version-control folders (.git, .hg, .svn, …) */
  readonly excludeVcs?: boolean;
}

export interface RestoreRequest {
  /** a snapshot, or a file or folder in one: `Archives/<ts>/…` or `Latest/…` below `source.cap` */
  readonly source: { readonly cap: DirectoryCap; readonly path: string };
  /** the local path to rebuild it at (absolute) */
  readonly destination: string;
  /** write into an existing non-empty folder (or over an existing file) */
  readonly force?: boolean;
}

/** A file left out of a run, and why (it is listed in the summary). */
export interface BackupProblem {
  readonly path: string;
  readonly reason: string;
}

export interface BackupProgress {
  readonly type: 'progress';
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** the relative path being worked on, if any */
  readonly currentFile?: string;
  /** seconds left at the current rate, once it can be estimated */
  readonly etaSeconds?: number;
}

export type BackupEvent =
  | BackupProgress
  /** a file skipped (unreadable, not a regular file) or failed (changed or vanished while read) */
  | { readonly type: 'problem'; readonly kind: 'skipped' | 'failed'; readonly path: string; readonly reason: string };

export interface BackupSummary {
  readonly type: 'summary';
  /** the snapshot's name under Archives/ (a UTC timestamp) */
  readonly snapshot: string;
  /** the snapshot directory's read cap */
  readonly snapshotCap: string;
  readonly filesUploaded: number;
  readonly filesReused: number;
  readonly filesSkipped: number;
  readonly filesFailed: number;
  readonly directories: number;
  readonly symlinks: number;
  readonly bytesSent: number;
  readonly bytesReused: number;
  readonly seconds: number;
  readonly skipped: readonly BackupProblem[];
  readonly failed: readonly BackupProblem[];
}

export interface RestoreSummary {
  readonly type: 'summary';
  readonly files: number;
  readonly directories: number;
  readonly symlinks: number;
  readonly bytes: number;
  readonly seconds: number;
}

/** What the engine needs of the node. NodeService builds one (src-main/node/backup-context.ts). */
export interface BackupContext {
  /** where the backup databases live (NODEDIR/private/backups) */
  readonly databaseDir: string;
  /** uploads a local file (convergent encryption); `onProgress` gets its bytes done */
  uploadFile(path: string, size: number, onProgress: (bytesDone: number) => void): Promise<FileCap>;
  /** uploads a few bytes held in memory */
  uploadBytes(bytes: Uint8Array): Promise<FileCap>;
  createImmutableDirectory(children: readonly ImmutableChild[]): Promise<DirectoryCap>;
  resolve(dir: DirectoryCap, path: string): Promise<ResolvedPath>;
  list(dir: DirectoryCap): Promise<DirectoryEntry[]>;
  /** makes an empty mutable directory at `path` (its parent must exist) */
  mkdir(dir: DirectoryCap, path: string): Promise<DirectoryCap>;
  link(dir: DirectoryCap, path: string, cap: Cap, options: { overwrite: boolean }): Promise<void>;
  /** a file's bytes, each checked against its cap */
  download(cap: FileCap): AsyncIterable<Uint8Array>;
}

export type BackupEventListener = (event: BackupEvent) => void;
