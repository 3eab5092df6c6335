// What crosses the desktop app's IPC: each request is `ipcRenderer.invoke("cairn:" + method, ...args)`
// and main runs `validateRequest(method, args)` before doing anything. The preload turns
// these into `CairnApi` (uploads send the dropped file's local path; progress comes back on
// UPLOAD_PROGRESS_CHANNEL, node events on EVENT_CHANNEL).
import { InputError } from './input-errors.js';
import type { CairnEvent } from './events.js';
import type { BackupJobInput, CreateGridRequest, JoinRequest, RestoreRequest, SettingsPatch, UploadProgress } from './view-types.js';
import {
  validateBackupJob,
  validateBoolean,
  validateCreateGridRequest,
  validateEntryName,
  validateEntryPath,
  validateJobId,
  validateJoinRequest,
  validateLocalPath,
  validateRestoreRequest,
  validateSettingsPatch,
  validateUploadId,
  validateVdrivePath,
} from './validators.js';
import { validateReadCap } from './share-link.js';

export const IPC_CHANNEL_PREFIX = 'cairn:';
/** main → renderer: a CairnEvent */
export const EVENT_CHANNEL = 'cairn:event';
/** main → renderer: an UploadProgressMessage */
export const UPLOAD_PROGRESS_CHANNEL = 'cairn:upload-progress';

export interface UploadProgressMessage {
  readonly uploadId: string;
  readonly progress: UploadProgress;
}

export type EventMessage = CairnEvent;

export interface UploadLocalFileRequest {
  readonly uploadId: string;
  readonly directoryPath: string;
  readonly name: string;
  /** the dropped file's path on this computer (the preload asks webUtils for it) */
  readonly localPath: string;
}

/** Each request's arguments, after validation. */
export interface IpcRequests {
  status: [];
  listDirectory: [path: string];
  makeDirectory: [path: string];
  rename: [path: string, newName: string];
  remove: [path: string];
  uploadLocalFile: [request: UploadLocalFileRequest];
  cancelUpload: [uploadId: string];
  /** shows a save dialog, then downloads the file at `path` to where the user chose */
  saveFile: [path: string];
  readOnlyCap: [path: string];
  shareLink: [path: string];
  openShared: [readCap: string, path: string];
  /** shows a save dialog, then downloads the file at `path` below `readCap` to where the user chose */
  saveSharedFile: [readCap: string, path: string, name: string];
  linkShared: [readCap: string, directoryPath: string, name: string];
  takeOpenLink: [];
  backupJobs: [];
  addBackupJob: [job: BackupJobInput];
  removeBackupJob: [jobId: string];
  runBackupJob: [jobId: string];
  setBackupsPaused: [paused: boolean];
  snapshots: [jobId: string];
  restore: [request: RestoreRequest];
  pickFolder: [];
  setup: [];
  createGrid: [request: CreateGridRequest];
  createInvite: [];
  joinGrid: [request: JoinRequest];
  settings: [];
  updateSettings: [patch: SettingsPatch];
  debugLog: [];
}

export type IpcMethod = keyof IpcRequests;

function uploadRequestOf(value: unknown): UploadLocalFileRequest {
  if (typeof value !== 'object' || value === null) throw new InputError('the upload request must be an object');
  const fields = value as Record<string, unknown>;
  return {
    uploadId: validateUploadId(fields.uploadId),
    directoryPath: validateVdrivePath(fields.directoryPath, 'the folder to upload into'),
    name: validateEntryName(fields.name, 'the file name'),
    localPath: validateLocalPath(fields.localPath, 'the file to upload'),
  };
}

type ArgumentValidators = { readonly [M in IpcMethod]: readonly ((value: unknown) => unknown)[] };

const VALIDATORS: ArgumentValidators = {
  status: [],
  listDirectory: [(v) => validateVdrivePath(v)],
  makeDirectory: [(v) => validateEntryPath(v)],
  rename: [(v) => validateEntryPath(v), (v) => validateEntryName(v, 'the new name')],
  remove: [(v) => validateEntryPath(v)],
  uploadLocalFile: [uploadRequestOf],
  cancelUpload: [validateUploadId],
  saveFile: [(v) => validateEntryPath(v)],
  readOnlyCap: [(v) => validateVdrivePath(v)],
  shareLink: [(v) => validateEntryPath(v)],
  openShared: [(v) => validateReadCap(v), (v) => validateVdrivePath(v, 'the path in the shared folder')],
  saveSharedFile: [(v) => validateReadCap(v), (v) => validateVdrivePath(v, 'the path in the shared folder'), (v) => validateEntryName(v, 'the file name')],
  linkShared: [(v) => validateReadCap(v), (v) => validateVdrivePath(v, 'the folder to save into'), (v) => validateEntryName(v, 'the name')],
  takeOpenLink: [],
  backupJobs: [],
  addBackupJob: [validateBackupJob],
  removeBackupJob: [validateJobId],
  runBackupJob: [validateJobId],
  setBackupsPaused: [(v) => validateBoolean(v, 'paused')],
  snapshots: [validateJobId],
  restore: [validateRestoreRequest],
  pickFolder: [],
  setup: [],
  createGrid: [validateCreateGridRequest],
  createInvite: [],
  joinGrid: [validateJoinRequest],
  settings: [],
  updateSettings: [validateSettingsPatch],
  debugLog: [],
};

export const IPC_METHODS = Object.keys(VALIDATORS) as IpcMethod[];

export function isIpcMethod(value: unknown): value is IpcMethod {
  return typeof value === 'string' && Object.hasOwn(VALIDATORS, value);
}

/** The request's arguments checked and typed; throws an InputError (one line) otherwise. */
export function validateRequest<M extends IpcMethod>(method: M, args: readonly unknown[]): IpcRequests[M];
export function validateRequest(method: string, args: readonly unknown[]): unknown[];
export function validateRequest(method: string, args: readonly unknown[]): unknown[] {
  if (!isIpcMethod(method)) throw new InputError(`no such request: ${JSON.stringify(method.slice(0, 40))}`);
  const validators = VALIDATORS[method];
  if (!Array.isArray(args) || args.length !== validators.length) throw new InputError(`${method} takes ${validators.length} argument(s), not ${Array.isArray(args) ? args.length : 'none'}`);
  return validators.map((validate, i) => validate(args[i]));
}
