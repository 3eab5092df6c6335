import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from '../src-shared/durations.js';
import { DEFAULT_CRAWL_INTERVAL_SECONDS, leaseExpirySettings } from '../src-main/node/lease-expiry-config.js';
import { createIntroducerDirectory, loadNodeDirectory } from '../src-main/node/node-dir.js';

const DAY = 86_400;

describe('durations', () => {
  it('reads seconds and text with units', () => {
    expect(parseDuration(3600)).toBe(3600);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('30 minutes')).toBe(1800);
    expect(parseDuration('1.5h')).toBe(5400);
    expect(parseDuration('60 days')).toBe(60 * DAY);
    expect(parseDuration('2 weeks')).toBe(14 * DAY);
    expect(parseDuration('1 month')).toBe(31 * DAY);
    expect(parseDuration('1 year')).toBe(365 * DAY);
  });

  it('refuses what is not a duration, and "ms" is not minutes', () => {
    for (const bad of ['', 'soon', '2ms', '3 fortnights', '-5', -1, Infinity, true, null]) {
      expect(() => parseDuration(bad), JSON.stringify(bad)).toThrow(/is not a duration \(examples: /);
    }
  });
});

describe('storage.leaseExpiry', () => {
  it('is off by default (as in Tahoe), crawling hourly', () => {
    expect(leaseExpirySettings(undefined)).toEqual({ policy: { enabled: false, mode: 'age' }, crawlIntervalMs: DEFAULT_CRAWL_INTERVAL_SECONDS * 1000 });
    expect(leaseExpirySettings({ enabled: false })).toEqual({ policy: { enabled: false, mode: 'age' }, crawlIntervalMs: 3_600_000 });
  });

  it('turns the config into the crawler policy', () => {
    expect(leaseExpirySettings({ enabled: true, mode: 'age', overrideLeaseDuration: '60 days', crawlInterval: '10 minutes' })).toEqual({
      policy: { enabled: true, mode: 'age', overrideLeaseDuration: 60 * DAY },
      crawlIntervalMs: 600_000,
    });
    expect(leaseExpirySettings({ enabled: true, mode: 'cutoff-date', cutoffDate: '2026-01-31', crawlInterval: 1 })).toEqual({
      policy: { enabled: true, mode: 'cutoff-date', cutoffDate: Date.UTC(2026, 0, 31) / 1000 },
      crawlIntervalMs: 1000,
    });
  });

  it('refuses bad values with a message naming the key', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['yes', /^"storage\.leaseExpiry" must be an object/],
      [{ enabled: 'true' }, /^"storage\.leaseExpiry\.enabled" must be true or false$/],
      [{ enabled: true, mode: 'aged' }, /^"storage\.leaseExpiry\.mode" must be "age" or "cutoff-date", got "aged"$/],
      [{ enabled: true, expire_cutoff_date: '2026-01-01' }, /^"storage\.leaseExpiry" has an unknown key "expire_cutoff_date" \(known: enabled, mode, /],
      [{ enabled: true, overrideLeaseDuration: 'forever' }, /^"storage\.leaseExpiry\.overrideLeaseDuration" must be a duration: "forever" is not a duration/],
      [{ enabled: true, overrideLeaseDuration: 0 }, /^"storage\.leaseExpiry\.overrideLeaseDuration" must be longer than 0 seconds$/],
      [{ enabled: true, crawlInterval: 0.5 }, /^"storage\.leaseExpiry\.crawlInterval" must be at least 1 second$/],
      [{ enabled: true, mode: 'cutoff-date' }, /^"storage\.leaseExpiry\.cutoffDate" is required in "cutoff-date" mode/],
      [{ enabled: true, mode: 'cutoff-date', cutoffDate: '2026-02-30' }, /^"storage\.leaseExpiry\.cutoffDate" must be a real date: a cutoff date is YYYY-MM-DD, got "2026-02-30"$/],
      [{ enabled: true, mode: 'cutoff-date', cutoffDate: '2026-01-01', overrideLeaseDuration: 5 }, /^"storage\.leaseExpiry\.overrideLeaseDuration" applies only to "mode": "age"$/],
      [{ enabled: true, cutoffDate: '2026-01-01' }, /^"storage\.leaseExpiry\.cutoffDate" applies only to "mode": "cutoff-date"$/],
    ];
    for (const [config, message] of cases) expect(() => leaseExpirySettings(config), JSON.stringify(config)).toThrow(message);
  });

  it('a node directory with a bad leaseExpiry does not load, and says where the problem is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-expiry-config-'));
    try {
      await createIntroducerDirectory(join(dir, 'node'), { listen: '/ip4/127.0.0.1/tcp/0' });
      const path = join(dir, 'node', 'cairn.json');
      const config = JSON.parse(await readFile(path, 'utf8')) as { storage: Record<string, unknown> };
      config.storage.leaseExpiry = { enabled: true, mode: 'age', overrideLeaseDuration: '1 day', crawlInterval: '1s' };
      await writeFile(path, JSON.stringify(config));
      expect((await loadNodeDirectory(join(dir, 'node'))).config.storage.leaseExpiry).toEqual(config.storage.leaseExpiry);
      config.storage.leaseExpiry = { enabled: true, mode: 'oldest' };
      await writeFile(path, JSON.stringify(config));
      await expect(loadNodeDirectory(join(dir, 'node'))).rejects.toThrow(`${path}: "storage.leaseExpiry.mode" must be "age" or "cutoff-date", got "oldest"`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
