// Where backup jobs live on disk. The jobs themselves are in cairn.json ("backupJobs"), which
// the user may also edit by hand; what happened to them (added, last run, result) is in
// DIR/private/backup-jobs.json, which only the node writes. Both are written atomically.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { checkBackupJobs, formatBackupJob, type BackupJob } from '../backup/backup-job.js';
import { writeFileAtomically } from './atomic-write.js';
import { withConfigFileLock } from './config-file-lock.js';
import { CONFIG_FILE, privateDir } from './node-files.js';

/** One job's history. Times are ISO strings. */
export interface BackupJobState {
  readonly addedAt: string;
  readonly lastStart?: string;
  readonly lastEnd?: string;
  readonly lastResult?: 'ok' | 'failed';
  /** a one-line summary of the last run, or why it failed */
  readonly lastMessage?: string;
  /** the last snapshot the job made */
  readonly lastSnapshot?: string;
}

export const BACKUP_JOB_STATE_FILE = 'backup-jobs.json';

const configPath = (dir: string): string => join(dir, CONFIG_FILE);
const statePath = (dir: string): string => join(privateDir(dir), BACKUP_JOB_STATE_FILE);

async function writeJson(path: string, value: unknown, mode?: number): Promise<void> {
  await writeFileAtomically(path, [new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`)], mode);
}

async function readConfigObject(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(configPath(dir), 'utf8')) as Record<string, unknown>;
}

/** The jobs in cairn.json, checked. */
export async function readBackupJobs(dir: string): Promise<BackupJob[]> {
  return checkBackupJobs((await readConfigObject(dir)).backupJobs);
}

/**
 * Rewrites cairn.json's "backupJobs" with `change(jobs)`, leaving every other key as it was.
 * `change` checks its input and throws before anything is written.
 */
export function changeBackupJobs(dir: string, change: (jobs: BackupJob[]) => BackupJob[]): Promise<BackupJob[]> {
  return withConfigFileLock(dir, async () => {
    const config = await readConfigObject(dir);
    const jobs = change(checkBackupJobs(config.backupJobs));
    checkBackupJobs(jobs.map(formatBackupJob));
    await writeJson(configPath(dir), { ...config, backupJobs: jobs.map(formatBackupJob) });
    return jobs;
  });
}

export async function readBackupJobStates(dir: string): Promise<Record<string, BackupJobState>> {
  try {
    return JSON.parse(await readFile(statePath(dir), 'utf8')) as Record<string, BackupJobState>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${statePath(dir)} is damaged: ${(error as Error).message}`);
  }
}

export async function writeBackupJobStates(dir: string, states: Record<string, BackupJobState>): Promise<void> {
  await writeJson(statePath(dir), states, 0o600);
}

/** The mark that scheduled backups are paused: a pause outlives a restart of the node. */
function pausedPath(dir: string): string {
  return join(privateDir(dir), 'backups-paused');
}

export async function readBackupsPaused(dir: string): Promise<boolean> {
  return readFile(pausedPath(dir)).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}

export async function writeBackupsPaused(dir: string, paused: boolean): Promise<void> {
  if (paused) await writeFileAtomically(pausedPath(dir), [Buffer.from(`${new Date().toISOString()}\n`)], 0o600);
  else await rm(pausedPath(dir), { force: true });
}
