// Runs backup jobs when they are due, one at a time. It looks at every job when it starts
// (so a run missed while the computer was off happens at once, and once) and then every
// `checkIntervalMs`, while the grid is reachable. Pausing stops new scheduled runs (a run in progress finishes); a run
// asked for by hand still happens. The clock is injected so tests can move time.
import { isBackupDue, nextBackupRun } from './backup-schedule.js';
import type { BackupJob } from './backup-job.js';

/** What the scheduler knows of a job's history. */
export interface ScheduledJob {
  readonly job: BackupJob;
  /** when the job was added: a job never run is due from then */
  readonly addedAt: Date;
  /** when its last run started */
  readonly lastStart: Date | undefined;
}

export interface BackupSchedulerOptions {
  readonly now: () => Date;
  /** every job and its history, read afresh on each look */
  readonly jobs: () => Promise<readonly ScheduledJob[]>;
  /** runs one job to its end (records its own result); a rejection is reported to onError */
  readonly run: (job: BackupJob, reason: 'scheduled' | 'requested') => Promise<void>;
  readonly checkIntervalMs: number;
  readonly onError: (error: unknown) => void;
  /** whether a scheduled run could work now (enough storage servers reachable); if not, due jobs wait for the next look */
  readonly canRun?: () => boolean;
}

export class BackupScheduler {
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private looking = false;
  private pausedFlag = false;
  private runningId: string | undefined;

  constructor(private readonly options: BackupSchedulerOptions) {}

  get paused(): boolean {
    return this.pausedFlag;
  }

  /** the id of the job running now */
  get running(): string | undefined {
    return this.runningId;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.runDueJobs(), this.options.checkIntervalMs);
    this.timer.unref();
    void this.runDueJobs();
  }

  /** Stops looking, and waits for a run in progress to end. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.queue;
  }

  pause(): void {
    this.pausedFlag = true;
  }

  resume(): void {
    this.pausedFlag = false;
    void this.runDueJobs();
  }

  /** When each job runs next (a time in the past: as soon as the running one ends). */
  nextRuns(jobs: readonly ScheduledJob[]): Map<string, Date> {
    return new Map(jobs.map((j) => [j.job.id, nextBackupRun(j.job.schedule, j.lastStart, j.addedAt)]));
  }

  /** Runs `job` after any run in progress; resolves when it has ended. */
  runNow(job: BackupJob): Promise<void> {
    return this.enqueue(job, 'requested');
  }

  /** Runs every job due now, in turn. Resolves when they have all ended. */
  async runDueJobs(): Promise<void> {
    if (this.pausedFlag || this.looking || this.options.canRun?.() === false) return;
    this.looking = true;
    try {
      const now = this.options.now();
      const due = (await this.options.jobs()).filter((j) => isBackupDue(j.job.schedule, j.lastStart, j.addedAt, now));
      for (const { job } of due) {
        if (this.pausedFlag) break;
        // a failure has gone to onError; the other due jobs still run
        await this.enqueue(job, 'scheduled').catch(() => undefined);
      }
    } catch (error) {
      this.options.onError(error);
    } finally {
      this.looking = false;
    }
  }

  private enqueue(job: BackupJob, reason: 'scheduled' | 'requested'): Promise<void> {
    const run = this.queue.then(async () => {
      this.runningId = job.id;
      try {
        await this.options.run(job, reason);
      } finally {
        this.runningId = undefined;
      }
    });
    // the queue goes on after a failed run; the caller still sees the failure
    this.queue = run.catch((error: unknown) => this.options.onError(error));
    return run;
  }
}
