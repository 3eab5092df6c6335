// The storage protocol between this process (clients) and real storage-server processes
// on 127.0.0.1, each serving a StorageBackend in its own temporary directory.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stream } from '@libp2p/interface';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { base32Encode } from '../src-shared/base32.js';
import { randomKey } from '../src-main/core/immutable/convergence.js';
import { decodeChk } from '../src-main/core/immutable/decoder.js';
import { encodeChk } from '../src-main/core/immutable/encoder.js';
import type { ShareSource } from '../src-main/core/immutable/share-source.js';
import { decodeKindedFrame, encodeFrame, encodeHeadFrame, FrameKind, FrameReader, writeFrame } from '../src-main/net/frames.js';
import { createCairnHost, type CairnHost } from '../src-main/net/host.js';
import { generateNodeKey } from '../src-main/net/keys.js';
import { RequestError, sendRequest, type JsonValue } from '../src-main/net/request.js';
import {
  RemoteStorageError,
  RemoteStorageServer,
  type RemoteBucketReader,
  type RemoteBucketWriter,
} from '../src-main/net/storage-protocol/client.js';
import { MAX_READ_BYTES, MAX_WRITE_BYTES, STORAGE_LIMITS, STORAGE_PROTOCOL } from '../src-main/net/storage-protocol/messages.js';
import type { ChkReadCap } from '../src-shared/caps/index.js';
import { startStorageServerProcess, type StorageServerProcess } from './support/storage-process.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const gridKey = new Uint8Array(randomBytes(32));
const tempDirs: string[] = [];
/** every lease secret sent in this file: none may show up in a server's log */
const secretsSent: Uint8Array[] = [];

let server: StorageServerProcess; // the main server
let fullServer: StorageServerProcess; // reserved space far beyond the disk
let host: CairnHost; // this process's client
let remote: RemoteStorageServer;

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-storage-protocol-'));
  tempDirs.push(dir);
  return dir;
}

function newHost(key = gridKey): Promise<CairnHost> {
  return generateNodeKey().then((privateKey) =>
    createCairnHost({ privateKey, listen: ['/ip4/127.0.0.1/tcp/0'], gridKey: key, loopbackLimits: true }),
  );
}

beforeAll(async () => {
  const [dirA, dirB] = await Promise.all([tempDir(), tempDir()]);
  [server, fullServer, host] = await Promise.all([
    startStorageServerProcess({ gridKey, dir: dirA }),
    startStorageServerProcess({ gridKey, dir: dirB, reservedSpace: 2 ** 52 }),
    newHost(),
  ]);
  remote = new RemoteStorageServer(host, server.peerId, server.addrs, { name: 'server-a' });
});

