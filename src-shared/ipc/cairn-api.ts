import type { CairnEventListener } from './events.js';
import type {
  BackupJobInput,
  BackupJobView,
  BackupJobsView,
  CreateGridRequest,
  DirectoryListing,
  InviteView,
  JoinRequest,
  RestoreRequest,
  SettingsPatch,
  SettingsView,
  SetupView,
  SharedEntryView,
  ShareLink,
  SnapshotView,
  StatusView,
  UploadFile,
  UploadHandle,
  UploadProgress,
} from './view-types.js';

/**
 * Everything the renderer may ask of the node. The desktop app implements it in its
 * preload over IPC (main validates every input with `validateRequest`); a browser
 * implements it over the node's HTTP API and its server-sent event stream.
 *
 * Vdrive paths are "/"-separated names below the grid's shared root (`cairn:`); "" is the
 * root. A failed call rejects with an Error whose message is one line for the user.
 */
export interface CairnApi {
  // Status
  status(): Promise<StatusView>;
  /** Calls `listener` with every event until the returned function is called. */
  onEvent(listener: CairnEventListener): () => void;

  // Files (the vdrive)
  listDirectory(path: string): Promise<DirectoryListing>;
  /** makes the directory `path` (its parent must exist) */
  makeDirectory(path: string): Promise<void>;
  /** renames the entry at `path` to `newName` in the same directory */
  rename(path: string, newName: string): Promise<void>;
  /** unlinks the entry at `path` (its data stays on the grid until leases expire) */
  remove(path: string): Promise<void>;
  /** uploads `file` to `directoryPath/file.name` (replacing an entry of that name) */
  upload(directoryPath: string, file: UploadFile, onProgress: (progress: UploadProgress) => void): UploadHandle;
  /** a same-origin URL (browser) or a save dialog (desktop) for the file at `path` */
  download(path: string): Promise<void>;
  /** the read-only cap of the entry at `path` */
  readOnlyCap(path: string): Promise<string>;
  shareLink(path: string): Promise<ShareLink>;

  // Opening what a friend shared (a read cap, from a share link; see share-link.ts)
  /** what `readCap` points at, or for a folder's cap the entry at `path` below it ("" itself) */
  openShared(readCap: string, path: string): Promise<SharedEntryView>;
  /** a download (browser) or a save dialog (desktop) of the file at `path` below `readCap`, as `name` */
  downloadShared(readCap: string, path: string, name: string): Promise<void>;
  /** links `readCap` into the vdrive as `directoryPath/name`; refused if that name exists */
  linkShared(readCap: string, directoryPath: string, name: string): Promise<void>;
  /** the `cairn:` link the desktop app was asked to open, once; undefined when none (always in a browser) */
  takeOpenLink(): Promise<string | undefined>;

  // Backups
  backupJobs(): Promise<BackupJobsView>;
  addBackupJob(job: BackupJobInput): Promise<BackupJobView>;
  removeBackupJob(jobId: string): Promise<void>;
  /** runs the job now; resolves when the run has ended */
  runBackupJob(jobId: string): Promise<void>;
  setBackupsPaused(paused: boolean): Promise<void>;
  /** the job's snapshots, newest first */
  snapshots(jobId: string): Promise<SnapshotView[]>;
  restore(request: RestoreRequest): Promise<void>;
  /** a native folder picker in the desktop app; undefined in a browser (type a path instead) */
  pickFolder(): Promise<string | undefined>;

  // First run and invites
  setup(): Promise<SetupView>;
  createGrid(request: CreateGridRequest): Promise<void>;
  createInvite(): Promise<InviteView>;
  joinGrid(request: JoinRequest): Promise<void>;

  // Settings
  settings(): Promise<SettingsView>;
  updateSettings(patch: SettingsPatch): Promise<SettingsView>;
  /** the node's recent log with secrets redacted, as text */
  debugLog(): Promise<string>;
}

/** Which shell the renderer runs in. */
export type ShellKind = 'desktop' | 'browser';
