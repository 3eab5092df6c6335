import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCap, type FileCap } from '../src-shared/caps/index.js';
import { checkImmutable } from '../src-main/grid/checker.js';
import { downloadImmutable } from '../src-main/grid/downloader.js';
import { NotEnoughSharesFoundError, UploadUnhappinessError } from '../src-main/grid/errors.js';
import { uploadImmutable, type ChunkReading, type Uploadable } from '../src-main/grid/uploader.js';
import { SegmentWorkerPool } from '../src-main/core/workers/segment-worker-pool.js';
import { localServers, type LocalServer } from './support/local-grid.js';
import { sameBytes } from './support/chk.js';

const leaseSecret = randomBytes(32);
const convergenceSecret = randomBytes(32);
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

async function grid(count: number, options?: Parameters<typeof localServers>[1]): Promise<LocalServer[]> {
  const { servers, cleanup } = await localServers(count, options);
  cleanups.push(cleanup);
  return servers;
}

function bytesUploadable(data: Uint8Array): Uploadable {
  return {
    size: data.length,
    async *open() {
      for (let at = 0; at < data.length; at += 65536) yield data.subarray(at, at + 65536);
    },
  };
}

async function download(cap: FileCap, servers: readonly LocalServer[], onBad?: (share: string) => void): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of downloadImmutable(cap, { servers, onBadShare: (e) => onBad?.(e.share) })) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Every final share file on a server (not incoming). */
async function shareFiles(server: LocalServer): Promise<string[]> {
  const root = join(server.dir, 'shares');
  const out: string[] = [];
  for (const prefix of await readdir(root).catch(() => [])) {
    if (prefix === 'incoming') continue;
    for (const si of await readdir(join(root, prefix))) for (const n of await readdir(join(root, prefix, si))) out.push(join(root, prefix, si, n));
  }
  return out;
}

const encoding = { needed: 3, happy: 7, total: 10 };

