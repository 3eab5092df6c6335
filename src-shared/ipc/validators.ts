// Runtime checks of every input that crosses from the renderer to the node. Electron's main
// process runs them on each IPC call (the renderer is untrusted); the web shell uses the
// same checks. Each returns the value typed, or throws an InputError with one line.
import { InputError } from './input-errors.js';
import type { BackupJobInput, BackupSchedule, CreateGridRequest, EncodingView, JoinRequest, RestoreRequest, RetentionPolicy, SettingsPatch } from './view-types.js';

const MAX_NAME_LENGTH = 255;
const MAX_PATH_LENGTH = 4096;
const MAX_NICKNAME_LENGTH = 64;
const MAX_CODE_LENGTH = 4096;
const MAX_PASSPHRASE_LENGTH = 1024;
const MAX_EXCLUDES = 1000;
const MAX_RETENTION_COUNT = 100_000;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : `a ${typeof value}`;
}

function text(value: unknown, what: string, maxLength: number): string {
  if (typeof value !== 'string') throw new InputError(`${what} must be text, not ${describe(value)}`);
  if (value.length > maxLength) throw new InputError(`${what} is too long (at most ${maxLength} characters)`);
  return value;
}

function record(value: unknown, what: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${what} must be an object, not ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new InputError(`${what} has an unknown field ${JSON.stringify(key)}`);
  }
  return value as Record<string, unknown>;
}

