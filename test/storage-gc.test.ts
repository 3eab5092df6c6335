import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base32Encode } from '../src-shared/base32.js';
import { StorageBackend } from '../src-main/storage/backend.js';
import { BadArgumentError } from '../src-main/storage/errors.js';
import { parseImmutableContainer } from '../src-main/storage/immutable-container.js';
import { LeaseCrawler, cutoffDateFromText, leaseExpiryTest, type CrawlResult } from '../src-main/storage/lease-crawler.js';

const T0 = 1_700_000_000;
const DAY = 24 * 3600;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

let dir: string;
let clock: number;
let backend: StorageBackend;
const crawlers: LeaseCrawler[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-gc-'));
  clock = T0;
  backend = await StorageBackend.open({ dir, reservedSpace: 0, now: () => clock });
});

afterEach(async () => {
  await Promise.all(crawlers.splice(0).map((c) => c.stop()));
  await backend.close();
  await rm(dir, { recursive: true, force: true });
});

function crawler(expiration: ConstructorParameters<typeof LeaseCrawler>[1]['expiration'], extra: Partial<ConstructorParameters<typeof LeaseCrawler>[1]> = {}) {
  const made = new LeaseCrawler(backend, { expiration, ...extra });
  crawlers.push(made);
  return made;
}

function bucketDir(si: Uint8Array): string {
  const b32 = base32Encode(si);
  return join(dir, 'shares', b32.slice(0, 2), b32);
}

async function store(si: Uint8Array, shnums: number[], data: Uint8Array, lease = { renew: randomBytes(32), cancel: randomBytes(32) }) {
  const { writers } = await backend.allocateBuckets(si, lease.renew, lease.cancel, shnums, data.length);
  for (const writer of writers.values()) {
    await writer.write(0, data);
    await writer.close();
  }
  return lease;
}

const AGE = { enabled: true, mode: 'age' } as const;

