// cairn.json "backupDurability": how often the node walks every job's kept snapshots (renewing
// their leases and measuring their health), and how much it may repair in one pass.
import { parseDuration } from '../../src-shared/durations.js';

export interface DurabilitySettings {
  /** seconds between passes */
  readonly interval: number;
  /** files repaired at most per pass */
  readonly repairMaxFiles: number;
  /** bytes (file sizes) repaired at most per pass */
  readonly repairMaxBytes: number;
}

export const DEFAULT_DURABILITY: DurabilitySettings = { interval: 86_400, repairMaxFiles: 100, repairMaxBytes: 1024 ** 3 };

/** Leases run 31 days: a pass at least every 7 days renews them in good time, and at most every minute. */
const MIN_INTERVAL = 60;
const MAX_INTERVAL = 7 * 86_400;

/** Reads the config form; absent keys take the defaults. Throws a RangeError naming the key. */
export function durabilitySettings(value: unknown): DurabilitySettings {
  if (value === undefined) return DEFAULT_DURABILITY;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RangeError('"backupDurability" must be an object such as { "interval": "1 day", "repairMaxFiles": 100 }');
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!['interval', 'repairMaxFiles', 'repairMaxBytes'].includes(key)) throw new RangeError(`"backupDurability" has an unknown key "${key}" (use interval, repairMaxFiles, repairMaxBytes)`);
  }
  const interval = raw.interval === undefined ? DEFAULT_DURABILITY.interval : parseDuration(raw.interval);
  if (interval < MIN_INTERVAL || interval > MAX_INTERVAL) throw new RangeError(`"backupDurability.interval" must be between 1 minute and 7 days (leases run 31 days), got ${JSON.stringify(raw.interval)}`);
  const count = (key: 'repairMaxFiles' | 'repairMaxBytes'): number => {
    const v = raw[key] ?? DEFAULT_DURABILITY[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new RangeError(`"backupDurability.${key}" must be a whole number, 0 or more (0: never repair), got ${JSON.stringify(v)}`);
    return v;
  };
  return { interval, repairMaxFiles: count('repairMaxFiles'), repairMaxBytes: count('repairMaxBytes') };
}
