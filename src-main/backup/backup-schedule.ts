// When a backup job runs next: every so often, or at set times of day (the computer's local
// time, as people say "at 2 am"). A run missed while the computer was off or asleep is due at
// once when the node next looks, and counts once however many were missed.

import { parseDuration } from '../../src-shared/durations.js';

export type BackupSchedule =
  | { readonly every: number } // seconds between the starts of runs
  | { readonly at: readonly TimeOfDay[] };

export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

/** The shortest interval a schedule may have: a backup scans the whole folder. */
export const MIN_INTERVAL_SECONDS = 60;

/** "HH:MM", 24-hour. */
export function parseTimeOfDay(text: string): TimeOfDay {
  const match = /^([01]?[0-9]|2[0-3]):([0-5][0-9])$/.exec(text.trim());
  if (match === null) throw new RangeError(`"${text}" is not a time of day: use 24-hour HH:MM, such as 02:30 or 14:00`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

export function formatTimeOfDay(time: TimeOfDay): string {
  return `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`;
}

/**
 * A schedule from its config form: `{ "every": "6 hours" }` (or seconds) or
 * `{ "at": ["02:00", "14:30"] }`. Throws a RangeError that says what is wrong.
 */
export function parseBackupSchedule(value: unknown): BackupSchedule {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RangeError('a backup schedule is { "every": "6 hours" } or { "at": ["02:00"] }');
  }
  const keys = Object.keys(value);
  if (keys.length !== 1 || (keys[0] !== 'every' && keys[0] !== 'at')) {
    throw new RangeError(`a backup schedule has exactly one of "every" or "at" (got ${keys.map((k) => JSON.stringify(k)).join(', ') || 'neither'})`);
  }
  if ('every' in value) {
    const seconds = parseDuration(value.every);
    if (seconds < MIN_INTERVAL_SECONDS) throw new RangeError(`a backup cannot run more often than every ${MIN_INTERVAL_SECONDS} seconds (got ${JSON.stringify(value.every)})`);
    return { every: seconds };
  }
  const at = (value as { at: unknown }).at;
  const list = typeof at === 'string' ? at.split(',') : at;
  if (!Array.isArray(list) || list.length === 0 || !list.every((t) => typeof t === 'string')) {
    throw new RangeError('"at" lists times of day, such as ["02:00", "14:30"]');
  }
  const times = list.map((t: string) => parseTimeOfDay(t));
  const unique = new Map(times.map((t) => [formatTimeOfDay(t), t]));
  return { at: [...unique.values()].sort((a, b) => a.hour - b.hour || a.minute - b.minute) };
}

/** The config form of a schedule (what parseBackupSchedule reads back). */
export function formatBackupSchedule(schedule: BackupSchedule): { every: number } | { at: string[] } {
  return 'every' in schedule ? { every: schedule.every } : { at: schedule.at.map(formatTimeOfDay) };
}

/** A human description: "every 6 hours", "daily at 02:00 and 14:30". */
export function describeBackupSchedule(schedule: BackupSchedule): string {
  if ('at' in schedule) {
    const times = schedule.at.map(formatTimeOfDay);
    return `daily at ${times.length === 1 ? times[0]! : `${times.slice(0, -1).join(', ')} and ${times.at(-1)!}`}`;
  }
  const units: [number, string][] = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, name] of units) {
    if (schedule.every % size === 0) {
      const n = schedule.every / size;
      return n === 1 ? `every ${name}` : `every ${n} ${name}s`;
    }
  }
  return `every ${schedule.every} seconds`;
}

/**
 * When the job should next start: after its last start (or, never run, after `since`, when the
 * job was added). A time in the past means it is due now.
 */
export function nextBackupRun(schedule: BackupSchedule, lastStart: Date | undefined, since: Date): Date {
  if ('every' in schedule) {
    return lastStart === undefined ? since : new Date(lastStart.getTime() + schedule.every * 1000);
  }
  const after = lastStart ?? since;
  // the first listed time of day strictly after `after`, today or on a following day
  for (let days = 0; days <= 2; days++) {
    for (const time of schedule.at) {
      const candidate = new Date(after.getFullYear(), after.getMonth(), after.getDate() + days, time.hour, time.minute, 0, 0);
      if (candidate.getTime() > after.getTime()) return candidate;
    }
  }
  throw new Error('unreachable: a time of day recurs within two days');
}

/** Whether the job is due at `now`. */
export function isBackupDue(schedule: BackupSchedule, lastStart: Date | undefined, since: Date, now: Date): boolean {
  return nextBackupRun(schedule, lastStart, since).getTime() <= now.getTime();
}
