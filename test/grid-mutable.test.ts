// Mutable files between real processes: six storage servers, each its own process, and two
// clients (two libp2p hosts) talking to them over /cairn/storage/1.0.0, and two writer
// processes for the concurrent appends. Encoding 3/5/6.
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Encode } from '../src-shared/base32.js';
import { formatCap, mutableStorageIndexOf, readOnlyCapOf, type MutableWriteCap } from '../src-shared/caps/index.js';
import { UnrecoverableVersionError } from '../src-main/core/mutable/index.js';
import { layoutOf } from '../src-main/core/mutable/share-layout.js';
import { NotEnoughSharesFoundError } from '../src-main/grid/errors.js';
import type { GridServer } from '../src-main/grid/grid-server.js';
import {
  MutableConflictError,
  createMutable,
  publishMutable,
  retrieveMutable,
  updateServermap,
} from '../src-main/grid/mutable/index.js';
import { firstLine, spawnTestScript } from './support/child-process.js';
import { startRemoteGrid, type RemoteGrid } from './support/remote-grid.js';

const writerScript = join(dirname(fileURLToPath(import.meta.url)), 'support', 'mutable-writer-peer.ts');

const encoding = { needed: 3, happy: 5, total: 6 };
let grid: RemoteGrid;
let alice: GridServer[];
let bob: GridServer[];
const leaseSecret = new Uint8Array(randomBytes(32));
const bobLeaseSecret = new Uint8Array(randomBytes(32));

beforeAll(async () => {
  grid = await startRemoteGrid(6);
  [alice, bob] = await Promise.all([grid.client(), grid.client()]);
}, 60_000);

afterAll(async () => {
  await grid?.stop();
});

const aliceOptions = () => ({ servers: alice, encoding, leaseSecret });
const bobOptions = () => ({ servers: bob, encoding, leaseSecret: bobLeaseSecret });

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** The path of share `shareNumber` of the file on server process `i`, if it holds it. */
async function shareFile(i: number, cap: MutableWriteCap, shareNumber: number): Promise<string | undefined> {
  const si = base32Encode(mutableStorageIndexOf(cap));
  const path = join(grid.servers[i]!.dir, 'shares', si.slice(0, 2), si, String(shareNumber));
  return (await readFile(path).then(() => true, () => false)) ? path : undefined;
}

async function holderOf(cap: MutableWriteCap, shareNumber: number): Promise<number> {
  for (let i = 0; i < grid.servers.length; i++) if ((await shareFile(i, cap, shareNumber)) !== undefined) return i;
  throw new Error(`no server holds share ${shareNumber}`);
}

/** Flips one byte of a share's data (after the 468-byte mutable container header). */
async function flipShareByte(i: number, cap: MutableWriteCap, shareNumber: number, offset: number): Promise<void> {
  const path = (await shareFile(i, cap, shareNumber))!;
  const bytes = await readFile(path);
  bytes[468 + offset]! ^= 0x40;
  await writeFile(path, bytes);
}

async function advisories(i: number): Promise<string[]> {
  return readdir(join(grid.servers[i]!.dir, 'corruption-advisories')).catch(() => []);
}

