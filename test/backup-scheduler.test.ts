// Backup jobs as cairn.json holds them, and the scheduler that runs them when due (a mock
// clock: the scheduler's `now`; the runs themselves are plain promises).
import { describe, expect, it } from 'vitest';
import { BackupJobError, checkBackupJob, checkBackupJobs, formatBackupJob, type BackupJob } from '../src-main/backup/backup-job.js';
import { BackupScheduler, type ScheduledJob } from '../src-main/backup/backup-scheduler.js';

const good = { id: 'docs', source: '/home/a/Documents', target: 'backups:laptop/docs', schedule: { every: '6h' }, excludes: ['*.tmp'], retention: { last: 3, daily: 7 } };

describe('backup job config', () => {
  it('reads a job and writes it back in the same form', () => {
    const job = checkBackupJob(good);
    expect(job.schedule).toEqual({ every: 6 * 3600 });
    expect(checkBackupJob(formatBackupJob(job))).toEqual(job);
    expect(checkBackupJob({ ...good, schedule: { at: '09:00,21:00' } }).schedule).toEqual({ at: [{ hour: 9, minute: 0 }, { hour: 21, minute: 0 }] });
  });

  it.each([
    [{ ...good, id: '../x' }, /backup job id "..\/x" is not usable/],
    [{ ...good, source: 'relative/path' }, /"source" must be an absolute path/],
    [{ ...good, target: 'URI:DIR2:abc:def' }, /must be alias:path .*a cap does not belong in cairn.json/],
    [{ ...good, target: 'no-alias' }, /target "no-alias" must be alias:path/],
    [{ ...good, schedule: { every: '10s' } }, /cannot run more often than every 60 seconds/],
    [{ ...good, schedule: { at: '25:00' } }, /"25:00" is not a time of day/],
    [{ ...good, schedule: 'daily' }, /a backup schedule is/],
    [{ ...good, retention: { yearly: 2 } }, /unknown retention rule "yearly"/],
    [{ ...good, retention: { last: -1 } }, /retention "last" must be a whole number/],
    [{ ...good, excludes: 'x' }, /"excludes" must be a list of glob patterns/],
    [{ ...good, colour: 'red' }, /unknown field "colour"/],
  ])('refuses %j with a clear message', (input, message) => {
    expect(() => checkBackupJob(input)).toThrow(BackupJobError);
    expect(() => checkBackupJob(input)).toThrow(message);
  });

  it('refuses two jobs with one id', () => {
    expect(() => checkBackupJobs([good, good])).toThrow('two backup jobs are named "docs"');
    expect(checkBackupJobs(undefined)).toEqual([]);
  });
});

/** A scheduler over in-memory jobs whose runs are recorded, with a clock the test moves. */
function harness(jobs: BackupJob[], addedAt: Date, history: Record<string, Date> = {}, gridReady = () => true) {
  let now = new Date(addedAt);
  const runs: string[] = [];
  const errors: unknown[] = [];
  let release: (() => void) | undefined;
  let holdRuns = false;
  const scheduler = new BackupScheduler({
    now: () => now,
    jobs: async () => jobs.map((job): ScheduledJob => ({ job, addedAt, lastStart: history[job.id] })),
    run: async (job) => {
      runs.push(job.id);
      history[job.id] = now;
      if (holdRuns) await new Promise<void>((r) => (release = r));
      if (job.id === 'broken') throw new Error('the source folder is gone');
    },
    checkIntervalMs: 60_000,
    onError: (error) => errors.push(error),
    canRun: gridReady,
  });
  return {
    scheduler,
    runs,
    errors,
    setNow: (time: Date) => (now = time),
    hold: () => (holdRuns = true),
    release: () => {
      holdRuns = false;
      release?.();
    },
  };
}

const hourly = checkBackupJob({ ...good, id: 'hourly', schedule: { every: '1h' } });
const daily = checkBackupJob({ ...good, id: 'daily', schedule: { every: '1d' } });
const t0 = new Date('2026-03-01T10:00:00Z');
const later = (hours: number): Date => new Date(t0.getTime() + hours * 3600_000);

describe('backup scheduler', () => {
  it('runs a new job at once, then each time it is due, and not before', async () => {
    const h = harness([hourly, daily], t0);
    await h.scheduler.runDueJobs();
    expect(h.runs).toEqual(['hourly', 'daily']);
    h.setNow(later(0.5));
    await h.scheduler.runDueJobs();
    expect(h.runs).toHaveLength(2);
    h.setNow(later(1));
    await h.scheduler.runDueJobs();
    expect(h.runs).toEqual(['hourly', 'daily', 'hourly']);
  });

  it('a due job waits while the grid is out of reach', async () => {
    let ready = false;
    const h = harness([hourly], t0, {}, () => ready);
    await h.scheduler.runDueJobs();
    expect(h.runs).toEqual([]);
    ready = true;
    await h.scheduler.runDueJobs();
    expect(h.runs).toEqual(['hourly']);
  });

  it('runs a job missed while the computer was off once, however many runs were missed', async () => {
    const h = harness([hourly], t0, { hourly: later(-30) });
    await h.scheduler.runDueJobs();
    await h.scheduler.runDueJobs();
    expect(h.runs).toEqual(['hourly']);
  });

  it('paused: no scheduled run; resumed: the due job runs; a requested run happens even when paused', async () => {
    const h = harness([hourly], t0);
    h.scheduler.pause();
    await h.scheduler.runDueJobs();
    expect(h.runs).toEqual([]);
    await h.scheduler.runNow(hourly);
    expect(h.runs).toEqual(['hourly']);
    h.setNow(later(2));
    h.scheduler.resume();
    await new Promise((r) => setTimeout(r, 10));
    expect(h.runs).toEqual(['hourly', 'hourly']);
    expect(h.scheduler.paused).toBe(false);
  });

  it('runs one job at a time: a requested run waits for the one in progress', async () => {
    const h = harness([hourly, daily], t0, { hourly: t0, daily: t0 });
    h.hold();
    const first = h.scheduler.runNow(hourly);
    const second = h.scheduler.runNow(daily);
    await new Promise((r) => setTimeout(r, 10));
    expect(h.runs).toEqual(['hourly']);
    expect(h.scheduler.running).toBe('hourly');
    h.release();
    await Promise.all([first, second]);
    expect(h.runs).toEqual(['hourly', 'daily']);
    expect(h.scheduler.running).toBeUndefined();
  });

  it('a failed run is reported and the other due jobs still run', async () => {
    const broken = checkBackupJob({ ...good, id: 'broken' });
    const h = harness([broken, hourly], t0);
    await h.scheduler.runDueJobs();
    expect(h.runs).toEqual(['broken', 'hourly']);
    expect(h.errors.map((e) => (e as Error).message)).toEqual(['the source folder is gone']);
    await expect(h.scheduler.runNow(broken)).rejects.toThrow('the source folder is gone');
  });
});