describe('upload and download over real storage backends', () => {
  it('3/7/10 round trip; any 3 servers holding shares are enough', async () => {
    const servers = await grid(10);
    const data = randomBytes(1024 * 1024 + 1);
    const result = await uploadImmutable(bytesUploadable(data), { servers, encoding, leaseSecret, convergenceSecret, maxSegmentSize: 128 * 1024 });
    expect(result.happiness).toBeGreaterThanOrEqual(7);
    expect(sameBytes(await download(result.cap, servers), data)).toBe('same');
    const holders = servers.filter((s) => (result.placement.get(s.id)?.size ?? 0) > 0);
    for (let trial = 0; trial < 5; trial++) {
      const survivors = [...holders].sort(() => Math.random() - 0.5).slice(0, 3);
      expect(sameBytes(await download(result.cap, survivors), data)).toBe('same');
    }
  });

  it('sizes 0, 1, 55 (LIT, no servers) and 56, 1 MiB ± 1', async () => {
    const servers = await grid(10);
    for (const size of [0, 1, 55]) {
      const data = randomBytes(size);
      const { cap } = await uploadImmutable(bytesUploadable(data), { servers: [], encoding, leaseSecret });
      expect(cap.kind).toBe('lit');
      expect(sameBytes(await download(cap, []), data)).toBe('same');
    }
    for (const size of [56, 1024 * 1024 - 1, 1024 * 1024]) {
      const data = randomBytes(size);
      const { cap } = await uploadImmutable(bytesUploadable(data), { servers, encoding, leaseSecret, convergenceSecret });
      expect(cap.kind).toBe('chk');
      expect(sameBytes(await download(cap, servers), data)).toBe('same');
    }
  });

  it('the same file uploaded twice gets the same cap and reuses the shares', async () => {
    const servers = await grid(10);
    const data = randomBytes(300_000);
    const first = await uploadImmutable(bytesUploadable(data), { servers, encoding, leaseSecret, convergenceSecret });
    const before = (await Promise.all(servers.map(shareFiles))).flat().length;
    const second = await uploadImmutable(bytesUploadable(data), { servers, encoding, leaseSecret, convergenceSecret });
    expect(formatCap(second.cap)).toBe(formatCap(first.cap));
    expect((await Promise.all(servers.map(shareFiles))).flat().length).toBe(before);
  });

  it('a small file: whole shares put in one request per server, reused by a second upload, placed around a failed server', async () => {
    const servers = await grid(10);
    const data = randomBytes(5000);
    const first = await uploadImmutable(bytesUploadable(data), { servers, encoding, leaseSecret, convergenceSecret });
    expect(first.happiness).toBeGreaterThanOrEqual(7);
    const before = (await Promise.all(servers.map(shareFiles))).flat().length;
    expect(before).toBe(10);
    for (const s of servers) expect((await s.backend.stats()).openWriters).toBe(0);
    const second = await uploadImmutable(bytesUploadable(data), { servers, encoding, leaseSecret, convergenceSecret });
    expect(formatCap(second.cap)).toBe(formatCap(first.cap));
    expect((await Promise.all(servers.map(shareFiles))).flat().length).toBe(before);

    // A real fault: one server's share directory is replaced by a file, so its writes fail.
    const other = randomBytes(5000);
    const failed = servers[3]!;
    await rm(join(failed.dir, 'shares'), { recursive: true, force: true });
    await writeFile(join(failed.dir, 'shares'), 'not a directory');
    const third = await uploadImmutable(bytesUploadable(other), { servers, encoding, leaseSecret, convergenceSecret });
    expect(third.happiness).toBeGreaterThanOrEqual(7);
    expect(third.placement.has(failed.id)).toBe(false);
    expect(sameBytes(await download(third.cap, servers.filter((s) => s !== failed)), other)).toBe('same');
  });

  it('too few servers: a clear error and no share anywhere', async () => {
    const servers = await grid(4);
    const upload = uploadImmutable(bytesUploadable(randomBytes(100_000)), { servers, encoding, leaseSecret });
    await expect(upload).rejects.toThrow(UploadUnhappinessError);
    await expect(uploadImmutable(bytesUploadable(randomBytes(100_000)), { servers, encoding, leaseSecret })).rejects.toThrow(
      'upload needs 7 storage servers (happiness 7), but only 4 are connected',
    );
    for (const s of servers) expect(await shareFiles(s)).toEqual([]);
  });

  it('full servers: a clear error, buckets aborted, no share anywhere', async () => {
    const servers = await grid(8, { reservedSpace: (i) => (i < 5 ? Number.MAX_SAFE_INTEGER : 0) });
    const upload = uploadImmutable(bytesUploadable(randomBytes(100_000)), { servers, encoding: { needed: 2, happy: 5, total: 6 }, leaseSecret });
    await expect(upload).rejects.toThrow('shares could only be placed on 3 storage servers; 5 are needed (8 responded, 5 of them are full or read-only)');
    for (const s of servers) {
      expect(await shareFiles(s)).toEqual([]);
      expect((await s.backend.stats()).openWriters).toBe(0);
    }
  });

  it('a server that fails mid-upload has its shares placed elsewhere', async () => {
    const servers = await grid(10);
    const data = randomBytes(2 * 1024 * 1024);
    let failed: LocalServer | undefined;
    const result = await uploadImmutable(bytesUploadable(data), {
      servers,
      encoding,
      leaseSecret,
      convergenceSecret,
      maxSegmentSize: 256 * 1024,
      onProgress: (done) => {
        if (failed === undefined && done > 0) {
          // A real fault: the server's backend closes, aborting its open buckets.
          failed = servers[0]!; // 10 shares on 10 servers: every server is being written to
          void failed.backend.close();
        }
      },
    });
    expect(failed).toBeDefined();
    expect(result.placement.has(failed!.id)).toBe(false);
    expect(await shareFiles(failed!)).toEqual([]);
    const rest = servers.filter((s) => s !== failed);
    expect(sameBytes(await download(result.cap, rest), data)).toBe('same');
  });

  it('through the worker pool: blocks written from its lanes, every lane back, also when a server fails mid-upload', async () => {
    const servers = await grid(10);
    const pool = new SegmentWorkerPool({ size: 2 });
    cleanups.push(() => pool.close());
    const MiB = 1024 * 1024;
    const data = randomBytes(8 * MiB + 17);
    // a source that reads as the uploader asks (into its recycled buffers), like a file
    const readings: ChunkReading[] = [];
    const readingSource: Uploadable = {
      size: data.length,
      async *open(reading) {
        if (reading === undefined) throw new Error('the uploader should say how to read');
        readings.push(reading);
        for (let at = 0; at < data.length; at += reading.chunkSize) {
          const chunk = reading.allocate(Math.min(reading.chunkSize, data.length - at));
          chunk.set(data.subarray(at, at + chunk.length));
          yield chunk;
        }
      },
    };
    let lanesSeen = 0;
    const first = await uploadImmutable(readingSource, {
      servers,
      encoding,
      leaseSecret,
      convergenceSecret: randomBytes(32),
      segmentEncoder: pool,
      onProgress: () => (lanesSeen = Math.max(lanesSeen, pool.lanesInUse)),
    });
    expect(readings.map((r) => r.chunkSize)).toEqual([1048578, 1048578]); // the key pass and the encoding, a segment at a time
    expect(lanesSeen).toBeGreaterThan(0);
    expect(pool.lanesInUse).toBe(0);
    expect(sameBytes(await download(first.cap, servers), data)).toBe('same');

    let failed: LocalServer | undefined;
    const second = await uploadImmutable(readingSource, {
      servers,
      encoding,
      leaseSecret,
      convergenceSecret: randomBytes(32),
      segmentEncoder: pool,
      onProgress: (done) => {
        if (failed === undefined && done > 0) {
          failed = servers[0]!;
          void failed.backend.close();
        }
      },
    });
    expect(failed).toBeDefined();
    expect(second.placement.has(failed!.id)).toBe(false);
    expect(pool.lanesInUse).toBe(0);
    expect(sameBytes(await download(second.cap, servers.filter((s) => s !== failed)), data)).toBe('same');
  });

  it('never takes over a buffer of the caller\'s: segment-sized chunks of its own are still whole afterwards', async () => {
    const servers = await grid(10);
    const pool = new SegmentWorkerPool({ size: 2 });
    cleanups.push(() => pool.close());
    const segment = 1048578; // the default segment size for 3-of-10
    const chunks = Array.from({ length: 4 }, () => new Uint8Array(randomBytes(segment)));
    const result = await uploadImmutable(
      { size: 4 * segment, async *open() { yield* chunks; } }, // ignores how the uploader asks to read
      { servers, encoding, leaseSecret, convergenceSecret, segmentEncoder: pool },
    );
    expect(chunks.map((c) => c.byteLength)).toEqual([segment, segment, segment, segment]); // none sent to a worker (detached)
    expect(sameBytes(await download(result.cap, servers), Buffer.concat(chunks))).toBe('same');
  });

  it('a corrupt share on disk: the right bytes anyway, and its server gets an advisory', async () => {
    const servers = await grid(10);
    const data = randomBytes(400_000);
    const { cap } = await uploadImmutable(bytesUploadable(data), { servers, encoding, leaseSecret, convergenceSecret });
    // Corrupt share 0 (a primary, so it is read first) wherever it is.
    const holderOfZero = [...(await shareHolders(servers, 0))][0];
    const victim = servers.find((s) => s.id === holderOfZero)!;
    const file = (await shareFiles(victim)).find((p) => p.endsWith('/0'))!;
    const bytes = await readFile(file);
    bytes[12 + 0x24 + 1000]! ^= 0xff;
    await writeFile(file, bytes);
    const named: string[] = [];
    expect(sameBytes(await download(cap, servers, (s) => named.push(s)), data)).toBe('same');
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(/^0 on /);
    await new Promise((r) => setTimeout(r, 100));
    expect(await readdir(join(victim.dir, 'corruption-advisories'))).toHaveLength(1);
  });

  it('starts once K shares are found; when they turn out corrupt, goes on with a slow server that answered later', async () => {
    const servers = await grid(10);
    const data = randomBytes(400_000);
    const { cap, placement } = await uploadImmutable(bytesUploadable(data), { servers, encoding, leaseSecret, convergenceSecret, maxSegmentSize: 100_000 });
    // Each server holds one share. One answers 1 s late (a delay is the only fault made up
    // here); the block data of all but two of the others is corrupt.
    const slow = servers.find((s) => placement.get(s.id)?.has(9))!;
    const prompt = servers.filter((s) => s !== slow);
    for (const server of prompt.slice(2)) {
      for (const file of await shareFiles(server)) {
        const bytes = await readFile(file);
        bytes[12 + 0x24 + 10]! ^= 0xff; // the first block of segment 0
        await writeFile(file, bytes);
      }
    }
    const delayed: LocalServer = {
      ...slow,
      api: { ...slow.api, getBuckets: async (si, hints) => {
        await new Promise((r) => setTimeout(r, 1000));
        return slow.api.getBuckets(si, hints);
      } } as LocalServer['api'],
    };
    const named: string[] = [];
    const started = performance.now();
    expect(sameBytes(await download(cap, [...prompt, delayed], (s) => named.push(s)), data)).toBe('same');
    expect(named).toHaveLength(7);
    expect(named.some((s) => s.startsWith('9 on '))).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000); // it had to wait for share 9

    // Without corruption, the slow server is not waited for: the download ends first.
    const other = randomBytes(200_000);
    const second = await uploadImmutable(bytesUploadable(other), { servers, encoding, leaseSecret, convergenceSecret });
    const frozen: LocalServer = { ...slow, api: { ...slow.api, getBuckets: () => new Promise(() => undefined) } as LocalServer['api'] };
    const start = performance.now();
    const chunks: Uint8Array[] = [];
    for await (const chunk of downloadImmutable(second.cap, { servers: [...servers.filter((s) => s !== slow), frozen], queryTimeoutMs: 60_000 })) chunks.push(chunk);
    expect(sameBytes(Buffer.concat(chunks), other)).toBe('same');
    expect(performance.now() - start).toBeLessThan(30_000); // far less than the 60 s query timeout
  });

  it('too few shares left: a clear error', async () => {
    const servers = await grid(10);
    const { cap, placement } = await uploadImmutable(bytesUploadable(randomBytes(100_000)), { servers, encoding, leaseSecret });
    const holdingOne = servers.filter((s) => placement.get(s.id)?.size === 1).slice(0, 2);
    await expect(download(cap, holdingOne)).rejects.toThrow(NotEnoughSharesFoundError);
    await expect(download(cap, holdingOne)).rejects.toThrow('found 2 of the 3 shares needed to rebuild the file, on 2 connected storage servers');
  });
});

