// The storage service's own limits and lifecycle, with server and client hosts in this
// process (the protocol between real processes is in storage-protocol.test.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { base32Encode } from '../src-shared/base32.js';
import { createCairnHost, type CairnHost } from '../src-main/net/host.js';
import { generateNodeKey } from '../src-main/net/keys.js';
import { RemoteStorageError, RemoteStorageServer } from '../src-main/net/storage-protocol/client.js';
import {
  StorageMessageError,
  encodeStorageRequest,
  parseAllocateResponse,
  parseListResponse,
  parseStorageRequest,
  type StorageRequest,
} from '../src-main/net/storage-protocol/messages.js';
import { serveStorage, type StorageServerOptions, type StorageService } from '../src-main/net/storage-protocol/server.js';
import { StorageBackend } from '../src-main/storage/backend.js';
import { storageIndexFromBase32 } from '../src-main/storage/storage-index.js';

const MiB = 1024 * 1024;
const gridKey = new Uint8Array(randomBytes(32));
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function bytes(n: number): Uint8Array {
  return new Uint8Array(randomBytes(n));
}

async function newHost(): Promise<CairnHost> {
  const host = await createCairnHost({
    privateKey: await generateNodeKey(),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    gridKey,
    loopbackLimits: true,
  });
  cleanups.push(async () => {
    await host.stop();
  });
  return host;
}

interface Setup {
  readonly dir: string;
  readonly backend: StorageBackend;
  readonly service: StorageService;
  readonly client: CairnHost;
  readonly remote: RemoteStorageServer;
  readonly logs: string[];
  clock: number;
}

async function setup(options: StorageServerOptions = {}, clientOptions = {}): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-storage-service-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const state = { clock: 1_700_000_000 };
  const backend = await StorageBackend.open({ dir, reservedSpace: 0, now: () => state.clock });
  cleanups.push(() => backend.close());
  const serverHost = await newHost();
  const logs: string[] = [];
  const service = await serveStorage(serverHost, backend, { log: (level, message) => logs.push(`[${level}] ${message}`), ...options });
  cleanups.push(() => service.close());
  const client = await newHost();
  const remote = new RemoteStorageServer(client, serverHost.peerId, serverHost.getMultiaddrs(), { name: 'local', ...clientOptions });
  return Object.assign(state, { dir, backend, service, client, remote, logs });
}

