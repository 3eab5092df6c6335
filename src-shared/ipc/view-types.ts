// What the renderer is shown: plain data, no caps unless asked for one (a cap is a secret).

export type OperationKind = 'upload' | 'download' | 'check' | 'directory' | 'mutable' | 'backup' | 'restore' | 'repair';
export type OperationState = 'running' | 'done' | 'failed';

/** A long-running operation of the node (the node's /status and event stream report them). */
export interface OperationView {
  readonly id: number;
  readonly kind: OperationKind;
  readonly state: OperationState;
  readonly bytesDone: number;
  /** undefined when unknown */
  readonly bytesTotal: number | undefined;
  /** Unix ms */
  readonly startedAt: number;
  readonly finishedAt?: number;
  /** why it failed, in one line */
  readonly error?: string;
}

/** One friend's storage server. */
export interface PeerView {
  readonly peerId: string;
  readonly nickname: string;
  readonly addresses: readonly string[];
  readonly connected: boolean;
  /** the last ping round trip, ms, while connected */
  readonly latencyMs: number | undefined;
  readonly freeSpace: number | undefined;
  /** Unix ms of the last sign of life */
  readonly lastSeen: number | undefined;
}

export interface EncodingView {
  /** K: shares needed to rebuild a file */
  readonly needed: number;
  /** servers an upload must spread over */
  readonly happy: number;
  /** N: shares made of each file */
  readonly total: number;
}

/** The node and the grid as the Status screen and the tray see them. */
export interface StatusView {
  /** undefined when the grid was made without a name */
  readonly gridName: string | undefined;
  readonly nickname: string;
  readonly peerId: string;
  readonly introducer: { readonly connected: boolean; readonly runsHere: boolean };
  readonly encoding: EncodingView;
  /** this node's own storage server; undefined when it donates none */
  readonly storage: { readonly shares: number; readonly bytesUsed: number; readonly donatedBytes: number | undefined } | undefined;
  readonly peers: readonly PeerView[];
  /** in progress, and the last few finished */
  readonly operations: readonly OperationView[];
}

export type EntryKind = 'file' | 'directory';

/** One name in a vdrive directory. */
export interface VdriveEntry {
  readonly name: string;
  /** "/"-separated names from the root of `cairn:` */
  readonly path: string;
  readonly kind: EntryKind;
  /** bytes, when known */
  readonly size: number | undefined;
  /** Unix ms the entry was linked or last changed, when known */
  readonly modifiedAt: number | undefined;
  /** false when only a read-only cap is held */
  readonly writable: boolean;
}

export interface DirectoryListing {
  /** "" is the root */
  readonly path: string;
  readonly writable: boolean;
  /** sorted: directories first, then by name */
  readonly entries: readonly VdriveEntry[];
}

/** A read-only link to give to a friend on the same grid. */
export interface ShareLink {
  readonly name: string;
  /** the read-only cap (URI:CHK:…, URI:DIR2-ED25519-RO:…) */
  readonly readCap: string;
  /** `cairn:open?…`: the read-only cap and name as one string */
  readonly link: string;
}

/**
 * What a shared read cap (or a path below a shared folder's cap) points at, as the opener
 * shows it. A folder's listing has paths below the shared folder, and nothing in it is writable.
 */
export type SharedEntryView =
  | { readonly kind: 'file'; /** bytes, when known (a mutable file's are not) */ readonly size: number | undefined }
  | { readonly kind: 'directory'; readonly listing: DirectoryListing };

/** An upload the renderer started (a dropped file). */
export type UploadState = 'queued' | 'sending' | 'storing' | 'done' | 'failed' | 'cancelled';

export interface UploadProgress {
  readonly state: UploadState;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly error?: string;
}

/** What an upload needs of the file: a DOM File satisfies it. */
export interface UploadFile {
  readonly name: string;
  readonly size: number;
  readonly lastModified: number;
}

export interface UploadHandle {
  readonly done: Promise<void>;
  cancel(): void;
}

// Backups (issue 5): the shapes the node's backup jobs, snapshots and restore use.

export interface RetentionPolicy {
  readonly last?: number;
  readonly hourly?: number;
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
}

/** Every so many seconds, or at local times of day ("HH:MM"): the node's job schedule. */
export type BackupSchedule = { readonly every: number } | { readonly at: readonly string[] };

/** A backup job as the node stores it (issue 5, docs/backup.md). */
export interface BackupJobInput {
  /** the job's name: 1-40 letters, digits, "-" or "_" */
  readonly id: string;
  /** the local folder, an absolute path */
  readonly source: string;
  /** where on the grid, "alias:path", e.g. "cairn:backups/laptop" */
  readonly target: string;
  readonly schedule: BackupSchedule;
  /** glob patterns left out of every run */
  readonly excludes: readonly string[];
  readonly retention: RetentionPolicy;
}

export interface BackupJobView extends BackupJobInput {
  /** "every 6 hours", "daily at 02:00" */
  readonly when: string;
  /** Unix ms */
  readonly lastRunAt: number | undefined;
  readonly lastResult: 'ok' | 'failed' | undefined;
  /** a one-line summary of the last run, or why it failed */
  readonly lastMessage: string | undefined;
  readonly lastSnapshot: string | undefined;
  /** Unix ms; in the past: due now */
  readonly nextRunAt: number | undefined;
  readonly running: boolean;
}

export interface BackupJobsView {
  /** scheduled runs are paused */
  readonly paused: boolean;
  readonly jobs: readonly BackupJobView[];
}

export interface SnapshotView {
  readonly jobId: string;
  /** the UTC timestamp name under Archives/ */
  readonly name: string;
  /** Unix ms */
  readonly takenAt: number;
}

export interface RestoreRequest {
  readonly jobId: string;
  /** a snapshot's name, or "Latest" */
  readonly snapshot: string;
  /** a file or folder inside the snapshot; "" restores all of it */
  readonly path: string;
  /** the local folder to restore into, an absolute path */
  readonly destination: string;
}

// First run and invites.

export interface InviteView {
  /** one short string that carries the introducer link, sealed with the passphrase */
  readonly code: string;
  /** shown separately from the code */
  readonly passphrase: string;
}

export interface JoinRequest {
  readonly code: string;
  readonly passphrase: string;
  readonly nickname: string;
}

export interface CreateGridRequest {
  readonly gridName: string;
  readonly nickname: string;
  /** K/happy/N for the new grid (default 3/5/10) */
  readonly encoding?: EncodingView;
}

export interface SetupView {
  /** true until this app has created or joined a grid */
  readonly needsSetup: boolean;
}

export interface SettingsView {
  readonly nickname: string;
  /** bytes kept free on this disk; undefined when storage is off */
  readonly reservedSpace: number | undefined;
  readonly encoding: EncodingView;
  /** undefined where the shell cannot set it (the browser) */
  readonly launchAtLogin: boolean | undefined;
}

export interface SettingsPatch {
  readonly nickname?: string;
  readonly reservedSpace?: number;
  readonly encoding?: EncodingView;
  readonly launchAtLogin?: boolean;
}
