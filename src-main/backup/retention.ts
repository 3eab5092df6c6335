// Which snapshots a retention policy keeps: the model of restic's and Borg's "keep" rules.
//
// `last` keeps the newest N snapshots. `hourly`, `daily`, `weekly` and `monthly` each keep
// the newest snapshot of the N most recent hours (days, ISO weeks, months) that have one. A
// snapshot is kept if any rule keeps it; the newest is always kept. Periods are counted in
// UTC, so the answer does not change with the computer's time zone.

export interface RetentionPolicy {
  readonly last?: number;
  readonly hourly?: number;
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
}

export interface Snapshot {
  readonly name: string;
  readonly time: Date;
}

export interface RetentionDecision<T extends Snapshot> {
  /** newest first */
  readonly keep: T[];
  /** newest first */
  readonly remove: T[];
  /** why each kept snapshot is kept, by name: "last 1", "daily 3"… */
  readonly reasons: ReadonlyMap<string, string[]>;
}

export const RETENTION_RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly'] as const;
export type RetentionRule = (typeof RETENTION_RULES)[number];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The ISO week a day belongs to, as "YYYY-Www" (weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(time: Date): string {
  const day = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
  const weekday = day.getUTCDay() || 7; // Monday 1 … Sunday 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week names its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${pad(week)}`;
}

const PERIOD_OF: Readonly<Record<Exclude<RetentionRule, 'last'>, (time: Date) => string>> = {
  hourly: (t) => `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}`,
  daily: (t) => `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`,
  weekly: isoWeek,
  monthly: (t) => `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}`,
};

/** Checks a policy: each count a whole number ≥ 0; unknown rules are refused by name. */
export function checkRetentionPolicy(value: unknown): RetentionPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RangeError('a retention policy is an object such as { "last": 10, "daily": 7 }');
  const policy: Record<string, number> = {};
  for (const [rule, count] of Object.entries(value)) {
    if (!(RETENTION_RULES as readonly string[]).includes(rule)) {
      throw new RangeError(`unknown retention rule "${rule}" (use ${RETENTION_RULES.join(', ')})`);
    }
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`retention "${rule}" must be a whole number of snapshots, 0 or more (got ${JSON.stringify(count)})`);
    }
    policy[rule] = count;
  }
  return policy;
}

/** Applies `policy` to `snapshots` (any order; names must be distinct). An empty policy keeps everything. */
export function applyRetention<T extends Snapshot>(snapshots: readonly T[], policy: RetentionPolicy): RetentionDecision<T> {
  const newestFirst = [...snapshots].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.name < b.name ? 1 : -1));
  const reasons = new Map<string, string[]>();
  const keep = (snapshot: T, why: string): void => {
    const list = reasons.get(snapshot.name);
    if (list === undefined) reasons.set(snapshot.name, [why]);
    else list.push(why);
  };
  const ruled = RETENTION_RULES.some((rule) => policy[rule] !== undefined);
  if (!ruled) for (const snapshot of newestFirst) keep(snapshot, 'no retention policy');

  newestFirst.slice(0, policy.last ?? 0).forEach((snapshot, i) => keep(snapshot, `last ${i + 1}`));
  for (const rule of ['hourly', 'daily', 'weekly', 'monthly'] as const) {
    const count = policy[rule] ?? 0;
    const seen = new Set<string>();
    for (const snapshot of newestFirst) {
      if (seen.size >= count) break;
      const period = PERIOD_OF[rule](snapshot.time);
      if (seen.has(period)) continue;
      seen.add(period);
      keep(snapshot, `${rule} ${seen.size}`);
    }
  }
  const newest = newestFirst[0];
  if (newest !== undefined && !reasons.has(newest.name)) keep(newest, 'newest');
  return {
    keep: newestFirst.filter((s) => reasons.has(s.name)),
    remove: newestFirst.filter((s) => !reasons.has(s.name)),
    reasons,
  };
}
