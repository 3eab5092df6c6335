// Check, verify, repair and add-lease of mutable files between real processes: six storage
// servers, each its own process, and a client host in this process. Encoding 3/5/6.
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Encode } from '../src-shared/base32.js';
import { mutableStorageIndexOf, readOnlyCapOf, verifyCapOf, type ChkReadCap, type MutableWriteCap } from '../src-shared/caps/index.js';
import { layoutOf } from '../src-main/core/mutable/share-layout.js';
import { checkImmutable } from '../src-main/grid/checker.js';
import { downloadImmutable } from '../src-main/grid/downloader.js';
import type { GridServer } from '../src-main/grid/grid-server.js';
import { MutableRepairNeedsWriteCapError, checkMutable, createMutable, publishMutable, retrieveMutable } from '../src-main/grid/mutable/index.js';
import { uploadImmutable } from '../src-main/grid/uploader.js';
import { startRemoteGrid, type RemoteGrid } from './support/remote-grid.js';

const encoding = { needed: 3, happy: 5, total: 6 };
let grid: RemoteGrid;
let servers: GridServer[];
const leaseSecret = new Uint8Array(randomBytes(32));

beforeAll(async () => {
  grid = await startRemoteGrid(6);
  servers = await grid.client();
}, 60_000);

afterAll(async () => {
  await grid?.stop();
});

const check = (cap: Parameters<typeof checkMutable>[0], flags: { verify?: boolean; repair?: boolean; addLease?: boolean } = {}) =>
  checkMutable(cap, { servers, happy: encoding.happy, leaseSecret, ...flags });

function sharePath(i: number, cap: MutableWriteCap, shareNumber: number): string {
  const si = base32Encode(mutableStorageIndexOf(cap));
  return join(grid.servers[i]!.dir, 'shares', si.slice(0, 2), si, String(shareNumber));
}

/** Which server process holds each share number. */
async function holders(cap: MutableWriteCap): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  for (let i = 0; i < grid.servers.length; i++) {
    for (let n = 0; n < encoding.total; n++) {
      if (await readFile(sharePath(i, cap, n)).then(() => true, () => false)) found.set(n, i);
    }
  }
  return found;
}