afterAll(async () => {
  await host?.stop();
  await Promise.all([server?.stop(), fullServer?.stop()]);
  for (const child of [server, fullServer]) {
    if (child !== undefined) expect(() => process.kill(child.pid, 0)).toThrow(); // the process is gone
  }
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

function bytes(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

function secret(): Uint8Array {
  const value = bytes(32);
  secretsSent.push(value);
  return value;
}

function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  return b !== undefined && Buffer.compare(a, b) === 0;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Files (relative paths) under `dir`, recursively; [] if it does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function failure<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

/** The server answers, so it is still up. */
async function expectServing(target = remote): Promise<void> {
  const version = await target.version();
  expect(version.applicationVersion).toBe('cairn-test/storage-server-peer');
}

/** Sends a hand-made HEAD (and body) and expects a refusal with `code`. */
async function expectRefused(head: JsonValue, code: string, body?: Uint8Array): Promise<RequestError> {
  const request = body === undefined ? { head } : { head, body };
  const error = await failure(sendRequest(host, server.addrs, STORAGE_PROTOCOL, request, STORAGE_LIMITS), RequestError);
  expect(error.code).toBe('remote');
  expect(error.remoteCode).toBe(code);
  return error;
}

/** Opens a raw storage stream, lets `send` write anything, and returns the first frame back. */
async function rawExchange(send: (stream: Stream) => Promise<void>): Promise<ReturnType<typeof decodeKindedFrame>> {
  const stream = await host.dialProtocol(server.addrs, STORAGE_PROTOCOL);
  const reader = new FrameReader(stream);
  try {
    await send(stream);
    const payload = await reader.next(64 * KiB);
    if (payload === undefined) throw new Error('server closed the stream without a frame');
    return decodeKindedFrame(payload);
  } finally {
    reader.release();
    if (stream.status === 'open') stream.abort(new Error('test done'));
  }
}

function shareDir(dir: string, si: Uint8Array): string {
  const b32 = base32Encode(si);
  return join(dir, 'shares', b32.slice(0, 2), b32);
}

interface UploadedFile {
  readonly cap: ChkReadCap;
  readonly data: Uint8Array;
  readonly storageIndex: Uint8Array;
  readonly renew: Uint8Array;
  readonly shares: Uint8Array[];
}
let uploaded: UploadedFile | undefined;

describe('a CHK file through one storage server process', () => {
  it('reports its version', async () => {
    const version = await remote.version();
    expect(version.availableSpace).toBeGreaterThan(0);
    expect(version.maximumImmutableShareSize).toBe(version.availableSpace);
  });

  it('uploads all 10 shares of a 300 KiB 3-of-10 file as the encoder produces them', async () => {
    const data = bytes(300 * KiB);
    const renew = secret();
    const cancel = secret();
    const shares: Uint8Array[][] = [];
    const offsets: number[] = [];
    let writers = new Map<number, RemoteBucketWriter>();
    let storageIndex: Uint8Array | undefined;
    let cap: ChkReadCap | undefined;
    const writeAll = (blocks: readonly Uint8Array[]) =>
      Promise.all(
        blocks.map(async (block, j) => {
          const writer = writers.get(j);
          if (writer === undefined) throw new Error(`no writer for share ${j}`);
          const at = offsets[j] ?? 0;
          offsets[j] = at + block.length;
          shares[j]?.push(block);
          await writer.write(at, block);
        }),
      );
    for await (const event of encodeChk([data], { neededShares: 3, totalShares: 10, size: data.length, key: randomKey() })) {
      if (event.type === 'start') {
        storageIndex = event.storageIndex;
        const allocation = await remote.allocateBuckets(storageIndex, renew, cancel, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], event.shareSize);
        expect(allocation).toMatchObject({ alreadyHave: [], refused: [], refusedBecause: undefined });
        expect([...allocation.writers.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        writers = allocation.writers;
        for (let j = 0; j < 10; j++) shares.push([]);
        await writeAll(Array.from({ length: 10 }, () => event.header));
      } else if (event.type === 'segment') {
        await writeAll(event.blocks);
      } else {
        await writeAll(event.trailers);
        cap = event.cap;
      }
    }
    await Promise.all([...writers.values()].map((writer) => writer.close()));
    if (storageIndex === undefined || cap === undefined) throw new Error('the encoder did not finish');
    uploaded = { cap, data, storageIndex, renew, shares: shares.map(concat) };

    // On the server's disk: ten final shares, nothing left in incoming/.
    expect(await filesUnder(shareDir(server.dir, storageIndex))).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(await filesUnder(join(server.dir, 'shares', 'incoming'))).toEqual([]);
  });

  it('lists the shares and decodes the exact bytes from RemoteBucketReaders', async () => {
    const file = uploaded;
    if (file === undefined) throw new Error('the upload test did not run');
    const readers = await remote.getBuckets(file.storageIndex);
    expect([...readers.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [shnum, reader] of readers) {
      expect(reader.size).toBe(file.shares[shnum]?.length);
      expect(sameBytes(await reader.read(0, reader.size), file.shares[shnum])).toBe(true);
    }
    const asSources = (picked: readonly RemoteBucketReader[]): ShareSource[] =>
      picked.map((reader) => ({ label: reader.label, read: (offset, length) => reader.read(offset, length) }));
    for (const picked of [[...readers.values()], [7, 2, 9].map((j) => readers.get(j)!)]) {
      const out: Uint8Array[] = [];
      for await (const chunk of decodeChk(file.cap, asSources(picked))) out.push(chunk);
      expect(sameBytes(concat(out), file.data)).toBe(true);
    }
  });

  it('allocating again reports every share as held and opens nothing', async () => {
    const file = uploaded!;
    const again = await remote.allocateBuckets(file.storageIndex, file.renew, secret(), [3, 11], 1000);
    expect(again.alreadyHave).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...again.writers.keys()]).toEqual([11]);
    await again.writers.get(11)!.abort();
    expect(await filesUnder(join(server.dir, 'shares', 'incoming'))).toEqual([]);
  });

  it('renews and adds leases', async () => {
    const file = uploaded!;
    await remote.renewLease(file.storageIndex, file.renew);
    expect(await remote.addLease(file.storageIndex, secret(), secret())).toBe(true);
    const missing = await failure(remote.renewLease(file.storageIndex, secret()), RemoteStorageError);
    expect(missing).toMatchObject({ code: 'no-such-lease', refused: true, server: 'server-a' });
    expect(missing.message).toMatch(/^storage server server-a: renew-lease [a-z2-7]{26}: .*no share of storage index .* has a lease with that renew secret/);
    expect(await remote.addLease(bytes(16), secret(), secret())).toBe(false);
  });

  it('writes the advisory file for advise-corrupt', async () => {
    const file = uploaded!;
    const si = base32Encode(file.storageIndex);
    expect(await remote.adviseCorruptShare('immutable', file.storageIndex, 2, 'block hash mismatch in segment 1')).toBe(true);
    const readers = await remote.getBuckets(file.storageIndex);
    expect(await readers.get(5)!.adviseCorrupt('share hash chain broken')).toBe(true);
    expect(await remote.adviseCorruptShare('immutable', file.storageIndex, 200, 'no such share')).toBe(false);

    const folder = join(server.dir, 'corruption-advisories');
    const names = await filesUnder(folder);
    expect(names).toHaveLength(2);
    const report = names.find((name) => name.endsWith(`--${si}-2`));
    expect(report).toBeDefined();
    const text = await readFile(join(folder, report!), 'utf8');
    expect(text).toBe(
      ['report: Share Corruption', 'type: immutable', `storage_index: ${si}`, 'share_number: 2', '', 'block hash mismatch in segment 1', ''].join('\n'),
    );
    expect(names.some((name) => name.endsWith(`--${si}-5`))).toBe(true);
  });
});

describe('large writes and reads', () => {
  it('splits a 5 MiB write into 1 MiB requests and a 5 MiB read into 4 MiB requests', async () => {
    const si = bytes(16);
    const size = 5 * MiB + 17;
    const data = bytes(size);
    const allocation = await remote.allocateBuckets(si, secret(), secret(), [0], size);
    const writer = allocation.writers.get(0)!;
    await writer.write(0, data);
    await writer.close();

    const reader = (await remote.getBuckets(si)).get(0)!;
    expect(reader.size).toBe(size);
    expect(sameBytes(await reader.read(0, size), data)).toBe(true);
    const across = await reader.read(MAX_READ_BYTES - 10, MAX_READ_BYTES + 100);
    expect(sameBytes(across, data.subarray(MAX_READ_BYTES - 10))).toBe(true); // cut at the end
    expect(sameBytes(await reader.read(size - 10, 100), data.subarray(size - 10))).toBe(true);
    expect(await reader.read(size + 5, 10)).toHaveLength(0);
    expect(MAX_WRITE_BYTES).toBe(MiB);
  });

  it('reads of lengths around its 1 MiB pieces (a small rest joins the piece before it) come back exact', async () => {
    const si = bytes(16);
    const size = 3 * MiB + 200 * 1024;
    const data = bytes(size);
    const allocation = await remote.allocateBuckets(si, secret(), secret(), [1], size);
    for (let at = 0; at < size; at += MiB) await allocation.writers.get(1)!.write(at, data.subarray(at, at + MiB));
    await allocation.writers.get(1)!.close();
    const KiB = 1024;
    for (const [offset, length] of [
      [0, MiB + 2], // three blocks of a 1 MiB segment at 3-of-10
      [5, MiB + 64 * KiB],
      [5, MiB + 64 * KiB + 1],
      [7, 2 * MiB + 64 * KiB + 1],
      [MiB - 1, 2 * MiB + 3],
      [0, 3 * MiB + 64 * KiB],
    ] as const) {
      // sendRequest enforces STORAGE_LIMITS on the answer: no DATA frame over 1 MiB gets through
      const response = await sendRequest(host, server.addrs, STORAGE_PROTOCOL, {
        head: { kind: 'read', storageIndex: base32Encode(si), shareNumber: 1, offset, length },
      }, STORAGE_LIMITS);
      expect(response.head).toEqual({ length });
      expect(sameBytes(response.body, data.subarray(offset, offset + length))).toBe(true);
    }
  });

  it('reads past the end of a share are cut on the server too', async () => {
    const si = bytes(16);
    const allocation = await remote.allocateBuckets(si, secret(), secret(), [4], 100);
    await allocation.writers.get(4)!.write(0, bytes(100));
    await allocation.writers.get(4)!.close();
    const response = await sendRequest(host, server.addrs, STORAGE_PROTOCOL, {
      head: { kind: 'read', storageIndex: base32Encode(si), shareNumber: 4, offset: 90, length: 50 },
    }, STORAGE_LIMITS);
    expect(response.head).toEqual({ length: 10 });
    expect(response.body).toHaveLength(10);
    await expectRefused({ kind: 'read', storageIndex: base32Encode(si), shareNumber: 5, offset: 0, length: 1 }, 'no-such-share');
  });
});

describe('refused writes', () => {
  it('refuses a conflicting write and a write past the allocation, and keeps serving', async () => {
    const si = bytes(16);
    const first = bytes(500);
    const writer = (await remote.allocateBuckets(si, secret(), secret(), [0], 1000)).writers.get(0)!;
    await writer.write(0, first);
    await writer.write(100, first.subarray(100, 200)); // the same bytes again: fine

    const changed = Uint8Array.from(first);
    changed[250] = (changed[250] ?? 0) ^ 1;
    const conflict = await failure(writer.write(0, changed), RemoteStorageError);
    expect(conflict).toMatchObject({ code: 'conflicting-write', refused: true, server: 'server-a' });
    expect(conflict.message).toMatch(/^storage server server-a: write [a-z2-7]{26}\/0 500 bytes at 0: .*already written with different content/);

    const tooFar = await failure(writer.write(900, bytes(200)), RemoteStorageError);
    expect(tooFar).toMatchObject({ code: 'data-too-large', refused: true });
    expect(tooFar.message).toMatch(/ends at 1100, past the allocated size of 1000/);
    await expectServing();

    await writer.write(500, bytes(500));
    await writer.close();
    const reader = (await remote.getBuckets(si)).get(0)!;
    expect(sameBytes(await reader.read(0, 500), first)).toBe(true);

    const late = await failure(writer.write(0, first), RemoteStorageError);
    expect(late).toMatchObject({ code: 'upload-finished', refused: false });
    await expectRefused({ kind: 'close', storageIndex: base32Encode(si), shareNumber: 0 }, 'no-such-bucket');
  });

  it('lets only the allocating peer write, close or abort an upload', async () => {
    const si = bytes(16);
    const writer = (await remote.allocateBuckets(si, secret(), secret(), [1], 100)).writers.get(1)!;
    const other = await newHost();
    try {
      const heads: JsonValue[] = [
        { kind: 'write', storageIndex: base32Encode(si), shareNumber: 1, offset: 0, length: 3 },
        { kind: 'close', storageIndex: base32Encode(si), shareNumber: 1 },
        { kind: 'abort', storageIndex: base32Encode(si), shareNumber: 1 },
      ];
      for (const head of heads) {
        const error = await failure(
          sendRequest(other, server.addrs, STORAGE_PROTOCOL, { head, body: Uint8Array.of(1, 2, 3) }, STORAGE_LIMITS),
          RequestError,
        );
        expect(error.remoteCode).toBe('no-such-bucket');
        expect(error.message).toMatch(/no open upload of share 1 of storage index [a-z2-7]{26} by this peer/);
      }
      // It may not take the share over by allocating it either: the upload is in progress.
      const theirs = await new RemoteStorageServer(other, server.peerId, server.addrs).allocateBuckets(si, secret(), secret(), [1], 100);
      expect(theirs).toMatchObject({ alreadyHave: [], refused: [] });
      expect(theirs.writers.size).toBe(0);
    } finally {
      await other.stop();
    }
    await writer.write(0, bytes(100));
    await writer.close();
    expect([...(await remote.getBuckets(si)).keys()]).toEqual([1]);
  });

  it('gives a retrying client its own open upload again', async () => {
    const si = bytes(16);
    const renew = secret();
    const cancel = secret();
    const first = (await remote.allocateBuckets(si, renew, cancel, [0, 1], 50)).writers;
    const again = await remote.allocateBuckets(si, renew, cancel, [0, 1], 50);
    expect([...again.writers.keys()]).toEqual([0, 1]);
    await again.writers.get(0)!.write(0, bytes(50));
    await again.writers.get(0)!.close();
    await first.get(1)!.abort();
    await first.get(0)!.abort(); // closed meanwhile through the other writer: a no-op
    expect([...(await remote.getBuckets(si)).keys()]).toEqual([0]);
  });
});

describe('a client that disconnects', () => {
  it('leaves no share and no incoming file, and the space it was promised is released', async () => {
    const available = (await remote.version()).availableSpace;
    const big = Math.floor(available * 0.6);
    const goneSi = bytes(16);
    const waitingSi = bytes(16);

    const leaver = await newHost();
    let stopped = false;
    try {
      const theirs = new RemoteStorageServer(leaver, server.peerId, server.addrs, { name: 'server-a' });
      const allocation = await theirs.allocateBuckets(goneSi, secret(), secret(), [0, 1], Math.floor(big / 2));
      expect([...allocation.writers.keys()]).toEqual([0, 1]);
      await allocation.writers.get(0)!.write(0, bytes(64 * KiB));
      await allocation.writers.get(1)!.write(1000, bytes(1000));
      expect((await filesUnder(join(server.dir, 'shares', 'incoming'))).length).toBe(2);

      // While those uploads hold their promise, the same amount again does not fit.
      const crowded = await remote.allocateBuckets(waitingSi, secret(), secret(), [0], big);
      expect(crowded).toMatchObject({ refused: [0], refusedBecause: 'server-full' });
      expect(crowded.writers.size).toBe(0);

      await leaver.stop();
      stopped = true;
    } finally {
      if (!stopped) await leaver.stop();
    }

    await vi.waitFor(async () => expect(await filesUnder(join(server.dir, 'shares', 'incoming'))).toEqual([]), { timeout: 10_000 });
    expect(await filesUnder(shareDir(server.dir, goneSi))).toEqual([]);
    await vi.waitFor(() => expect(server.stderr()).toMatch(/disconnected: aborted 2 open upload\(s\)/));

    const fits = await remote.allocateBuckets(waitingSi, secret(), secret(), [0], big);
    expect(fits).toMatchObject({ refused: [], refusedBecause: undefined });
    expect([...fits.writers.keys()]).toEqual([0]);
    await fits.writers.get(0)!.abort();
  });
});

describe('a full server', () => {
  it('refuses allocations with server-full when the reserved space exceeds the free space', async () => {
    const full = new RemoteStorageServer(host, fullServer.peerId, fullServer.addrs, { name: 'full-server' });
    const version = await full.version();
    expect(version).toMatchObject({ availableSpace: 0, maximumImmutableShareSize: 0 });
    const allocation = await full.allocateBuckets(bytes(16), secret(), secret(), [0, 1], 1000);
    expect(allocation).toMatchObject({ alreadyHave: [], refused: [0, 1], refusedBecause: 'server-full' });
    expect(allocation.writers.size).toBe(0);
    expect(await filesUnder(fullServer.dir)).toEqual([]);
  });
});

describe('mutable slots', () => {
  const checkstring = (fill: number) => new Uint8Array(57).fill(fill);
  const share = (fill: number, size = 300) => {
    const out = bytes(size);
    out.set(checkstring(fill));
    return out;
  };
  const mustNotExist = { offset: 0, length: 1, operator: 'eq' as const, specimen: new Uint8Array(0) };
  const holds = (fill: number) => ({ offset: 0, length: 57, operator: 'eq' as const, specimen: checkstring(fill) });
  const slotSecrets = () => ({ writeEnabler: secret(), leaseRenew: secret(), leaseCancel: secret() });

  it('creates shares with a must-not-exist test, reads them back, and replaces them only while the test holds', async () => {
    const si = bytes(16);
    const secrets = slotSecrets();
    const [a, b] = [share(1), share(1)];
    const created = await remote.testvAndReadvAndWritev(si, secrets, new Map([[0, { testVectors: [mustNotExist], writeVectors: [{ offset: 0, data: a }] }], [3, { testVectors: [mustNotExist], writeVectors: [{ offset: 0, data: b }] }]]), [{ offset: 0, length: 57 }]);
    expect(created).toEqual({ success: true, readData: new Map() });

    const all = await remote.readMutableShares(si, 'all', [{ offset: 0, length: 10 }, { offset: 250, length: 100 }]);
    expect([...all.keys()]).toEqual([0, 3]);
    expect(sameBytes(all.get(3)![0]!, b.subarray(0, 10))).toBe(true);
    expect(sameBytes(all.get(3)![1]!, b.subarray(250))).toBe(true); // cut at the end of the data
    expect(await remote.readMutableShares(si, [], [{ offset: 0, length: 10 }])).toEqual(new Map()); // [] is none, not all
    expect([...(await remote.readMutableShares(si, [3, 7], [{ offset: 0, length: 300 }])).keys()]).toEqual([3]);

    // A writer that saw version 2 loses: nothing changes, and it reads what is there.
    const stale = await remote.testvAndReadvAndWritev(si, secrets, new Map([[0, { testVectors: [holds(2)], writeVectors: [{ offset: 0, data: share(3) }] }]]), [{ offset: 0, length: 57 }]);
    expect(stale.success).toBe(false);
    expect(sameBytes(stale.readData.get(0)![0]!, checkstring(1))).toBe(true);
    expect(sameBytes(stale.readData.get(3)![0]!, checkstring(1))).toBe(true);
    const again = await remote.testvAndReadvAndWritev(si, secrets, new Map([[0, { testVectors: [mustNotExist], writeVectors: [{ offset: 0, data: share(3) }] }]]), []);
    expect(again.success).toBe(false);

    const next = share(2, 200);
    const replaced = await remote.testvAndReadvAndWritev(si, secrets, new Map([[0, { testVectors: [holds(1)], writeVectors: [{ offset: 0, data: next }], newLength: 200 }]]), []);
    expect(replaced.success).toBe(true);
    const after = await remote.readMutableShares(si, [0], [{ offset: 0, length: 1000 }]);
    expect(sameBytes(after.get(0)![0]!, next)).toBe(true);

    // newLength 0 deletes a share.
    expect((await remote.testvAndReadvAndWritev(si, secrets, new Map([[3, { testVectors: [], writeVectors: [], newLength: 0 }]]), [])).success).toBe(true);
    expect([...(await remote.readMutableShares(si, 'all', [{ offset: 0, length: 1 }])).keys()]).toEqual([0]);
  });

  it('refuses a wrong write enabler with its own code, even for a test-only call', async () => {
    const si = bytes(16);
    const secrets = slotSecrets();
    await remote.testvAndReadvAndWritev(si, secrets, new Map([[0, { testVectors: [mustNotExist], writeVectors: [{ offset: 0, data: share(1) }] }]]), []);
    const intruder = { ...secrets, writeEnabler: secret() };
    for (const writes of [new Map([[0, { testVectors: [holds(1)], writeVectors: [{ offset: 0, data: share(9) }] }]]), new Map()]) {
      const error = await failure(remote.testvAndReadvAndWritev(si, intruder, writes, [{ offset: 0, length: 57 }]), RemoteStorageError);
      expect(error).toMatchObject({ code: 'bad-write-enabler', refused: true, server: 'server-a' });
      expect(error.message).toMatch(/the write enabler does not match share 0/);
    }
    expect(sameBytes((await remote.readMutableShares(si, [0], [{ offset: 0, length: 57 }])).get(0)![0]!, checkstring(1))).toBe(true);
  });

  it('moves a 5 MiB share in one test-and-write and reads it back in 4 MiB pieces', async () => {
    const si = bytes(16);
    const big = share(4, 5 * MiB + 3);
    const sent = vi.spyOn(remote, 'exchange');
    try {
      const result = await remote.testvAndReadvAndWritev(si, slotSecrets(), new Map([[1, { testVectors: [mustNotExist], writeVectors: [{ offset: 0, data: big }] }]]), []);
      expect(result.success).toBe(true);
      const back = await remote.readMutableShares(si, [1], [{ offset: 0, length: 6 * MiB }]);
      expect(sameBytes(back.get(1)![0]!, big)).toBe(true);
      expect(sent.mock.calls.map(([request]) => request.kind)).toEqual(['slot-test-and-write', 'slot-read', 'slot-read']);
    } finally {
      sent.mockRestore();
    }
    await expect(remote.readMutableShares(si, 'all', [{ offset: 0, length: 6 * MiB }])).rejects.toThrow(/more than the limit of 4194304/);
  });

  it('accepts corruption advisories for mutable shares', async () => {
    const si = bytes(16);
    await remote.testvAndReadvAndWritev(si, slotSecrets(), new Map([[2, { testVectors: [mustNotExist], writeVectors: [{ offset: 0, data: share(1) }] }]]), []);
    expect(await remote.adviseCorruptShare('mutable', si, 2, 'bad signature')).toBe(true);
    const folder = join(server.dir, 'corruption-advisories');
    const report = (await filesUnder(folder)).find((name) => name.endsWith(`--${base32Encode(si)}-2`));
    expect(await readFile(join(folder, report!), 'utf8')).toMatch(/^report: Share Corruption\ntype: mutable\n/);
  });
});

describe('bad input', () => {
  const si = base32Encode(bytes(16));
  const renewSecret = base32Encode(secret());
  const cancelSecret = base32Encode(secret());
  const allocate = (fields: Record<string, JsonValue>): JsonValue => ({
    kind: 'allocate',
    storageIndex: si,
    renewSecret,
    cancelSecret,
    shareNumbers: [0],
    allocatedSize: 100,
    ...fields,
  });

  it('answers garbage frames with ERROR frames and keeps serving', async () => {
    const random = await rawExchange(async (s) => {
      s.send(bytes(1000));
    });
    expect(random.kind).toBe(FrameKind.error);
    await expectServing();

    const oversized = await rawExchange(async (s) => {
      s.send(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2, 3));
    });
    expect(oversized).toMatchObject({ kind: FrameKind.error, code: 'too-large' });
    await expectServing();

    const bigHead = await rawExchange(async (s) => {
      s.send(Uint8Array.of(0, 1, 0, 0, FrameKind.head)); // a 64 KiB HEAD: over the 32 KiB limit
    });
    expect(bigHead).toMatchObject({ kind: FrameKind.error, code: 'too-large' });

    const unknownKind = await rawExchange((s) => writeFrame(s, Uint8Array.of(0x7f, 1, 2, 3)));
    expect(unknownKind).toMatchObject({ kind: FrameKind.error, code: 'bad-request' });

    const notJson = await rawExchange(async (s) => {
      s.send(encodeFrame(Uint8Array.of(FrameKind.head, 0x7b, 0x7b)));
    });
    expect(notJson).toMatchObject({ kind: FrameKind.error, code: 'bad-request' });

    const truncated = await rawExchange(async (s) => {
      s.send(encodeFrame(encodeHeadFrame({ kind: 'version' })).subarray(0, 8));
      await s.close();
    });
    expect(truncated).toMatchObject({ kind: FrameKind.error, code: 'bad-request' });
    await expectServing();
  });

  it('refuses malformed heads', async () => {
    const heads: JsonValue[] = ['hello', [1, 2], null, 42, {}, { kind: 'format-disk' }, { kind: 'version', extra: 1 }, { kind: ['version'] }];
    for (const head of heads) {
      await expectRefused(head, 'bad-request');
    }
    await expectServing();
  });

  it('refuses storage indexes that are not 26 lowercase base32 characters', async () => {
    const bad = ['../../etc/passwd', '../../../../../../etc/pass', 'aaaa', si.toUpperCase(), `${si}a`, si.slice(0, 25) + '/', si.slice(0, 25) + 'b', '', 7];
    for (const storageIndex of bad) {
      for (const head of [
        { kind: 'list', storageIndex },
        { kind: 'read', storageIndex, shareNumber: 0, offset: 0, length: 1 },
        allocate({ storageIndex }),
      ]) {
        const error = await expectRefused(head, 'bad-request');
        expect(error.message).toMatch(/"storageIndex" (must be|.* is not the base32 form of 16 bytes)/);
      }
    }
    await expectServing();
    // Nothing was created outside the storage directory's layout.
    expect((await filesUnder(server.dir)).filter((path) => !/^(shares\/[a-z2-7]{2}\/[a-z2-7]{26}\/\d+|corruption-advisories\/.*)$/.test(path))).toEqual([]);
  });

  it('refuses out-of-range share numbers and share lists', async () => {
    for (const shareNumber of [256, -1, 1.5, '3', null, 1e300]) {
      await expectRefused({ kind: 'read', storageIndex: si, shareNumber, offset: 0, length: 1 }, 'bad-request');
      await expectRefused({ kind: 'advise-corrupt', shareType: 'immutable', storageIndex: si, shareNumber, reason: 'x' }, 'bad-request');
      await expectRefused(allocate({ shareNumbers: [0, shareNumber] }), 'bad-request');
    }
    const many = await expectRefused(allocate({ shareNumbers: Array.from({ length: 257 }, (_, i) => i % 256) }), 'bad-request');
    expect(many.message).toMatch(/257 share numbers, more than 256/);
    await expectRefused(allocate({ shareNumbers: [1, 1] }), 'bad-request');
    await expectRefused(allocate({ shareNumbers: 5 }), 'bad-request');
    await expectServing();
  });

  it('refuses oversized or mistyped sizes, offsets and reasons', async () => {
    for (const allocatedSize of [2 ** 53, -1, '100', 1e300, 0.5, null]) {
      await expectRefused(allocate({ allocatedSize }), 'bad-request');
    }
    // A size the server cannot hold is a refusal in the answer, not an error.
    const huge = await remote.allocateBuckets(bytes(16), secret(), secret(), [0], 2 ** 50);
    expect(huge).toMatchObject({ refused: [0], refusedBecause: 'server-full' });

    await expectRefused({ kind: 'read', storageIndex: si, shareNumber: 0, offset: 0, length: MAX_READ_BYTES + 1 }, 'bad-request');
    await expectRefused({ kind: 'read', storageIndex: si, shareNumber: 0, offset: -5, length: 1 }, 'bad-request');
    const bigWrite = await expectRefused({ kind: 'write', storageIndex: si, shareNumber: 0, offset: 0, length: MAX_WRITE_BYTES + 1 }, 'bad-request');
    expect(bigWrite.message).toMatch(/"length" is 1048577, more than the limit of 1048576/);
    await expectRefused({ kind: 'write', storageIndex: si, shareNumber: 0, offset: 2 ** 53 - 10, length: 100 }, 'bad-request');
    const reason = 'x'.repeat(4097);
    await expectRefused({ kind: 'advise-corrupt', shareType: 'immutable', storageIndex: si, shareNumber: 0, reason }, 'bad-request');
    await expectRefused({ kind: 'advise-corrupt', shareType: 'immutable', storageIndex: si, shareNumber: 0, reason: 'é'.repeat(2049) }, 'bad-request');
    await expectRefused({ kind: 'advise-corrupt', shareType: 'directory', storageIndex: si, shareNumber: 0, reason: 'x' }, 'bad-request');
    await expectServing();
  });

  it('refuses a write body that does not match its declared length', async () => {
    const writeSi = bytes(16);
    await remote.allocateBuckets(writeSi, secret(), secret(), [0], 100);
    const head = { kind: 'write', storageIndex: base32Encode(writeSi), shareNumber: 0, offset: 0, length: 10 };
    expect((await expectRefused(head, 'bad-request', bytes(20))).message).toMatch(/longer than the 10 bytes its HEAD declares/);
    expect((await expectRefused(head, 'bad-request', bytes(5))).message).toMatch(/has 5 bytes, but its HEAD declares 10/);
    const ok = await sendRequest(host, server.addrs, STORAGE_PROTOCOL, { head, body: bytes(10) }, STORAGE_LIMITS);
    expect(ok.head).toEqual({});
    const abort = { kind: 'abort', storageIndex: base32Encode(writeSi), shareNumber: 0 };
    expect((await sendRequest(host, server.addrs, STORAGE_PROTOCOL, { head: abort }, STORAGE_LIMITS)).head).toEqual({});
    await expectRefused(abort, 'no-such-bucket');
  });

  it('refuses malformed lease secrets without echoing them', async () => {
    const leaked = 'q'.repeat(51);
    for (const renew of [leaked, renewSecret.toUpperCase(), `${renewSecret}a`, 32, null, `${renewSecret.slice(0, 51)}b`]) {
      const error = await expectRefused(allocate({ renewSecret: renew }), 'bad-request');
      expect(error.message).toMatch(/"renewSecret" (must be 52 lowercase base32 characters|is not the base32 form of 32 bytes)/);
      if (typeof renew === 'string') expect(error.message).not.toContain(renew);
      await expectRefused({ kind: 'renew-lease', storageIndex: si, renewSecret: renew }, 'bad-request');
    }
    await expectServing();
  });

  it('refuses malformed slot requests and keeps serving', async () => {
    const we = base32Encode(secret());
    const write = (fields: Record<string, JsonValue>) => ({ shareNumber: 0, testVectors: [], writeVectors: [{ offset: 0, length: 4 }], newLength: null, ...fields });
    const testAndWrite = (fields: Record<string, JsonValue>): JsonValue => ({
      kind: 'slot-test-and-write',
      storageIndex: si,
      writeEnabler: we,
      renewSecret,
      cancelSecret,
      writes: [write({})],
      readVectors: [],
      ...fields,
    });
    const read = (fields: Record<string, JsonValue>): JsonValue => ({ kind: 'slot-read', storageIndex: si, shareNumbers: 'all', readVectors: [{ offset: 0, length: 10 }], ...fields });
    const refusals: [JsonValue, RegExp][] = [
      [read({ shareNumbers: 'some' }), /"shareNumbers" must be "all" or a list/],
      [read({ shareNumbers: [0, 0] }), /lists share 0 twice/],
      [read({ shareNumbers: [256] }), /share number in 0..255/],
      [read({ readVectors: [{ offset: 0, length: 20_000 }] }), /ask for up to 5120000 bytes \(256 shares\), more than the limit of 4194304/],
      [read({ shareNumbers: [1], readVectors: [{ offset: 0, length: MAX_READ_BYTES + 1 }] }), /"length" is 4194305, more than the limit/],
      [read({ readVectors: Array.from({ length: 257 }, () => ({ offset: 0, length: 1 })) }), /257 items, more than 256/],
      [read({ readVectors: [{ offset: -1, length: 1 }] }), /"offset" must be a non-negative safe integer/],
      [read({ readVectors: [{ offset: 0 }] }), /lacks the field "length"/],
      [read({ extra: true }), /unexpected field "extra"/],
      [testAndWrite({ writeEnabler: 'x' }), /"writeEnabler" must be 52 lowercase base32 characters/],
      [testAndWrite({ writes: [write({}), write({})] }), /share 0 is written twice/],
      [testAndWrite({ writes: [write({ testVectors: [{ offset: 0, length: 1, operator: 'gt', specimenLength: 1 }] })] }), /"operator" must be "eq"/],
      [testAndWrite({ writes: [write({ newLength: -1 })] }), /"newLength" must be a non-negative safe integer/],
      [testAndWrite({ writes: [write({ writeVectors: [{ offset: 0, length: 17 * MiB + 1 }] })] }), /more than the limit of/],
      [testAndWrite({ writes: [write({ writeVectors: [{ offset: 2 ** 53 - 2, length: 4 }] })] }), /offset \+ length is too large/],
      [testAndWrite({ writes: 'all' }), /"writes" must be a list/],
    ];
    for (const [head, message] of refusals) {
      const error = await expectRefused(head, 'bad-request');
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(we);
    }
    // The body must match the HEAD's vectors exactly.
    expect((await expectRefused(testAndWrite({}), 'bad-request', bytes(5))).message).toMatch(/longer than the 4 bytes its HEAD declares/);
    expect((await expectRefused(testAndWrite({}), 'bad-request', bytes(3))).message).toMatch(/has 3 bytes, but its HEAD declares 4/);
    // Writing a mutable share where an immutable one is: refused.
    const file = uploaded!;
    const head = testAndWrite({ storageIndex: base32Encode(file.storageIndex) });
    expect((await expectRefused(head, 'bad-request', bytes(4))).message).toMatch(/is an immutable share/);
    await expectServing();
  });

  it('rejects bad arguments locally before sending', async () => {
    await expect(remote.allocateBuckets(bytes(15), secret(), secret(), [0], 10)).rejects.toThrow(/storage index is 16 bytes/);
    await expect(remote.allocateBuckets(bytes(16), bytes(31), secret(), [0], 10)).rejects.toThrow(/"renewSecret"/);
    await expect(remote.allocateBuckets(bytes(16), secret(), secret(), [256], 10)).rejects.toThrow(/share number in 0..255/);
    await expect(remote.adviseCorruptShare('immutable', bytes(16), 0, 'x'.repeat(5000))).rejects.toThrow(/longer than 4096 bytes/);
  });
});

describe('grid membership', () => {
  it('a peer with another grid key cannot reach the storage protocol', async () => {
    const outsider = await newHost(new Uint8Array(randomBytes(32)));
    try {
      const theirs = new RemoteStorageServer(outsider, server.peerId, server.addrs, { name: 'server-a' });
      const error = await failure(theirs.version(), RemoteStorageError);
      expect(error).toMatchObject({ code: 'dial', refused: false, server: 'server-a' });
      expect(error.message).toMatch(/^storage server server-a: version: could not open a stream .*not a member of this grid/);
      await failure(theirs.allocateBuckets(bytes(16), secret(), secret(), [0], 10), RemoteStorageError);
      expect(outsider.getConnections(server.peerId)).toHaveLength(0);
    } finally {
      await outsider.stop();
    }
    await expectServing();
  });
});

describe('the server log', () => {
  it('records refusals and disconnects but never a lease secret', async () => {
    const log = server.stderr();
    expect(log).toMatch(/\[warn\] storage: refused .*\(conflicting-write\)/);
    expect(log).toMatch(/\[info\] storage: allocate [a-z2-7]{26} shares \[0,1,2,3,4,5,6,7,8,9\]/);
    expect(log).toMatch(/\[warn\] storage exchange with .* failed: FrameError/);
    expect(secretsSent.length).toBeGreaterThan(20);
    for (const value of secretsSent) {
      expect(log).not.toContain(base32Encode(value));
      expect(log).not.toContain(Buffer.from(value).toString('hex'));
      expect(log).not.toContain(Buffer.from(value).toString('base64'));
    }
    // Both children are alive after all the bad input above.
    expect(() => process.kill(server.pid, 0)).not.toThrow();
    expect(() => process.kill(fullServer.pid, 0)).not.toThrow();
  });
});
