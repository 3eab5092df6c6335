// The node's backup jobs: adding, listing, removing and running them, the scheduler that runs
// them when due, and retention after each run. NodeService holds one.
import { stat } from 'node:fs/promises';
import { isWriteCap, type DirectoryCap } from '../../src-shared/caps/index.js';
import { BackupJobError, checkBackupJob, formatBackupJob, parseJobTarget, type BackupJob, type BackupJobConfig, type BackupRunner } from '../backup/backup-job.js';
import { describeBackupSchedule } from '../backup/backup-schedule.js';
import { BackupScheduler, type ScheduledJob } from '../backup/backup-scheduler.js';
import { pruneSnapshots, type SnapshotDirectory } from '../backup/snapshot-pruning.js';
import { readAliases } from './aliases.js';
import { changeBackupJobs, readBackupJobStates, readBackupJobs, readBackupsPaused, writeBackupJobStates, writeBackupsPaused, type BackupJobState } from './backup-job-files.js';
import type { NodeLog } from './node-log.js';

/** A job as the API shows it: its config, a description, and its history. */
export interface BackupJobView extends BackupJobConfig {
  /** "every 6 hours", "daily at 02:00" */
  readonly when: string;
  readonly addedAt: string;
  readonly lastStart?: string;
  readonly lastEnd?: string;
  readonly lastResult?: 'ok' | 'failed';
  readonly lastMessage?: string;
  readonly lastSnapshot?: string;
  /** ISO time of the next scheduled run (in the past: due now) */
  readonly nextRun: string;
  readonly running: boolean;
}

export interface BackupJobsStatus {
  readonly paused: boolean;
  readonly running: string | undefined;
  readonly jobs: readonly BackupJobView[];
}

export interface BackupJobsOptions {
  readonly dir: string;
  readonly runner: BackupRunner;
  readonly grid: SnapshotDirectory;
  readonly log: NodeLog;
  readonly now?: () => Date;
  /** whether enough storage servers are reachable for a backup to succeed */
  readonly gridReady?: () => boolean;
}

