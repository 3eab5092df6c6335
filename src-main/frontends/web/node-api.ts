import type { Cap, DirectoryCap, FileCap, MutableReadCap, MutableWriteCap } from '../../../src-shared/caps/index.js';
import type { DirectoryEntry, LinkMetadata, ResolvedPath } from '../../grid/vdrive/index.js';
import type { ManifestEntry } from '../../node/manifest.js';
import type { MutableFileVersion } from '../../node/mutable-files.js';
import type { HealthSummary } from '../../node/mutable-health.js';
import type { FileHealth } from '../../grid/file-health.js';
import type { ByteRange } from '../../core/immutable/decoder.js';
import type { InitialChild } from '../../grid/vdrive/index.js';
import type { OperationKind, OperationTotals, OperationView } from '../../node/operations.js';
import type { BackupJobs, BackupJobsStatus } from '../../node/backup-jobs.js';
import type { BackupDurability, BackupDurabilityStatus } from '../../node/backup-durability.js';
import type { BackupEventListener, BackupRequest, BackupSummary, RestoreRequest, RestoreSummary } from '../../backup/backup-request.js';
import type { NodeSettings } from '../../node/node-settings.js';

/** One storage server as status reports it. */
export interface PeerStatus {
  readonly peerId: string;
  readonly nickname: string;
  readonly addresses: readonly string[];
  readonly connected: boolean;
  /** Unix ms of the last sign of life: a ping answered, its connection opened or closed, an announcement */
  readonly lastSeen: number | undefined;
  /** the last libp2p ping round trip (whole ms), while connected; pings run at connect and every 30 s */
  readonly roundTripMs: number | undefined;
  /** Unix ms of that ping */
  readonly roundTripMeasuredAt: number | undefined;
  readonly freeSpace: number | undefined;
}

export interface NodeStatus {
  readonly nickname: string;
  readonly peerId: string;
  /** the name the grid was made with, if any */
  readonly gridName?: string | undefined;
  readonly introducer: { readonly connected: boolean; readonly runsHere: boolean };
  readonly encoding: { readonly needed: number; readonly happy: number; readonly total: number };
  readonly storage: { readonly enabled: boolean; readonly shares: number; readonly bytesUsed: number } | undefined;
  readonly peers: readonly PeerStatus[];
  /** uploads, downloads and checks in progress */
  readonly operations: readonly OperationView[];
  /** backup jobs, and how safe their kept snapshots are (docs/backup.md) */
  readonly backups?: BackupJobsStatus & { readonly durability: BackupDurabilityStatus };
}

/** What the node has done since it started (GET /statistics?t=json). */
export interface NodeStatistics {
  readonly uptimeSeconds: number;
  readonly operations: Readonly<Record<OperationKind, OperationTotals>>;
  readonly storage: { readonly shares: number; readonly bytesUsed: number; readonly promisedBytes: number } | undefined;
  readonly servers: { readonly known: number; readonly connected: number };
}

/** What the event stream sends: an operation's start, progress or end; or "status changed, fetch it again". */
export type NodeEvent = { readonly type: 'operation'; readonly operation: OperationView } | { readonly type: 'status' };

/** What `check` is asked to do beyond counting shares. */
export interface CheckRequest {
  /** download and hash-check every share */
  readonly verify: boolean;
  /** regenerate missing or corrupt shares when the file is not healthy */
  readonly repair: boolean;
  /** renew this node's lease on every good share (keeps the file from lease expiry) */
  readonly addLease: boolean;
}

/** A file's health, as `check` reports it. */
export type CheckResult = FileHealth;

/** An upload's bytes: a request body spooled to a file, or a small one held in memory. */
export type UploadBody = { readonly path: string; readonly size: number } | { readonly bytes: Uint8Array };

/** What the web API asks of the running node (NodeService implements it). */
export interface NodeApi {
  /** uploads a request body and returns its cap; `signal` cancels it (its partial shares are aborted) */
  uploadFile(body: UploadBody, signal?: AbortSignal): Promise<FileCap>;
  /** the file's bytes, or only [range.start, range.end) */
  download(cap: FileCap, range?: ByteRange): AsyncIterable<Uint8Array>;
  /** any file or directory: immutable (read or verify cap), mutable (repair needs the write cap), LIT */
  check(cap: Cap, options: CheckRequest): Promise<CheckResult>;
  status(): Promise<NodeStatus>;
  statistics(): Promise<NodeStatistics>;
  /** Calls `listener` with every event until the returned function is called. */
  subscribe(listener: (event: NodeEvent) => void): () => void;