function wholeNumber(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${what} must be a whole number from ${min} to ${max}, not ${describe(value)}`);
  }
  return value;
}

export function validateBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new InputError(`${what} must be true or false, not ${describe(value)}`);
  return value;
}

/** One name in a directory: not empty, not "." or "..", no "/" and no control characters. */
export function validateEntryName(value: unknown, what = 'the name'): string {
  const name = text(value, what, MAX_NAME_LENGTH);
  if (name.trim() === '') throw new InputError(`${what} is empty`);
  if (name === '.' || name === '..') throw new InputError(`${what} cannot be "${name}"`);
  if (name.includes('/')) throw new InputError(`${what} ${describe(name)} cannot contain "/"`);
  if (CONTROL_CHARACTERS.test(name)) throw new InputError(`${what} ${describe(name)} contains a control character`);
  return name.normalize('NFC');
}

/** A vdrive path: "/"-separated names below `cairn:`; "" is the root. */
export function validateVdrivePath(value: unknown, what = 'the path'): string {
  const path = text(value, what, MAX_PATH_LENGTH);
  if (path === '') return '';
  return path
    .split('/')
    .map((name) => validateEntryName(name, `a name in ${what}`))
    .join('/');
}

/** A vdrive path that names an entry (not the root). */
export function validateEntryPath(value: unknown, what = 'the path'): string {
  const path = validateVdrivePath(value, what);
  if (path === '') throw new InputError(`${what} must name a file or folder, not the root`);
  return path;
}

/** A local absolute path (POSIX "/…" or Windows "C:\…"). */
export function validateLocalPath(value: unknown, what = 'the folder'): string {
  const path = text(value, what, MAX_PATH_LENGTH);
  if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) throw new InputError(`${what} must be an absolute path, not ${describe(path)}`);
  if (CONTROL_CHARACTERS.test(path)) throw new InputError(`${what} contains a control character`);
  return path;
}

/** A backup job's name: 1-40 letters, digits, "-" or "_", starting with a letter or digit. */
export function validateJobId(value: unknown): string {
  const id = text(value, 'the job name', 40);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(id)) throw new InputError(`the job name ${describe(id)} must be 1-40 letters, digits, "-" or "_"`);
  return id;
}

/** An id the renderer gave an upload, to cancel it by. */
export function validateUploadId(value: unknown): string {
  const id = text(value, 'the upload id', 64);
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new InputError(`the upload id ${describe(id)} must be letters, digits, "-" or "_"`);
  return id;
}

export function validateNickname(value: unknown): string {
  const nickname = text(value, 'the nickname', MAX_NICKNAME_LENGTH).trim();
  if (nickname === '') throw new InputError('the nickname is empty');
  if (CONTROL_CHARACTERS.test(nickname)) throw new InputError('the nickname contains a control character');
  return nickname;
}

/** A grid path for backups: "alias:path". */
export function validateGridTarget(value: unknown): string {
  const target = text(value, 'the backup target', MAX_PATH_LENGTH).trim();
  const match = /^([A-Za-z0-9_-]+):(.*)$/.exec(target);
  if (match === null) throw new InputError(`the backup target ${describe(target)} must be alias:path, e.g. "cairn:backups/laptop"`);
  const path = match[2]!.replace(/\/+$/, '');
  return `${match[1]}:${validateVdrivePath(path, 'the backup target')}`;
}

/** Every so many seconds (at least a minute), or at 1 to 48 times of day "HH:MM". */
export function validateSchedule(value: unknown): BackupSchedule {
  const fields = record(value, 'the schedule', ['every', 'at']);
  if (fields.every !== undefined && fields.at === undefined) return { every: wholeNumber(fields.every, 'the interval (seconds)', 60, 366 * 86_400) };
  if (fields.at !== undefined && fields.every === undefined) {
    if (!Array.isArray(fields.at) || fields.at.length === 0 || fields.at.length > 48) throw new InputError('the schedule needs 1 to 48 times of day');
    const at = fields.at.map((time) => {
      const hhmm = text(time, 'a time of day', 5);
      const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
      if (match === null || Number(match[1]) > 23 || Number(match[2]) > 59) throw new InputError(`the time of day ${describe(hhmm)} must be HH:MM (00:00 to 23:59)`);
      return hhmm;
    });
    return { at };
  }
  throw new InputError('the schedule has exactly one of "every" (seconds) or "at" (times of day)');
}

export function validateRetention(value: unknown): RetentionPolicy {
  const fields = record(value, 'the retention', ['last', 'hourly', 'daily', 'weekly', 'monthly']);
  const policy: Record<string, number> = {};
  for (const [key, count] of Object.entries(fields)) {
    if (count !== undefined) policy[key] = wholeNumber(count, `retention "${key}"`, 0, MAX_RETENTION_COUNT);
  }
  return policy;
}

export function validateBackupJob(value: unknown): BackupJobInput {
  const fields = record(value, 'the backup job', ['id', 'source', 'target', 'schedule', 'excludes', 'retention']);
  const excludes = fields.excludes ?? [];
  if (!Array.isArray(excludes) || excludes.length > MAX_EXCLUDES) throw new InputError(`the excludes must be a list of at most ${MAX_EXCLUDES} patterns`);
  return {
    id: validateJobId(fields.id),
    source: validateLocalPath(fields.source, 'the source folder'),
    target: validateGridTarget(fields.target),
    schedule: validateSchedule(fields.schedule),
    excludes: excludes.map((pattern) => {
      const glob = text(pattern, 'an exclude pattern', 1024).trim();
      if (glob === '') throw new InputError('an exclude pattern is empty');
      return glob;
    }),
    retention: validateRetention(fields.retention ?? {}),
  };
}

export function validateRestoreRequest(value: unknown): RestoreRequest {
  const fields = record(value, 'the restore request', ['jobId', 'snapshot', 'path', 'destination']);
  const snapshot = text(fields.snapshot, 'the snapshot', MAX_NAME_LENGTH);
  return {
    jobId: validateJobId(fields.jobId),
    snapshot: validateEntryName(snapshot, 'the snapshot'),
    path: validateVdrivePath(fields.path ?? '', 'the path in the snapshot'),
    destination: validateLocalPath(fields.destination, 'the destination folder'),
  };
}

export function validateEncoding(value: unknown): EncodingView {
  const fields = record(value, 'the encoding', ['needed', 'happy', 'total']);
  const total = wholeNumber(fields.total, 'N (shares made)', 1, 256);
  const needed = wholeNumber(fields.needed, 'K (shares needed)', 1, total);
  const happy = wholeNumber(fields.happy, 'happy (servers to spread over)', needed, total);
  return { needed, happy, total };
}

export function validateSettingsPatch(value: unknown): SettingsPatch {
  const fields = record(value, 'the settings', ['nickname', 'reservedSpace', 'encoding', 'launchAtLogin']);
  return {
    ...(fields.nickname === undefined ? {} : { nickname: validateNickname(fields.nickname) }),
    ...(fields.reservedSpace === undefined ? {} : { reservedSpace: wholeNumber(fields.reservedSpace, 'the reserved space (bytes)', 0, Number.MAX_SAFE_INTEGER) }),
    ...(fields.encoding === undefined ? {} : { encoding: validateEncoding(fields.encoding) }),
    ...(fields.launchAtLogin === undefined ? {} : { launchAtLogin: validateBoolean(fields.launchAtLogin, 'launch at login') }),
  };
}

export function validateInviteCode(value: unknown): string {
  const code = text(value, 'the invite code', MAX_CODE_LENGTH).replace(/\s+/g, '');
  if (code === '') throw new InputError('the invite code is empty: paste the code your friend sent');
  return code;
}

export function validatePassphrase(value: unknown): string {
  const passphrase = text(value, 'the passphrase', MAX_PASSPHRASE_LENGTH).trim();
  if (passphrase === '') throw new InputError('the passphrase is empty: your friend tells it to you separately from the code');
  return passphrase;
}

export function validateJoinRequest(value: unknown): JoinRequest {
  const fields = record(value, 'the join request', ['code', 'passphrase', 'nickname']);
  return { code: validateInviteCode(fields.code), passphrase: validatePassphrase(fields.passphrase), nickname: validateNickname(fields.nickname) };
}

export function validateCreateGridRequest(value: unknown): CreateGridRequest {
  const fields = record(value, 'the new grid', ['gridName', 'nickname', 'encoding']);
  const gridName = text(fields.gridName, 'the grid name', MAX_NICKNAME_LENGTH).trim();
  if (gridName === '' || CONTROL_CHARACTERS.test(gridName)) throw new InputError('the grid name must be a short line of text');
  return { gridName, nickname: validateNickname(fields.nickname), ...(fields.encoding === undefined ? {} : { encoding: validateEncoding(fields.encoding) }) };
}