describe('check, verify and repair', () => {
  it('counts shares, finds corrupt ones with verify, and repair restores missing shares', async () => {
    const servers = await grid(10);
    const data = randomBytes(500_000);
    const { cap } = await uploadImmutable(bytesUploadable(data), { servers, encoding, leaseSecret, convergenceSecret, maxSegmentSize: 100_000 });
    if (cap.kind !== 'chk') throw new Error('expected a CHK cap');
    const options = { servers, encoding, leaseSecret };
    const healthy = await checkImmutable(cap, options);
    expect(healthy).toMatchObject({ healthy: true, recoverable: true, sharesFound: 10, serversWithShares: 10, happiness: 10 });
    expect(healthy.summary).toBe('healthy: 10 of 10 shares found on 10 servers (3 needed); happiness 10 of 7');

    // Lose 5 shares (their files deleted), corrupt one more.
    const files = (await Promise.all(servers.map(shareFiles))).flat();
    for (const file of files.slice(0, 5)) await rm(file);
    const bytes = await readFile(files[5]!);
    bytes[bytes.length - 100]! ^= 1;
    await writeFile(files[5]!, bytes);
    const counted = await checkImmutable(cap, options);
    expect(counted).toMatchObject({ healthy: false, recoverable: true, sharesFound: 5 });
    const verified = await checkImmutable(cap, { ...options, verify: true });
    expect(verified.sharesFound).toBe(4);
    expect(verified.corruptShares).toHaveLength(1);
    expect(verified.summary).toMatch(/^not healthy \(recoverable\): 4 of 10 shares found on 4 servers \(3 needed\); happiness 4 of 7; 1 corrupt share$/);

    const repaired = await checkImmutable(cap, { ...options, repair: true });
    expect(repaired.repaired).toBe(true);
    expect(repaired.happiness).toBeGreaterThanOrEqual(7);
    expect(sameBytes(await download(cap, servers), data)).toBe('same');
  });

  it('a file with fewer than K shares left is reported as not recoverable', async () => {
    const servers = await grid(5);
    const { cap } = await uploadImmutable(bytesUploadable(randomBytes(100_000)), { servers, encoding: { needed: 3, happy: 5, total: 5 }, leaseSecret });
    if (cap.kind !== 'chk') throw new Error('expected a CHK cap');
    const result = await checkImmutable(cap, { servers: servers.slice(0, 2), encoding, leaseSecret, repair: true });
    expect(result).toMatchObject({ recoverable: false, healthy: false, sharesFound: 2 });
    expect(result.repaired).toBeUndefined();
    expect(result.summary).toMatch(/^NOT recoverable: 2 of 5 shares/);
  });
});

async function shareHolders(servers: readonly LocalServer[], shareNumber: number): Promise<Set<string>> {
  const holders = new Set<string>();
  for (const s of servers) if ((await shareFiles(s)).some((p) => p.endsWith(`/${shareNumber}`))) holders.add(s.id);
  return holders;
}