export class BackupJobs {
  private readonly now: () => Date;
  private scheduler: BackupScheduler;
  private states: Record<string, BackupJobState> = {};
  private stateWrites: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<() => void>();
  private configChanges: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: BackupJobsOptions) {
    this.now = options.now ?? (() => new Date());
    this.scheduler = this.newScheduler(30_000);
  }

  private newScheduler(checkIntervalMs: number): BackupScheduler {
    return new BackupScheduler({
      now: this.now,
      jobs: () => this.scheduledJobs(),
      run: (job, reason) => this.runJob(job, reason),
      checkIntervalMs,
      ...(this.options.gridReady === undefined ? {} : { canRun: this.options.gridReady }),
      onError: (error) => this.options.log.warn(`backup jobs: ${(error as Error).message}`),
    });
  }

  /** Reads the jobs' history and starts the scheduler, which looks for due jobs every `checkIntervalMs` (a run missed while the node was off starts now). */
  async start(checkIntervalMs = 30_000): Promise<void> {
    this.scheduler = this.newScheduler(checkIntervalMs);
    this.states = await readBackupJobStates(this.options.dir);
    // jobs written into cairn.json by hand while the node was off count as added now
    for (const job of await readBackupJobs(this.options.dir)) this.states[job.id] ??= { addedAt: this.now().toISOString() };
    await this.saveStates();
    if (await readBackupsPaused(this.options.dir)) this.scheduler.pause();
    this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /** Calls `listener` whenever a job is added, removed, starts or ends, or scheduling is paused or resumed. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Pauses scheduled runs, also across restarts of the node (a run asked for by hand still runs). */
  async pause(): Promise<void> {
    await writeBackupsPaused(this.options.dir, true);
    this.scheduler.pause();
    this.changed();
    this.options.log.info('backup jobs paused');
  }

  async resume(): Promise<void> {
    await writeBackupsPaused(this.options.dir, false);
    this.options.log.info('backup jobs resumed');
    this.scheduler.resume();
    this.changed();
  }

  async status(): Promise<BackupJobsStatus> {
    const jobs = await readBackupJobs(this.options.dir);
    return { paused: this.scheduler.paused, running: this.scheduler.running, jobs: jobs.map((job) => this.view(job)) };
  }

  async list(): Promise<readonly BackupJobView[]> {
    return (await this.status()).jobs;
  }

  /** Adds a job; bad input throws a BackupJobError and changes nothing. */
  async add(input: unknown): Promise<BackupJobView> {
    const job = checkBackupJob(input);
    await this.checkUsable(job);
    await this.changeJobs((jobs) => {
      if (jobs.some((j) => j.id === job.id)) throw new BackupJobError(`a backup job named "${job.id}" exists already (remove it first, or choose another name)`);
      return [...jobs, job];
    });
    this.states[job.id] = { addedAt: this.now().toISOString() };
    await this.saveStates();
    this.options.log.info(`backup job "${job.id}" added: ${describeBackupSchedule(job.schedule)}`);
    this.changed();
    void this.scheduler.runDueJobs();
    return this.view(job);
  }

  /** Removes a job (its snapshots stay on the grid). */
  async remove(id: string): Promise<void> {
    await this.changeJobs((jobs) => {
      if (!jobs.some((j) => j.id === id)) throw new BackupJobNotFoundError(`no backup job named "${id}" (see cairn backup-job list)`);
      return jobs.filter((j) => j.id !== id);
    });
    delete this.states[id];
    await this.saveStates();
    this.options.log.info(`backup job "${id}" removed`);
    this.changed();
  }

  /** One change of cairn.json's jobs at a time: two requests at once must not undo each other. */
  private changeJobs(change: (jobs: BackupJob[]) => BackupJob[]): Promise<BackupJob[]> {
    const next = this.configChanges.catch(() => undefined).then(() => changeBackupJobs(this.options.dir, change));
    this.configChanges = next;
    return next;
  }

  /** Runs a job now (after any run in progress) and returns how it ended. */
  async run(id: string): Promise<BackupJobView> {
    const job = (await readBackupJobs(this.options.dir)).find((j) => j.id === id);
    if (job === undefined) throw new BackupJobNotFoundError(`no backup job named "${id}" (see cairn backup-job list)`);
    await this.scheduler.runNow(job);
    return this.view(job);
  }

  /** The source must be a folder and the target's alias must exist, when the job is added. */
  private async checkUsable(job: BackupJob): Promise<void> {
    const info = await stat(job.source).catch(() => undefined);
    if (info === undefined || !info.isDirectory()) throw new BackupJobError(`backup job "${job.id}": the source ${job.source} is not a folder on this computer`);
    await this.targetOf(job);
  }

  /** The job's target folder: its alias's cap (which must be writable) and the path below it. */
  async targetOf(job: BackupJob): Promise<{ cap: DirectoryCap; path: string }> {
    const { alias, path } = parseJobTarget(job.target);
    const cap = (await readAliases(this.options.dir)).get(alias);
    if (cap === undefined) throw new BackupJobError(`backup job "${job.id}": unknown alias "${alias}:" (see "cairn list-aliases"; "cairn create-alias ${alias}" makes one)`);
    if (!isWriteCap(cap)) throw new BackupJobError(`backup job "${job.id}": the alias "${alias}:" is read-only; a backup needs a writable folder`);
    return { cap, path };
  }

  private async runJob(job: BackupJob, reason: 'scheduled' | 'requested'): Promise<void> {
    const startedAt = this.now().toISOString();
    const previous = this.states[job.id] ?? { addedAt: startedAt };
    this.states[job.id] = { ...previous, lastStart: startedAt };
    await this.saveStates();
    this.options.log.info(`backup job "${job.id}" started (${reason})`);
    this.changed();
    let ended: Partial<BackupJobState>;
    try {
      const target = await this.targetOf(job);
      const outcome = await this.options.runner({ source: job.source, target, exclude: job.excludes });
      const pruned = await pruneSnapshots(this.options.grid, target, job.retention);
      const message = `snapshot ${outcome.snapshot}: ${outcome.filesUploaded} files uploaded, ${outcome.filesReused} unchanged, ${outcome.filesFailed} failed, ${outcome.bytesSent} bytes sent in ${outcome.seconds.toFixed(1)} s; ${pruned.kept.length} snapshots kept, ${pruned.removed.length} removed`;
      ended = { lastResult: 'ok', lastMessage: message, lastSnapshot: outcome.snapshot };
      this.options.log.info(`backup job "${job.id}": ${message}`);
    } catch (error) {
      ended = { lastResult: 'failed', lastMessage: (error as Error).message };
      this.options.log.warn(`backup job "${job.id}" failed: ${(error as Error).message}`);
    }
    // the job may have been removed while it ran
    if (this.states[job.id] !== undefined) {
      this.states[job.id] = { ...this.states[job.id]!, ...ended, lastEnd: this.now().toISOString() };
      await this.saveStates();
    }
    this.changed();
  }

  private async scheduledJobs(): Promise<ScheduledJob[]> {
    return (await readBackupJobs(this.options.dir)).map((job) => {
      const state = this.states[job.id];
      return {
        job,
        addedAt: new Date(state?.addedAt ?? this.now().toISOString()),
        lastStart: state?.lastStart === undefined ? undefined : new Date(state.lastStart),
      };
    });
  }

  private view(job: BackupJob): BackupJobView {
    const state = this.states[job.id] ?? { addedAt: this.now().toISOString() };
    const scheduled: ScheduledJob = { job, addedAt: new Date(state.addedAt), lastStart: state.lastStart === undefined ? undefined : new Date(state.lastStart) };
    return {
      ...formatBackupJob(job),
      when: describeBackupSchedule(job.schedule),
      ...state,
      nextRun: this.scheduler.nextRuns([scheduled]).get(job.id)!.toISOString(),
      running: this.scheduler.running === job.id,
    };
  }

  private saveStates(): Promise<void> {
    const snapshot = { ...this.states };
    this.stateWrites = this.stateWrites.catch(() => undefined).then(() => writeBackupJobStates(this.options.dir, snapshot));
    return this.stateWrites;
  }
}

export class BackupJobNotFoundError extends Error {
  override readonly name = 'BackupJobNotFoundError';
}