describe('mutable files between processes', () => {
  it('create, read and update round trips: 0 bytes, a few bytes, 1 MiB', async () => {
    for (const size of [0, 13, 1024 * 1024]) {
      const first = new Uint8Array(randomBytes(size));
      const created = await createMutable(first, aliceOptions());
      expect(created.happiness).toBeGreaterThanOrEqual(5);
      expect(created.info.seqnum).toBe(1);
      const read = await retrieveMutable(readOnlyCapOf(created.cap), bobOptions());
      expect(same(read.plaintext, first)).toBe(true);

      const second = new Uint8Array(randomBytes(size + 7));
      const updated = await publishMutable(created.cap, second, bobOptions());
      expect(updated.info.seqnum).toBe(2);
      const reread = await retrieveMutable(created.cap, aliceOptions());
      expect(same(reread.plaintext, second)).toBe(true);
      expect(reread.info.seqnum).toBe(2);
    }
  });

  it('any 3 of the servers holding shares suffice', async () => {
    const data = new Uint8Array(randomBytes(100_000));
    const { cap, placement } = await createMutable(data, aliceOptions());
    const holders = alice.filter((s) => placement.has(s.id));
    expect(holders.length).toBeGreaterThanOrEqual(5);
    for (let trial = 0; trial < 4; trial++) {
      const three = [...holders].sort(() => Math.random() - 0.5).slice(0, 3);
      expect(same((await retrieveMutable(cap, { servers: three })).plaintext, data)).toBe(true);
    }
    const two = holders.slice(0, 2);
    await expect(retrieveMutable(cap, { servers: two })).rejects.toThrow(UnrecoverableVersionError);
    await expect(retrieveMutable(cap, { servers: two })).rejects.toThrow(/need 3 shares of one version, have at most 2/);
    await expect(retrieveMutable(cap, { servers: [] })).rejects.toThrow(NotEnoughSharesFoundError);
  });

  it('a share with a bad signature or a flipped block byte is ignored and advised', async () => {
    const data = new Uint8Array(randomBytes(50_000));
    const { cap } = await createMutable(data, aliceOptions());
    const signatureHolder = await holderOf(cap, 0);
    await flipShareByte(signatureHolder, cap, 0, 139 + 5); // inside the signature
    const blockHolder = await holderOf(cap, 1);
    await flipShareByte(blockHolder, cap, 1, layoutOf(3, 6, data.length).shareData + 100);
    const bad: string[] = [];
    const read = await retrieveMutable(cap, { servers: bob, onBadShare: (error) => bad.push(`${error.problem} ${error.share}`) });
    expect(same(read.plaintext, data)).toBe(true);
    expect(read.shares.map((s) => s.shareNumber)).not.toContain(0);
    expect(read.shares.map((s) => s.shareNumber)).not.toContain(1);
    expect(bad.sort()).toEqual([expect.stringMatching(/^bad-block 1 on s\d/), expect.stringMatching(/^bad-signature 0 on s\d/)]);
    await new Promise((resolve) => setTimeout(resolve, 200)); // advisories are sent without waiting
    const si = base32Encode(mutableStorageIndexOf(cap));
    expect((await advisories(signatureHolder)).filter((name) => name.endsWith(`--${si}-0`)).length).toBeGreaterThanOrEqual(1);
    expect((await advisories(blockHolder)).filter((name) => name.endsWith(`--${si}-1`))).toHaveLength(1);

    // The next publish rewrites the bad shares with the new version.
    await publishMutable(cap, new Uint8Array([1, 2, 3]), aliceOptions());
    const map = await updateServermap(mutableStorageIndexOf(cap), cap.fingerprint, { servers: bob });
    expect(map.badShares).toEqual([]);
    expect(new Set(map.shares.map((s) => s.info.seqnum))).toEqual(new Set([2]));
  });
});

describe('two writers at once', () => {
  it('each round exactly one wins and the other gets MutableConflictError', async () => {
    const { cap } = await createMutable(new TextEncoder().encode('round 0'), aliceOptions());
    const si = mutableStorageIndexOf(cap);
    for (let round = 1; round <= 5; round++) {
      const [aliceMap, bobMap] = await Promise.all([updateServermap(si, cap.fingerprint, { servers: alice }), updateServermap(si, cap.fingerprint, { servers: bob })]);
      const results = await Promise.allSettled([
        publishMutable(cap, new TextEncoder().encode(`alice ${round}`), { ...aliceOptions(), servermap: aliceMap }),
        publishMutable(cap, new TextEncoder().encode(`bob ${round}`), { ...bobOptions(), servermap: bobMap }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(MutableConflictError);
      expect((lost[0]!.reason as Error).message).toMatch(/^someone else changed this file: retry on the newest version/);
      const winner = results[0]!.status === 'fulfilled' ? 'alice' : 'bob';
      const now = await retrieveMutable(cap, aliceOptions());
      expect(new TextDecoder().decode(now.plaintext)).toBe(`${winner} ${round}`);
      expect(now.info.seqnum).toBe(round + 1);
    }
  });

  it('two writer processes with modifyMutable lose no update: 20 appends each, 40 entries at the end', async () => {
    const { cap } = await createMutable(new Uint8Array(0), aliceOptions());
    const servers = JSON.stringify(grid.servers.map((server) => ({ peerId: server.peerId.toString(), addrs: server.addrs.map((a) => a.toString()) })));
    const writers = ['alice', 'bob'].map((name) =>
      spawnTestScript(
        writerScript,
        [],
        { CAIRN_TEST_GRID_KEY: Buffer.from(grid.gridKey).toString('hex'), CAIRN_TEST_SERVERS: servers, CAIRN_TEST_CAP: formatCap(cap), CAIRN_TEST_WRITER: name, CAIRN_TEST_APPENDS: '20' },
        `writer ${name}`,
      ),
    );
    try {
      expect(await Promise.all(writers.map((w) => firstLine(w, 30_000, 'writer')))).toEqual(['ready', 'ready']);
      const done = writers.map((w) => new Promise<number | null>((resolve) => w.child.once('exit', (code) => resolve(code))));
      for (const w of writers) w.child.stdin!.write('go\n');
      expect(await Promise.all(done)).toEqual([0, 0]);
    } finally {
      await Promise.all(writers.map((w) => w.stop()));
    }
    for (const w of writers) expect(w.stderr()).not.toMatch(/mutable-writer-peer:/);
    const lines = new TextDecoder().decode((await retrieveMutable(cap, aliceOptions())).plaintext).trim().split('\n');
    expect(lines).toHaveLength(40);
    for (const name of ['alice', 'bob']) {
      expect(lines.filter((line) => line.startsWith(`${name} `))).toEqual(Array.from({ length: 20 }, (_, i) => `${name} ${i}`));
    }
  }, 120_000);
});
