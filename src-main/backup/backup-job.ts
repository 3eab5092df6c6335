// A backup job as cairn.json keeps it ("backupJobs"): what to back up, where to, when, what to
// leave out and which snapshots to keep. Checked here with one clear message per mistake.
import type { DirectoryCap } from '../../src-shared/caps/index.js';
import { checkRetentionPolicy, type RetentionPolicy } from './retention.js';
import { formatBackupSchedule, parseBackupSchedule, type BackupSchedule } from './backup-schedule.js';

export interface BackupJob {
  /** the job's name: 1-40 letters, digits, "-" or "_" */
  readonly id: string;
  /** the local folder, an absolute path */
  readonly source: string;
  /** "alias:path": the grid directory that holds Archives/ and Latest (never a cap: cairn.json is not secret) */
  readonly target: string;
  readonly schedule: BackupSchedule;
  /** glob patterns left out of every run */
  readonly excludes: readonly string[];
  readonly retention: RetentionPolicy;
}

/** A job as cairn.json holds it (the schedule in its config form). */
export interface BackupJobConfig {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly schedule: { every: number | string } | { at: string[] | string };
  readonly excludes?: readonly string[];
  readonly retention?: RetentionPolicy;
}

export class BackupJobError extends Error {
  override readonly name = 'BackupJobError';
}

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const TARGET = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63}):(.*)$/;
const KEYS = ['id', 'source', 'target', 'schedule', 'excludes', 'retention'];

/** The alias and path of a job's target. */
export function parseJobTarget(target: string): { alias: string; path: string } {
  const match = TARGET.exec(target);
  if (match === null || target.startsWith('URI:')) {
    throw new BackupJobError(`target "${target.startsWith('URI:') ? 'URI:…' : target}" must be alias:path (such as backups:laptop); a cap does not belong in cairn.json`);
  }
  return { alias: match[1]!, path: match[2]!.replace(/^\/+|\/+$/g, '') };
}

/** Checks one job; a mistake throws a BackupJobError naming the job and the field. */
export function checkBackupJob(value: unknown): BackupJob {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BackupJobError('a backup job is an object with id, source, target and schedule');
  const raw = value as Record<string, unknown>;
  const id = raw.id;
  if (typeof id !== 'string' || !JOB_ID.test(id)) {
    throw new BackupJobError(`backup job id ${JSON.stringify(id)} is not usable: use 1-40 letters, digits, "-" or "_", starting with a letter or digit`);
  }
  const fail = (what: string): never => {
    throw new BackupJobError(`backup job "${id}": ${what}`);
  };
  const unknown = Object.keys(raw).filter((key) => !KEYS.includes(key));
  if (unknown.length > 0) fail(`unknown field ${JSON.stringify(unknown[0])} (a job has ${KEYS.join(', ')})`);
  const source = raw.source;
  if (typeof source !== 'string' || !source.startsWith('/')) fail(`"source" must be an absolute path to a local folder (got ${JSON.stringify(source)})`);
  if (typeof raw.target !== 'string') fail('"target" must be alias:path, such as backups:laptop');
  let schedule: BackupSchedule;
  let retention: RetentionPolicy;
  try {
    parseJobTarget(raw.target as string);
    schedule = parseBackupSchedule(raw.schedule);
    retention = checkRetentionPolicy(raw.retention ?? {});
  } catch (error) {
    return fail((error as Error).message);
  }
  const excludes = raw.excludes ?? [];
  if (!Array.isArray(excludes) || !excludes.every((e) => typeof e === 'string' && e !== '')) fail('"excludes" must be a list of glob patterns, such as ["*.tmp", "node_modules"]');
  return { id, source: source as string, target: raw.target as string, schedule, excludes: excludes as string[], retention };
}

/** Checks a whole "backupJobs" list: each job, and no id twice. Absent is an empty list. */
export function checkBackupJobs(value: unknown): BackupJob[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new BackupJobError('"backupJobs" must be a list of jobs');
  const jobs = value.map(checkBackupJob);
  const seen = new Set<string>();
  for (const job of jobs) {
    if (seen.has(job.id)) throw new BackupJobError(`two backup jobs are named "${job.id}"`);
    seen.add(job.id);
  }
  return jobs;
}

/** The config form of a job (what checkBackupJob reads back). */
export function formatBackupJob(job: BackupJob): BackupJobConfig {
  return {
    id: job.id,
    source: job.source,
    target: job.target,
    schedule: formatBackupSchedule(job.schedule),
    excludes: [...job.excludes],
    retention: job.retention,
  };
}

/** What a job asks of the backup engine (runBackup in backup-run.ts takes the same shape). */
export interface BackupRunRequest {
  readonly source: string;
  readonly target: { readonly cap: DirectoryCap; readonly path: string };
  readonly exclude: readonly string[];
}

/** The part of a backup's summary a job records. */
export interface BackupRunOutcome {
  /** the new snapshot's name under Archives/ */
  readonly snapshot: string;
  readonly filesUploaded: number;
  readonly filesReused: number;
  readonly filesFailed: number;
  readonly bytesSent: number;
  readonly seconds: number;
}

/** Runs one backup to its end. */
export type BackupRunner = (request: BackupRunRequest) => Promise<BackupRunOutcome>;