describe('lease crawler', () => {
  it('removes shares whose only lease expired, with their bucket directory; keeps renewed ones', async () => {
    const stale = randomBytes(16);
    const renewed = randomBytes(16);
    await store(stale, [0, 1], randomBytes(100));
    const lease = await store(renewed, [3], randomBytes(100));
    clock += 20 * DAY;
    await backend.addLease(renewed, lease.renew, lease.cancel);

    clock = T0 + 31 * DAY; // exactly at expiry: not yet expired
    expect((await crawler(AGE).runOnce()).sharesDeleted).toBe(0);

    clock = T0 + 35 * DAY;
    const result = await crawler(AGE).runOnce();
    expect(result).toEqual<CrawlResult>({
      dryRun: false,
      storageIndexes: 2,
      sharesExamined: 3,
      leasesExamined: 3,
      leasesExpired: 2,
      sharesDeleted: 2,
      bucketsRemoved: 1,
      unreadableShares: 0,
      idleUploadsAborted: 0,
    });
    await expect(stat(bucketDir(stale))).rejects.toThrow(/ENOENT/);
    expect((await backend.getBuckets(stale)).size).toBe(0);
    expect([...(await backend.getBuckets(renewed)).keys()]).toEqual([3]);
    expect((await backend.stats()).shares).toBe(1);
  });

  it('drops only the expired lease of a share that has another, and the data is intact', async () => {
    const si = randomBytes(16);
    const data = randomBytes(500);
    await store(si, [0], data);
    clock += 10 * DAY;
    const later = { renew: randomBytes(32), cancel: randomBytes(32) };
    await backend.addLease(si, later.renew, later.cancel);
    const path = join(bucketDir(si), '0');
    expect((await stat(path)).size).toBe(12 + 500 + 2 * 72);

    clock = T0 + 32 * DAY;
    const result = await crawler(AGE).runOnce();
    expect(result).toMatchObject({ leasesExamined: 2, leasesExpired: 1, sharesDeleted: 0, bucketsRemoved: 0 });
    const file = new Uint8Array(await readFile(path));
    expect(file.length).toBe(12 + 500 + 72);
    const container = parseImmutableContainer(file);
    expect(container.leases.map((l) => [l.ownerNumber, l.expirationTime])).toEqual([[1, T0 + 41 * DAY]]);
    expect(hex(container.shareData)).toBe(hex(data));
    expect(hex(await (await backend.getBuckets(si)).get(0)!.read(0, 500))).toBe(hex(data));
    // the surviving lease is still the one that renews
    await backend.renewLease(si, later.renew);
  });

  it('when disabled, only counts what it would remove', async () => {
    const si = randomBytes(16);
    await store(si, [0], randomBytes(10));
    clock += 100 * DAY;
    const result = await crawler({ enabled: false, mode: 'age' }).runOnce();
    expect(result).toMatchObject({ dryRun: true, sharesExamined: 1, leasesExpired: 1, sharesDeleted: 1, bucketsRemoved: 0 });
    expect((await backend.getBuckets(si)).size).toBe(1);
    expect(parseImmutableContainer(new Uint8Array(await readFile(join(bucketDir(si), '0')))).leases).toHaveLength(1);
  });

  it("'age' mode with overrideLeaseDuration", async () => {
    const si = randomBytes(16);
    await store(si, [0], randomBytes(10));
    const policy = { ...AGE, overrideLeaseDuration: 60 * DAY };
    clock = T0 + 59 * DAY;
    expect((await crawler(policy).runOnce()).sharesDeleted).toBe(0);
    clock = T0 + 61 * DAY;
    expect((await crawler(policy).runOnce()).sharesDeleted).toBe(1);
  });

  it("'cutoff-date' mode expires leases granted before the date", async () => {
    const old = randomBytes(16);
    const fresh = randomBytes(16);
    clock = cutoffDateFromText('2024-01-01') - DAY;
    await store(old, [0], randomBytes(10));
    clock = cutoffDateFromText('2024-01-01') + DAY;
    await store(fresh, [0], randomBytes(10));
    const result = await crawler({ enabled: true, mode: 'cutoff-date', cutoffDate: cutoffDateFromText('2024-01-01') }).runOnce();
    expect(result).toMatchObject({ sharesExamined: 2, sharesDeleted: 1 });
    expect((await backend.getBuckets(old)).size).toBe(0);
    expect((await backend.getBuckets(fresh)).size).toBe(1);
  });

  it('leaves unparseable share files and uploads in progress alone', async () => {
    const si = randomBytes(16);
    await store(si, [0], randomBytes(10));
    await writeFile(join(bucketDir(si), '1'), new Uint8Array(3));
    await writeFile(join(bucketDir(si), 'notes.txt'), 'not a share');
    const pending = randomBytes(16);
    const { writers } = await backend.allocateBuckets(pending, randomBytes(32), randomBytes(32), [0], 10);
    clock += 40 * DAY; // the upload is idle by now too
    const result = await crawler(AGE).runOnce();
    expect(result).toMatchObject({ sharesDeleted: 1, unreadableShares: 1, bucketsRemoved: 0, idleUploadsAborted: 1 });
    expect((await readdir(bucketDir(si))).sort()).toEqual(['1', 'notes.txt']);
    await expect(writers.get(0)!.write(0, new Uint8Array(1))).rejects.toThrow(/30 minutes/);
  });

  it('start() runs periodically on unref’d timers; stop() ends it', async () => {
    const si = randomBytes(16);
    await store(si, [0], randomBytes(10));
    clock += 40 * DAY;
    const runs: CrawlResult[] = [];
    const periodic = crawler(AGE, { onRun: (r) => runs.push(r) });
    periodic.start(5);
    await expect.poll(() => runs.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    await periodic.stop();
    const count = runs.length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs.length).toBe(count);
    expect(runs[0]).toMatchObject({ sharesDeleted: 1 });
    expect(runs[1]).toMatchObject({ storageIndexes: 0 });
  });

  it('concurrent runOnce calls share one pass', async () => {
    const gc = crawler(AGE);
    const [a, b] = [gc.runOnce(), gc.runOnce()];
    expect(a).toBe(b);
    await a;
  });
});

describe('expiration policy', () => {
  const lease = (expirationTime: number) => ({ ownerNumber: 0, renewSecret: new Uint8Array(32), cancelSecret: new Uint8Array(32), expirationTime });

  it('age: expired once now − (expiration − 31 days) exceeds the duration', () => {
    expect(leaseExpiryTest(AGE, T0)(lease(T0))).toBe(false);
    expect(leaseExpiryTest(AGE, T0 + 1)(lease(T0))).toBe(true);
    expect(leaseExpiryTest({ ...AGE, overrideLeaseDuration: DAY }, T0)(lease(T0 + 29 * DAY))).toBe(true);
    expect(leaseExpiryTest({ ...AGE, overrideLeaseDuration: DAY }, T0)(lease(T0 + 30 * DAY))).toBe(false);
  });

  it('cutoff dates are YYYY-MM-DD at midnight UTC; bad policies are refused', () => {
    expect(cutoffDateFromText('2024-03-01')).toBe(Date.UTC(2024, 2, 1) / 1000);
    for (const bad of ['2024-02-30', '2024-3-1', 'yesterday', '']) expect(() => cutoffDateFromText(bad)).toThrow(BadArgumentError);
    expect(() => crawler({ enabled: true, mode: 'cutoff-date' })).toThrow(/needs a cutoffDate/);
    expect(() => crawler({ ...AGE, overrideLeaseDuration: -1 })).toThrow(BadArgumentError);
    expect(() => crawler(AGE).start(0)).toThrow(BadArgumentError);
  });
});
