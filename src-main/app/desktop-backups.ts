import type { BackupJobInput, BackupJobView, BackupJobsView, BackupSchedule, RestoreRequest, SnapshotView } from '../../src-shared/ipc/index.js';
import type { BackupJob } from '../backup/backup-job.js';
import { NoSuchChildError } from '../grid/vdrive/index.js';
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

  /** The job's snapshots under its target's Archives/, newest first (none before a run finished). */
  async snapshots(jobId: string): Promise<SnapshotView[]> {
    const { cap, path } = await this.target(jobId);
    const archives = await this.service.resolvePath(cap, path === '' ? 'Archives' : `${path}/Archives`).catch((error: unknown) => {
      if (error instanceof NoSuchChildError) return undefined;
      throw error;
    });
    if (archives === undefined || archives.cap.kind !== 'dir') return [];
    const entries = await this.service.listDirectory(archives.cap);
    return entries
      .filter((entry) => entry.isDirectory)
      .map((entry) => ({ jobId, name: entry.name, takenAt: Date.parse(entry.name) }))
      .sort((a, b) => b.name.localeCompare(a.name));
  }

  /** Restores a snapshot, or a file or folder in one, into a local folder. */
  async restore(request: RestoreRequest): Promise<void> {
    const { cap, path } = await this.target(request.jobId);
    const snapshot = request.snapshot === 'Latest' ? 'Latest' : `Archives/${request.snapshot}`;
    const inside = [path, snapshot, request.path].filter((part) => part !== '').join('/');
    await this.service.restore({ source: { cap, path: inside }, destination: request.destination }, () => undefined);
  }

  private async target(jobId: string) {
    const job = (await this.service.backupJobs.list()).find((candidate) => candidate.id === jobId);
    if (job === undefined) throw new Error(`no backup job named "${jobId}"`);
    return this.service.backupJobs.targetOf(job as unknown as BackupJob);
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
