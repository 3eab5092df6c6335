// GET /backup-jobs (the node's backup jobs, docs/backup.md) turned into the view types.
import type { BackupJobView, BackupJobsView, BackupSchedule, RetentionPolicy } from '../../src-shared/ipc/index.js';

export interface BackupJobJson {
  id: string;
  source: string;
  target: string;
  schedule: BackupSchedule;
  excludes?: string[];
  retention?: RetentionPolicy;
  when: string;
  lastStart?: string;
  lastResult?: 'ok' | 'failed';
  lastMessage?: string;
  lastSnapshot?: string;
  nextRun?: string;
  running: boolean;
}

export interface BackupJobsJson {
  paused: boolean;
  jobs: BackupJobJson[];
}

const msOf = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

export function backupJobViewOf(job: BackupJobJson): BackupJobView {
  return {
    id: job.id,
    source: job.source,
    target: job.target,
    schedule: job.schedule,
    excludes: job.excludes ?? [],
    retention: job.retention ?? {},
    when: job.when,
    lastRunAt: msOf(job.lastStart),
    lastResult: job.lastResult,
    lastMessage: job.lastMessage,
    lastSnapshot: job.lastSnapshot,
    nextRunAt: msOf(job.nextRun),
    running: job.running,
  };
}

export function backupJobsViewOf(json: BackupJobsJson): BackupJobsView {
  return { paused: json.paused, jobs: json.jobs.map(backupJobViewOf) };
}
