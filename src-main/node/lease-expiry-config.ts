import { cutoffDateFromText, type ExpirationPolicy } from '../storage/lease-crawler.js';
import { parseDuration } from '../../src-shared/durations.js';

/**
 * `storage.leaseExpiry` as written in cairn.json (docs/config.md); Tahoe's `[storage]expire.*`.
 * Durations are seconds or text such as "60 days".
 */
export interface LeaseExpiryConfig {
  readonly enabled: boolean;
  readonly mode?: 'age' | 'cutoff-date';
  /** 'age' mode: a lease expires this long after its grant or last renewal (default 31 days) */
  readonly overrideLeaseDuration?: number | string;
  /** 'cutoff-date' mode: "YYYY-MM-DD"; leases not renewed since then expire */
  readonly cutoffDate?: string;
  /** how often the crawler walks every share (default 1 hour) */
  readonly crawlInterval?: number | string;
}

export interface LeaseExpirySettings {
  readonly policy: ExpirationPolicy;
  readonly crawlIntervalMs: number;
}

export const DEFAULT_CRAWL_INTERVAL_SECONDS = 3600;
/** A crawl reads every share's header: more often than this only burns disk time. */
export const MIN_CRAWL_INTERVAL_SECONDS = 1;
const KEYS = ['enabled', 'mode', 'overrideLeaseDuration', 'cutoffDate', 'crawlInterval'];

export class LeaseExpiryConfigError extends Error {
  override readonly name = 'LeaseExpiryConfigError';
}

/** Checks `storage.leaseExpiry` (absent: expiry off, as in Tahoe) and turns it into the crawler's policy. */
export function leaseExpirySettings(raw: unknown): LeaseExpirySettings {
  if (raw === undefined) return { policy: { enabled: false, mode: 'age' }, crawlIntervalMs: DEFAULT_CRAWL_INTERVAL_SECONDS * 1000 };
  const fail = (key: string, what: string): never => {
    throw new LeaseExpiryConfigError(`"storage.leaseExpiry${key === '' ? '' : `.${key}`}" ${what}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('', 'must be an object such as { "enabled": true, "mode": "age", "overrideLeaseDuration": "60 days" }');
  const config = raw as Partial<LeaseExpiryConfig>;
  for (const key of Object.keys(config)) {
    if (!KEYS.includes(key)) fail('', `has an unknown key "${key}" (known: ${KEYS.join(', ')})`);
  }
  if (typeof config.enabled !== 'boolean') fail('enabled', 'must be true or false');
  const mode = config.mode ?? 'age';
  if (mode !== 'age' && mode !== 'cutoff-date') fail('mode', `must be "age" or "cutoff-date", got ${JSON.stringify(mode)}`);
  const duration = (key: 'overrideLeaseDuration' | 'crawlInterval'): number | undefined => {
    if (config[key] === undefined) return undefined;
    let seconds = 0;
    try {
      seconds = parseDuration(config[key]);
    } catch (error) {
      fail(key, `must be a duration: ${(error as Error).message}`);
    }
    if (seconds <= 0) fail(key, 'must be longer than 0 seconds');
    return seconds;
  };
  const overrideLeaseDuration = duration('overrideLeaseDuration');
  const crawlInterval = duration('crawlInterval') ?? DEFAULT_CRAWL_INTERVAL_SECONDS;
  if (crawlInterval < MIN_CRAWL_INTERVAL_SECONDS) fail('crawlInterval', `must be at least ${MIN_CRAWL_INTERVAL_SECONDS} second`);
  let cutoffDate: number | undefined;
  if (mode === 'age') {
    if (config.cutoffDate !== undefined) fail('cutoffDate', 'applies only to "mode": "cutoff-date"');
  } else {
    if (overrideLeaseDuration !== undefined) fail('overrideLeaseDuration', 'applies only to "mode": "age"');
    if (typeof config.cutoffDate !== 'string') fail('cutoffDate', 'is required in "cutoff-date" mode: a date "YYYY-MM-DD" (UTC)');
    try {
      cutoffDate = cutoffDateFromText(config.cutoffDate!);
    } catch (error) {
      fail('cutoffDate', `must be a real date: ${(error as Error).message}`);
    }
  }
  const policy: ExpirationPolicy = {
    enabled: config.enabled!,
    mode,
    ...(overrideLeaseDuration === undefined ? {} : { overrideLeaseDuration }),
    ...(cutoffDate === undefined ? {} : { cutoffDate }),
  };
  return { policy, crawlIntervalMs: crawlInterval * 1000 };
}

/** One line for the log, e.g. "on (age: leases older than 60 days), crawl every 3600 s". */
export function describeLeaseExpiry({ policy, crawlIntervalMs }: LeaseExpirySettings): string {
  const crawl = `crawl every ${crawlIntervalMs / 1000} s`;
  if (!policy.enabled) return `off (the crawler only counts), ${crawl}`;
  if (policy.mode === 'cutoff-date') return `on (leases not renewed since ${new Date(policy.cutoffDate! * 1000).toISOString().slice(0, 10)}), ${crawl}`;
  return `on (leases older than ${policy.overrideLeaseDuration ?? 31 * 86_400} s), ${crawl}`;
}