  // Directories: a starting directory cap and a "/"-separated path of NFC names.
  /** what `path` names from `dir` ("" is `dir` itself) */
  resolvePath(dir: DirectoryCap, path: string): Promise<ResolvedPath>;
  /** a directory's entries, sorted by name; a read-only cap shows no write cap */
  listDirectory(dir: DirectoryCap): Promise<DirectoryEntry[]>;
  /** a new empty directory, linked nowhere */
  /** a new mutable directory, empty or holding `children` (published once) */
  createDirectory(children?: readonly InitialChild[]): Promise<DirectoryCap>;
  /** a new empty directory at `path` (its parent must exist) */
  makeDirectory(dir: DirectoryCap, path: string): Promise<DirectoryCap>;
  /** links `cap` at `path` (its parent must exist); `overwrite` false refuses an existing name */
  link(dir: DirectoryCap, path: string, cap: Cap, options: LinkRequest): Promise<void>;
  /** uploads a request body and links it at `path`; `signal` cancels it (nothing is linked) */
  uploadAndLink(dir: DirectoryCap, path: string, body: UploadBody, options: LinkRequest, signal?: AbortSignal): Promise<FileCap>;
  /** removes the link at `path` (the child stays on the grid) */
  unlink(dir: DirectoryCap, path: string): Promise<DirectoryEntry>;
  /** moves or renames the child at `fromPath` to `toPath` */
  move(from: DirectoryCap, fromPath: string, to: DirectoryCap, toPath: string, options: LinkRequest): Promise<void>;

  /** every file and directory under `dir` (itself first), as the walk reaches them */
  manifest(dir: DirectoryCap): AsyncIterable<ManifestEntry>;
  /** checks everything under `dir`: files, mutable files and directories (repair of mutable ones needs write caps) */
  deepCheck(dir: DirectoryCap, options: CheckRequest): AsyncIterable<DeepCheckEntry>;

  // Mutable files (at most 16 MiB).
  createMutableFile(contents: Uint8Array): Promise<MutableWriteCap>;
  readMutableFile(cap: MutableReadCap | MutableWriteCap): Promise<MutableFileVersion>;
  /** replaces the contents; with `ifVersion`, only if the file is still at that version; returns the new version */
  overwriteMutableFile(cap: MutableWriteCap, contents: Uint8Array, options: { ifVersion?: string }): Promise<string>;

  /** scheduled backups: the jobs in cairn.json, their runs and retention */
  readonly backupJobs: BackupJobs;
  /** lease renewal, health and repair of what the jobs' kept snapshots reference */
  readonly backupDurability: BackupDurability;
  // Backups (src-main/backup/).
  /** backs up a local folder as a new snapshot under the target's Archives/, and points Latest at it */
  backup(request: BackupRequest, onEvent: BackupEventListener): Promise<BackupSummary>;
  /** restores a snapshot, or a file or folder in one, to a local path */
  restore(request: RestoreRequest, onEvent: BackupEventListener): Promise<RestoreSummary>;

  /** a fresh invite code to this node's grid and, separately, its passphrase (src-main/node/node-invite.ts) */
  createInvite(): Promise<{ readonly code: string; readonly passphrase: string }>;

  /** nickname, reserved space and encoding (src-main/node/node-settings.ts) */
  readonly settings: NodeSettings;
  /** the end of the node's log with every secret redacted */
  debugLog(): Promise<string>;
}

/** One node's line of a deep-check. */
export interface DeepCheckEntry extends ManifestEntry {
  readonly results: HealthSummary;
}

export interface LinkRequest {
  /** replace an existing entry of that name (Tahoe's default) */
  readonly overwrite: boolean;
  /** what the caller knows of the child (size, mtime, ctime) */
  readonly metadata?: LinkMetadata;
}