async function incomingFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(join(dir, 'shares', 'incoming'), { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

describe('memory budget', () => {
  it('queues writes and reads beyond the budget instead of failing them', async () => {
    const { remote } = await setup({ maxBufferedBytes: MiB + 1 }, { maxConcurrentRequests: 16, writeWindow: 8 });
    const sizes = [8 * MiB, 3 * MiB + 5, 100];
    const datas = sizes.map(bytes);
    const si = bytes(16);
    const allocation = await remote.allocateBuckets(si, bytes(32), bytes(32), [0, 1, 2], 8 * MiB);
    await Promise.all(datas.map((data, j) => allocation.writers.get(j)!.write(0, data)));
    await Promise.all([...allocation.writers.values()].map((writer) => writer.close()));
    const readers = await remote.getBuckets(si);
    const back = await Promise.all([0, 1, 2, 0, 1, 2].map((j) => readers.get(j)!.read(0, 8 * MiB)));
    back.forEach((got, i) => {
      const want = datas[i % 3]!;
      expect(got.length).toBe(8 * MiB); // allocated size: unwritten bytes read as zeros
      expect(Buffer.compare(got.subarray(0, want.length), want)).toBe(0);
    });
  });
});

describe('lifecycle and limits', () => {
  it('close() aborts every open upload and stops serving', async () => {
    const s = await setup();
    const allocation = await s.remote.allocateBuckets(bytes(16), bytes(32), bytes(32), [0, 1, 2], 1000);
    await allocation.writers.get(0)!.write(0, bytes(10));
    expect(s.service.openUploads).toBe(3);
    expect(await incomingFiles(s.dir)).toHaveLength(3);
    await s.service.close();
    expect(s.service.openUploads).toBe(0);
    expect(await incomingFiles(s.dir)).toEqual([]);
    expect((await s.backend.stats()).promisedBytes).toBe(0);
    await expect(s.remote.version()).rejects.toMatchObject({ name: 'RemoteStorageError', code: 'dial', refused: false });
  });

  it('limits the open uploads of one peer', async () => {
    const s = await setup({ maxOpenUploadsPerPeer: 4 });
    await s.remote.allocateBuckets(bytes(16), bytes(32), bytes(32), [0, 1, 2], 10);
    const error = await s.remote.allocateBuckets(bytes(16), bytes(32), bytes(32), [0, 1], 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteStorageError);
    expect(error).toMatchObject({ code: 'too-many-uploads', refused: true });
    expect((error as Error).message).toMatch(/already has 3 open uploads; at most 4/);
    await s.remote.allocateBuckets(bytes(16), bytes(32), bytes(32), [0], 10); // one more fits
  });

  it('an upload idle for 30 minutes is gone', async () => {
    const s = await setup();
    const writer = (await s.remote.allocateBuckets(bytes(16), bytes(32), bytes(32), [0], 100)).writers.get(0)!;
    await writer.write(0, bytes(10));
    s.clock += 31 * 60;
    const error = await writer.write(10, bytes(10)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'no-such-bucket', refused: true });
    expect((error as Error).message).toMatch(/aborted after 30 minutes without a write/);
    expect(await incomingFiles(s.dir)).toEqual([]);
    await writer.abort(); // nothing left to abort: not an error
  });

  it('a share deleted after it was listed (e.g. by GC) reads as no-such-share', async () => {
    const s = await setup();
    const si = bytes(16);
    const writer = (await s.remote.allocateBuckets(si, bytes(32), bytes(32), [2], 3 * MiB)).writers.get(2)!;
    await writer.write(0, bytes(3 * MiB));
    await writer.close();
    const reader = (await s.remote.getBuckets(si)).get(2)!;
    expect(await reader.read(0, 10)).toHaveLength(10); // the server now caches its reader
    const b32 = base32Encode(si);
    await rm(join(s.dir, 'shares', b32.slice(0, 2), b32, '2'));
    const error = await reader.read(0, 3 * MiB).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RemoteStorageError', code: 'no-such-share', refused: true });
    expect((error as Error).message).toMatch(/share 2 was deleted after it was listed/);
    expect((await s.remote.getBuckets(si)).size).toBe(0);
    expect(s.logs.some((line) => line.startsWith('[error]'))).toBe(false);
  });

  it('puts whole shares in one request, final at once, and lists them with their first bytes', async () => {
    const s = await setup();
    const si = bytes(16);
    const shares = new Map([0, 3, 7].map((n) => [n, bytes(3000)]));
    const put = await s.remote.putShares(si, bytes(32), bytes(32), shares);
    expect(put).toEqual({ alreadyHave: [], written: [0, 3, 7], refused: [], refusedBecause: undefined });
    expect(await incomingFiles(s.dir)).toEqual([]);
    const again = await s.remote.putShares(si, bytes(32), bytes(32), new Map([[3, bytes(3000)], [4, bytes(3000)]]));
    expect(again).toMatchObject({ alreadyHave: [0, 3, 7], written: [4] });
    expect([...(await s.backend.getBuckets(si)).keys()].sort((a, b) => a - b)).toEqual([0, 3, 4, 7]);

    const listed = await s.remote.getBuckets(si, { prefetchBytes: 1000 });
    expect([...listed.keys()]).toEqual([0, 3, 4, 7]);
    const reader = listed.get(3)!;
    expect(reader.prefix).toEqual(shares.get(3)!.subarray(0, 1000));
    expect(await reader.read(10, 100)).toEqual(shares.get(3)!.subarray(10, 110));
    expect(await reader.read(900, 2000)).toEqual(shares.get(3)!.subarray(900, 2900)); // past the prefix: asked
    const whole = (await s.remote.getBuckets(si, { prefetchBytes: 16 * 1024 })).get(7)!;
    expect(whole.prefix).toEqual(shares.get(7));
    expect(await whole.read(0, 64 * 1024)).toEqual(shares.get(7));
    expect(s.logs.some((line) => /^\[info\] storage: put-shares [a-z2-7]{26} shares \[3,4\] of 3000 bytes from 12D3\S+: written \[4\]/.test(line))).toBe(true);
  });

  it('refuses a put-shares whose body is not its shares', async () => {
    const s = await setup();
    const si = bytes(16);
    const secret = bytes(32);
    const request = { kind: 'put-shares', storageIndex: si, renewSecret: secret, cancelSecret: secret, shareNumbers: [1, 2], shareSize: 100 } as unknown as StorageRequest;
    await expect(s.remote.exchange(request, bytes(150), {})).rejects.toMatchObject({ code: 'bad-request' });
    expect((await s.backend.getBuckets(si)).size).toBe(0);
    expect(await incomingFiles(s.dir)).toEqual([]);
    await expect(s.remote.putShares(si, secret, secret, new Map([[1, bytes(10)], [2, bytes(11)]]))).rejects.toThrow(/same size/);
  });

  it('logs through the injected function', async () => {
    const s = await setup();
    await s.remote.allocateBuckets(bytes(16), bytes(32), bytes(32), [7], 10);
    expect(s.logs.some((line) => /^\[info\] storage: allocate [a-z2-7]{26} shares \[7\] of 10 bytes from 12D3/.test(line))).toBe(true);
  });
});

describe('messages', () => {
  const si = 'aaaaaaaaaaaaaaaaaaaaaaaaaa';

  it('round-trips every request kind through encode and parse', () => {
    const storageIndex = storageIndexFromBase32(si);
    const renewSecret = bytes(32);
    const cancelSecret = bytes(32);
    const requests = [
      { kind: 'version' },
      { kind: 'allocate', storageIndex, renewSecret, cancelSecret, shareNumbers: [0, 5, 255], allocatedSize: 2 ** 40 },
      { kind: 'write', storageIndex, shareNumber: 3, offset: 7, length: MiB },
      { kind: 'close', storageIndex, shareNumber: 3 },
      { kind: 'abort', storageIndex, shareNumber: 255 },
      { kind: 'list', storageIndex, prefixLength: 0 },
      { kind: 'list', storageIndex, prefixLength: 16 * 1024 },
      { kind: 'put-shares', storageIndex, renewSecret, cancelSecret, shareNumbers: [0, 9], shareSize: 64 * 1024 },
      { kind: 'read', storageIndex, shareNumber: 0, offset: 2 ** 50, length: 4 * MiB },
      { kind: 'add-lease', storageIndex, renewSecret, cancelSecret },
      { kind: 'renew-lease', storageIndex, renewSecret },
      { kind: 'advise-corrupt', shareType: 'immutable', storageIndex, shareNumber: 9, reason: 'bad block\nsegment 3 ✗' },
    ] as unknown as StorageRequest[]; // share numbers are checked (branded) values
    for (const request of requests) {
      const wire = JSON.parse(JSON.stringify(encodeStorageRequest(request))) as unknown;
      expect(parseStorageRequest(wire)).toEqual(request);
    }
  });

  it('limits put-shares and list prefixes', () => {
    const secret = base32Encode(bytes(32));
    const put = { kind: 'put-shares', storageIndex: si, renewSecret: secret, cancelSecret: secret, shareNumbers: [0, 1], shareSize: 10 };
    expect(() => parseStorageRequest({ ...put, shareSize: 64 * 1024 + 1 })).toThrow(/"shareSize" is 65537, more than the limit of 65536/);
    const many = Array.from({ length: 17 }, (_, n) => n);
    expect(() => parseStorageRequest({ ...put, shareNumbers: many, shareSize: 64 * 1024 })).toThrow(/17 shares of 65536 bytes are more than the 1048576 bytes/);
    expect(() => parseStorageRequest({ kind: 'list', storageIndex: si, prefixLength: 16 * 1024 + 1 })).toThrow(/"prefixLength" is 16385, more than the limit/);
  });

  it('sorts share numbers and checks answers against the request', () => {
    expect(parseStorageRequest({ kind: 'list', storageIndex: si })).toMatchObject({ kind: 'list', prefixLength: 0 });
    const answer = { alreadyHave: [9, 1], allocated: [3, 2], refused: [], refusedBecause: null };
    expect(parseAllocateResponse(answer, [2, 3])).toEqual({ alreadyHave: [1, 9], allocated: [2, 3], refused: [], refusedBecause: undefined });
    expect(() => parseAllocateResponse(answer, [2])).toThrow(/share 3 was not asked for/);
    expect(() => parseAllocateResponse({ ...answer, refused: [2], allocated: [3] }, [2, 3])).toThrow(/"refusedBecause" must be given/);
    expect(() => parseAllocateResponse({ ...answer, refusedBecause: 'bored' }, [2, 3])).toThrow(StorageMessageError);
    expect(() => parseListResponse({ shares: [{ shareNumber: 1, size: 5 }, { shareNumber: 1, size: 5 }] })).toThrow(/listed twice/);
    expect(() => parseListResponse({ shares: [{ shareNumber: 1, size: -5 }] })).toThrow(/"size" must be a non-negative/);
  });

  it('refuses fields that JSON.parse makes from __proto__', () => {
    const head = JSON.parse('{"kind":"version","__proto__":{"x":1}}') as unknown;
    expect(() => parseStorageRequest(head)).toThrow(/unexpected field "__proto__"/);
  });
});