describe('checkMutable', () => {
  it('a fresh file is healthy: one version, every share, which server holds which', async () => {
    const { cap, info } = await createMutable(new Uint8Array(randomBytes(5000)), { servers, encoding, leaseSecret });
    const result = await check(cap);
    expect(result.healthy).toBe(true);
    expect(result).toMatchObject({ recoverable: true, sharesNeeded: 3, sharesTotal: 6, sharesFound: 6, happy: 5, corruptShares: [] });
    expect(result.versions).toEqual([{ seqnum: 1, rootHash: Buffer.from(info.rootHash).toString('hex'), sharesFound: 6, recoverable: true }]);
    expect(result.servers.flatMap((s) => s.shares).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.summary).toMatch(/^healthy: 6 of 6 shares of version 1 found on \d servers \(3 needed\); happiness \d of 5$/);
    // Read and verify caps check too.
    expect((await check(readOnlyCapOf(cap), { verify: true })).healthy).toBe(true);
    expect((await check(verifyCapOf(cap), { verify: true, addLease: true })).healthy).toBe(true);
  });

  it('missing shares: not healthy; repair writes them back with the same seqnum and root hash', async () => {
    const data = new Uint8Array(randomBytes(30_000));
    const { cap, info } = await createMutable(data, { servers, encoding, leaseSecret });
    const where = await holders(cap);
    await rm(sharePath(where.get(0)!, cap, 0));
    await rm(sharePath(where.get(4)!, cap, 4));
    const before = await check(cap);
    expect(before).toMatchObject({ healthy: false, recoverable: true, sharesFound: 4 });
    expect(before.summary).toMatch(/^not healthy \(recoverable\): 4 of 6 shares of version 1/);

    const repaired = await check(cap, { repair: true });
    expect(repaired.repaired).toBe(true);
    expect(repaired.repair).toMatch(/^wrote version 1 again \(same seqnum and root hash\)/);
    expect(repaired.healthy).toBe(true);
    expect(repaired.summary).toMatch(/^repaired; now healthy: 6 of 6 shares of version 1/);
    const after = await retrieveMutable(cap, { servers });
    expect(Buffer.from(after.plaintext).equals(Buffer.from(data))).toBe(true);
    expect(after.info.seqnum).toBe(1);
    expect(Buffer.from(after.info.rootHash).equals(Buffer.from(info.rootHash))).toBe(true);
    expect((await check(cap, { verify: true })).healthy).toBe(true);
  });

  it('a flipped block byte is found only by verify, advised, and repair rewrites the share', async () => {
    const data = new Uint8Array(randomBytes(40_000));
    const { cap } = await createMutable(data, { servers, encoding, leaseSecret });
    const where = await holders(cap);
    const path = sharePath(where.get(2)!, cap, 2);
    const bytes = await readFile(path);
    bytes[468 + layoutOf(3, 6, data.length).shareData + 77]! ^= 0x10; // after the 468-byte container header
    await writeFile(path, bytes);

    expect((await check(cap)).healthy).toBe(true); // the head is intact: counting shares cannot tell
    const verified = await check(cap, { verify: true });
    expect(verified.healthy).toBe(false);
    expect(verified.sharesFound).toBe(5);
    expect(verified.corruptShares).toEqual([expect.stringMatching(/^share 2 on s\d \(\w{8}\): .*block/)]);

    const repaired = await check(cap, { verify: true, repair: true });
    expect(repaired.repaired).toBe(true);
    expect(repaired.corruptShares).toHaveLength(1);
    expect(repaired.healthy).toBe(true);
    expect(await check(cap, { verify: true })).toMatchObject({ healthy: true, corruptShares: [] });
  });

  it('a share of an old version left on a server: not healthy; repair replaces it with the newest', async () => {
    const { cap } = await createMutable(new Uint8Array([1, 2, 3]), { servers, encoding, leaseSecret });
    const where = await holders(cap);
    const left = where.get(5)!;
    // Publish version 2 to every server but one: its share stays at version 1.
    await publishMutable(cap, new Uint8Array([4, 5, 6, 7]), { servers: servers.filter((_, i) => i !== left), encoding, leaseSecret });
    const before = await check(cap);
    expect(before.healthy).toBe(false);
    expect(before.versions?.map((v) => v.seqnum)).toEqual([2, 1]);
    expect(before.summary).toMatch(/; 1 other version seen$/);
    const repaired = await check(cap, { repair: true });
    expect(repaired.healthy).toBe(true);
    expect(repaired.versions?.map((v) => v.seqnum)).toEqual([2]);
    expect(Array.from((await retrieveMutable(cap, { servers })).plaintext)).toEqual([4, 5, 6, 7]);
  });

  it('a read or verify cap cannot repair, and says so; nothing is written', async () => {
    const { cap } = await createMutable(new Uint8Array(randomBytes(100)), { servers, encoding, leaseSecret });
    const where = await holders(cap);
    await rm(sharePath(where.get(1)!, cap, 1));
    for (const weaker of [readOnlyCapOf(cap), verifyCapOf(cap)]) {
      const attempt = check(weaker, { repair: true });
      await expect(attempt).rejects.toThrow(MutableRepairNeedsWriteCapError);
      await expect(check(weaker, { repair: true })).rejects.toThrow(/^repair of a mutable file needs its write cap/);
    }
    expect((await check(cap)).sharesFound).toBe(5);
  });
});

describe('checkImmutable from a verify cap', () => {
  it('checks, verifies and repairs: the shares put back are the very ones the read cap reads', async () => {
    const data = new Uint8Array(randomBytes(300_000));
    const { cap } = await uploadImmutable({ size: data.length, open: async function* () { yield data; } }, { servers, encoding, leaseSecret, convergenceSecret: new Uint8Array(32), maxSegmentSize: 128 * 1024 });
    const verifier = verifyCapOf(cap as ChkReadCap);
    const options = { servers, encoding, leaseSecret };
    const checked = await checkImmutable(verifier, { ...options, verify: true });
    expect(checked).toMatchObject({ healthy: true, sharesFound: 6, corruptShares: [] });
    expect(checked.servers.flatMap((s) => s.shares).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await checkImmutable(verifier, { ...options, repair: true })).repair).toBe('nothing to do: the file is healthy');

    // Every server holds one share (6 shares, 6 servers): remove two servers' shares.
    const si = base32Encode(verifier.storageIndex);
    for (const i of [0, 3]) await rm(join(grid.servers[i]!.dir, 'shares', si.slice(0, 2), si), { recursive: true });
    expect(await checkImmutable(verifier, options)).toMatchObject({ healthy: false, recoverable: true, sharesFound: 4 });
    const repaired = await checkImmutable(verifier, { ...options, repair: true });
    expect(repaired).toMatchObject({ repaired: true, healthy: true, sharesFound: 6 });
    expect(await checkImmutable(verifier, { ...options, verify: true })).toMatchObject({ healthy: true, sharesFound: 6, corruptShares: [] });
    // Only the regenerated shares can serve a read now that the other four servers are left out.
    const regenerated = servers.filter((_, i) => i === 0 || i === 3);
    const others = servers.filter((_, i) => i !== 0 && i !== 3).slice(0, 1);
    const chunks: Uint8Array[] = [];
    for await (const chunk of downloadImmutable(cap, { servers: [...regenerated, ...others] })) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(Buffer.from(data))).toBe(true);
  });
});
