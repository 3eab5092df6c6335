// Retention rules and backup schedules: pure functions, checked against worked examples.
import { describe, expect, it } from 'vitest';
import { applyRetention, checkRetentionPolicy, type Snapshot } from '../src-main/backup/retention.js';
import { describeBackupSchedule, isBackupDue, nextBackupRun, parseBackupSchedule } from '../src-main/backup/backup-schedule.js';

const at = (iso: string): Snapshot => ({ name: iso, time: new Date(iso) });
const names = (list: readonly Snapshot[]) => list.map((s) => s.name);

describe('retention', () => {
  // every 6 hours for 40 days, from 2026-01-01T00:00Z
  const series = Array.from({ length: 160 }, (_, i) => at(new Date(Date.UTC(2026, 0, 1) + i * 6 * 3600_000).toISOString()));
  const newest = series.at(-1)!;

  it('keeps everything without a policy, and the newest whatever the policy', () => {
    expect(applyRetention(series, {}).remove).toEqual([]);
    expect(names(applyRetention(series, { last: 0 }).keep)).toEqual([newest.name]);
  });

  it('last N keeps the newest N', () => {
    const decision = applyRetention([...series].reverse(), { last: 3 });
    expect(names(decision.keep)).toEqual(names(series.slice(-3).reverse()));
    expect(decision.remove).toHaveLength(157);
    expect(decision.reasons.get(newest.name)).toEqual(['last 1']);
  });

  it('daily N keeps the newest snapshot of each of the N newest days', () => {
    const decision = applyRetention(series, { daily: 3 });
    expect(names(decision.keep)).toEqual(['2026-02-09T18:00:00.000Z', '2026-02-08T18:00:00.000Z', '2026-02-07T18:00:00.000Z']);
  });

  it('weekly counts ISO weeks (Monday first) and monthly calendar months, in UTC', () => {
    const weekly = applyRetention(series, { weekly: 3 });
    // 2026-02-09 is a Monday: its week has one day so far; then the weeks ending Sunday 8 and Sunday 1 February
    expect(names(weekly.keep)).toEqual(['2026-02-09T18:00:00.000Z', '2026-02-08T18:00:00.000Z', '2026-02-01T18:00:00.000Z']);
    const monthly = applyRetention(series, { monthly: 5 });
    expect(names(monthly.keep)).toEqual(['2026-02-09T18:00:00.000Z', '2026-01-31T18:00:00.000Z']);
    expect(applyRetention([at('2020-12-31T23:00:00Z'), at('2021-01-03T10:00:00Z'), at('2021-01-04T10:00:00Z')], { weekly: 9 }).keep).toHaveLength(2); // 2020-W53
  });

  it('rules combine; each kept snapshot says why', () => {
    const decision = applyRetention(series, { last: 2, hourly: 2, daily: 2, monthly: 2 });
    expect(decision.reasons.get(newest.name)).toEqual(['last 1', 'hourly 1', 'daily 1', 'monthly 1']);
    expect(decision.reasons.get('2026-02-09T12:00:00.000Z')).toEqual(['last 2', 'hourly 2']);
    expect(decision.reasons.get('2026-02-08T18:00:00.000Z')).toEqual(['daily 2']);
    expect(decision.reasons.get('2026-01-31T18:00:00.000Z')).toEqual(['monthly 2']);
    expect(decision.keep).toHaveLength(4);
    expect(decision.keep.length + decision.remove.length).toBe(series.length);
  });

  it('refuses a bad policy with a clear message', () => {
    expect(() => checkRetentionPolicy({ yearly: 2 })).toThrow('unknown retention rule "yearly" (use last, hourly, daily, weekly, monthly)');
    expect(() => checkRetentionPolicy({ daily: -1 })).toThrow('retention "daily" must be a whole number of snapshots, 0 or more (got -1)');
    expect(() => checkRetentionPolicy({ daily: 1.5 })).toThrow(/whole number/);
    expect(() => checkRetentionPolicy([])).toThrow(/an object/);
    expect(checkRetentionPolicy({ last: 10, daily: 7 })).toEqual({ last: 10, daily: 7 });
  });
});

describe('backup schedules', () => {
  it('every: the interval after the last start; never run: due at once', () => {
    const schedule = parseBackupSchedule({ every: '6 hours' });
    expect(schedule).toEqual({ every: 21_600 });
    const added = new Date(2026, 10, 23, 9, 0);
    expect(nextBackupRun(schedule, undefined, added)).toEqual(added);
    const last = new Date(2026, 10, 23, 10, 15);
    expect(nextBackupRun(schedule, last, added)).toEqual(new Date(2026, 10, 23, 16, 15));
    expect(isBackupDue(schedule, last, added, new Date(2026, 10, 23, 16, 14))).toBe(false);
    expect(isBackupDue(schedule, last, added, new Date(2026, 10, 23, 16, 15))).toBe(true);
    expect(describeBackupSchedule(schedule)).toBe('every 6 hours');
    expect(describeBackupSchedule(parseBackupSchedule({ every: 86_400 }))).toBe('every day');
  });

  it('at: the next listed local time of day after the last start; a missed run is due once', () => {
    const schedule = parseBackupSchedule({ at: ['14:30', '02:00', '2:00'] });
    expect(schedule).toEqual({ at: [{ hour: 2, minute: 0 }, { hour: 14, minute: 30 }] });
    expect(describeBackupSchedule(schedule)).toBe('daily at 02:00 and 14:30');
    const added = new Date(2026, 10, 23, 9, 0);
    expect(nextBackupRun(schedule, undefined, added)).toEqual(new Date(2026, 10, 23, 14, 30));
    const last = new Date(2026, 10, 23, 14, 30, 5);
    expect(nextBackupRun(schedule, last, added)).toEqual(new Date(2026, 10, 24, 2, 0));
    // off for three days: due at once, and after that run the next is the next time of day
    const back = new Date(2026, 10, 27, 8, 0);
    expect(isBackupDue(schedule, last, added, back)).toBe(true);
    expect(nextBackupRun(schedule, back, added)).toEqual(new Date(2026, 10, 27, 14, 30));
  });

  it('refuses bad schedules with a clear message', () => {
    expect(() => parseBackupSchedule({ at: ['25:00'] })).toThrow('"25:00" is not a time of day: use 24-hour HH:MM, such as 02:30 or 14:00');
    expect(() => parseBackupSchedule({ every: '10s' })).toThrow('a backup cannot run more often than every 60 seconds (got "10s")');
    expect(() => parseBackupSchedule({ every: 'often' })).toThrow(/is not a duration/);
    expect(() => parseBackupSchedule({ every: '1h', at: ['02:00'] })).toThrow(/exactly one of "every" or "at"/);
    expect(() => parseBackupSchedule({ at: [] })).toThrow(/lists times of day/);
  });
});
