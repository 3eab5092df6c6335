import type { BackupJobInput, BackupJobView, BackupJobsView, BackupSchedule } from '../../src-shared/ipc/index.js';
import type { BackupJobView as NodeBackupJobView } from '../node/backup-jobs.js';
import type { NodeService } from '../node/node-service.js';

/** The desktop app's backup-job requests, on the node's own backup jobs (docs/backup.md). */
export class DesktopBackups {
  constructor(private readonly service: NodeService) {}

  async jobs(): Promise<BackupJobsView> {
    const status = await this.service.backupJobs.status();
    return { paused: status.paused, jobs: status.jobs.map(jobViewOf) };
  }

  async add(job: BackupJobInput): Promise<BackupJobView> {
    return jobViewOf(await this.service.backupJobs.add(job));
  }

  async remove(jobId: string): Promise<void> {
    await this.service.backupJobs.remove(jobId);
  }

  /** Runs the job now; a failed run is an error with its one-line reason. */
  async run(jobId: string): Promise<void> {
    const job = await this.service.backupJobs.run(jobId);
    if (job.lastResult === 'failed') throw new Error(job.lastMessage ?? 'the backup failed');
  }
}

const msOf = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

function jobViewOf(job: NodeBackupJobView): BackupJobView {
  return {
    id: job.id,
    source: job.source,
    target: job.target,
    // the node also reads "6h" and "02:00" strings; its views carry what was stored
    schedule: job.schedule as BackupSchedule,
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
