import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake2b } from '@noble/hashes/blake2.js';
import { base32Decode, base32Encode } from '../src-shared/base32.js';
import { parseChkReadCap, storageIndexOfKey } from '../src-shared/caps/index.js';
import type { ShareSource } from '../src-main/core/immutable/share-source.js';
import { StorageBackend, type StorageBackendOptions } from '../src-main/storage/backend.js';
import type { BucketReader } from '../src-main/storage/bucket-reader.js';
import {
  BadArgumentError,
  BadShareNumberError,
  BadStorageIndexError,
  BucketClosedError,
  ConflictingWriteError,
  DataTooLargeError,
  NoSpaceError,
  NoSuchLeaseError,
} from '../src-main/storage/errors.js';
import { parseImmutableContainer } from '../src-main/storage/immutable-container.js';
import { LEASE_DURATION_SECONDS } from '../src-main/storage/lease-record.js';
import { decodeToMemory, encodeToMemory } from './support/chk.js';
import { readVectorJson } from './support/vectors.js';

const T0 = 1_700_000_000;
const DAY = 24 * 3600;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

let dir: string;
let clock: number;
const backends: StorageBackend[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-storage-'));
  clock = T0;
});

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
  await rm(dir, { recursive: true, force: true });
});

async function openBackend(options: Partial<StorageBackendOptions> = {}): Promise<StorageBackend> {
  const backend = await StorageBackend.open({ dir, reservedSpace: 0, now: () => clock, ...options });
  backends.push(backend);
  return backend;
}

function secrets() {
  return { renew: randomBytes(32), cancel: randomBytes(32) };
}

function sharePath(si: Uint8Array, shnum: number, incoming = false): string {
  const b32 = base32Encode(si);
  return join(dir, 'shares', ...(incoming ? ['incoming'] : []), b32.slice(0, 2), b32, String(shnum));
}

async function containerOnDisk(si: Uint8Array, shnum: number) {
  return parseImmutableContainer(new Uint8Array(await readFile(sharePath(si, shnum))));
}

function readerSource(reader: BucketReader): ShareSource {
  return { label: `backend-${reader.shareNumber}`, read: (offset, length) => reader.read(offset, length) };
}

async function freeSpace(): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Allocates one share and writes `data` to it in one go. */
async function storeShare(backend: StorageBackend, si: Uint8Array, shnum: number, data: Uint8Array, lease = secrets()) {
  const { writers } = await backend.allocateBuckets(si, lease.renew, lease.cancel, [shnum], data.length);
  const writer = writers.get(shnum);
  if (!writer) throw new Error(`no writer for share ${shnum}`);
  await writer.write(0, data);
  await writer.close();
  return lease;
}

describe('StorageBackend: upload, close, read', () => {
  it('round-trips a real CHK file through writers and readers, and decodes it', async () => {
    const backend = await openBackend();
    const plaintext = randomBytes(20_000);
    const encoded = await encodeToMemory(plaintext, { neededShares: 3, totalShares: 10, maxSegmentSize: 4096, key: randomBytes(16) });
    const si = storageIndexOfKey(encoded.cap.key);
    const size = encoded.shares[0]!.length;
    const { renew, cancel } = secrets();

    const allocation = await backend.allocateBuckets(si, renew, cancel, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], size);
    expect(allocation.alreadyHave).toEqual([]);
    expect(allocation.refused).toEqual([]);
    expect([...allocation.writers.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [shnum, writer] of allocation.writers) {
      const share = encoded.shares[shnum]!;
      // out of order, in uneven pieces
      const cut = Math.floor(share.length / 3);
      await writer.write(cut, share.subarray(cut));
      await writer.write(0, share.subarray(0, cut));
      await writer.close();
    }
    await expect(stat(join(sharePath(si, 0, true), '..'))).rejects.toThrow(/ENOENT/); // nothing left in incoming

    const readers = await backend.getBuckets(si);
    expect([...readers.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [shnum, reader] of readers) {
      expect(reader.size).toBe(size);
      expect(hex(await reader.read(0, size))).toBe(hex(encoded.shares[shnum]!));
    }
    const fromParity = [7, 3, 9].map((j) => readerSource(readers.get(j)!));
    expect(Buffer.from(await decodeToMemory(encoded.cap, fromParity))).toEqual(plaintext);
  });

  it('writes a v2 container: header, data at 0x0c, one lease (owner 0, +31 days) with BLAKE2b-256 secrets', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const data = randomBytes(1000);
    const { renew, cancel } = await storeShare(backend, si, 5, data);
    const raw = new Uint8Array(await readFile(sharePath(si, 5)));
    expect(raw.length).toBe(12 + 1000 + 72);
    expect(hex(raw.subarray(0, 12))).toBe('00000002' + '000003e8' + '00000001');
    expect(hex(raw.subarray(12, 1012))).toBe(hex(data));
    const lease = raw.subarray(1012);
    expect(hex(lease.subarray(0, 4))).toBe('00000000');
    expect(hex(lease.subarray(4, 36))).toBe(hex(blake2b(renew, { dkLen: 32 })));
    expect(hex(lease.subarray(36, 68))).toBe(hex(blake2b(cancel, { dkLen: 32 })));
    expect(Buffer.from(lease).indexOf(Buffer.from(renew))).toBe(-1);
    expect(Buffer.from(raw).indexOf(Buffer.from(cancel))).toBe(-1);
    expect(new DataView(lease.buffer, lease.byteOffset).getUint32(68)).toBe(T0 + 31 * DAY);
  });

  it('reads are cut at the end of the data, and empty past it', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const data = randomBytes(100);
    await storeShare(backend, si, 0, data);
    const reader = (await backend.getBuckets(si)).get(0)!;
    expect(reader.size).toBe(100);
    expect(hex(await reader.read(90, 50))).toBe(hex(data.subarray(90))); // never the lease bytes
    expect((await reader.read(100, 10)).length).toBe(0);
    expect((await reader.read(5000, 10)).length).toBe(0);
    expect((await reader.read(10, 0)).length).toBe(0);
    await expect(reader.read(-1, 5)).rejects.toThrow(BadArgumentError);
    await expect(reader.read(0, 1.5)).rejects.toThrow(BadArgumentError);
  });

  it('close does not require every byte: the gap reads as zeros, and size is the allocation', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const { renew, cancel } = secrets();
    const { writers } = await backend.allocateBuckets(si, renew, cancel, [0], 50);
    const writer = writers.get(0)!;
    await writer.write(40, Uint8Array.from([1, 2, 3]));
    await writer.close();
    const reader = (await backend.getBuckets(si)).get(0)!;
    expect(reader.size).toBe(50);
    const bytes = await reader.read(0, 50);
    expect(hex(bytes.subarray(0, 40))).toBe('00'.repeat(40));
    expect([...bytes.subarray(40, 43)]).toEqual([1, 2, 3]);
  });

  it('a closed or aborted writer refuses more writes', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const { renew, cancel } = secrets();
    const { writers } = await backend.allocateBuckets(si, renew, cancel, [0, 1], 10);
    await writers.get(0)!.close();
    await expect(writers.get(0)!.write(0, new Uint8Array(1))).rejects.toThrow(BucketClosedError);
    await expect(writers.get(0)!.close()).rejects.toThrow(/already closed/);
    await writers.get(1)!.abort();
    await expect(writers.get(1)!.write(0, new Uint8Array(1))).rejects.toThrow(/aborted by the client/);
    await writers.get(1)!.abort(); // idempotent
  });
});

describe('StorageBackend: write checks', () => {
  it('rewriting with the same bytes is fine; different bytes is a ConflictingWriteError', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const { renew, cancel } = secrets();
    const writer = (await backend.allocateBuckets(si, renew, cancel, [3], 100)).writers.get(3)!;
    const data = randomBytes(100);
    await writer.write(10, data.subarray(10, 30));
    await writer.write(10, data.subarray(10, 30));
    await writer.write(0, data.subarray(0, 50)); // overlaps the written range with the same bytes
    const changed = Uint8Array.from(data.subarray(20, 60));
    changed[5]! ^= 1;
    await expect(writer.write(20, changed)).rejects.toThrow(ConflictingWriteError);
    await expect(writer.write(20, changed)).rejects.toThrow(/bytes 20\.\.50 were already written with different content/);
    await writer.write(50, data.subarray(50)); // the writer is still usable
    await writer.close();
    const reader = (await backend.getBuckets(si)).get(3)!;
    expect(hex(await reader.read(0, 100))).toBe(hex(data));
  });

  it('a write past the allocated size is a DataTooLargeError; bad offsets are BadArgumentErrors', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const { renew, cancel } = secrets();
    const writer = (await backend.allocateBuckets(si, renew, cancel, [0], 100)).writers.get(0)!;
    await expect(writer.write(0, new Uint8Array(101))).rejects.toThrow(DataTooLargeError);
    await expect(writer.write(95, new Uint8Array(6))).rejects.toThrow(/ends at 101, past the allocated size of 100/);
    await expect(writer.write(-1, new Uint8Array(1))).rejects.toThrow(BadArgumentError);
    await expect(writer.write(2 ** 60, new Uint8Array(1))).rejects.toThrow(BadArgumentError);
    await writer.write(95, new Uint8Array(5)); // exactly to the end is fine
    await writer.abort();
  });

  it('writes go to shares/incoming until close, then move atomically', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const { renew, cancel } = secrets();
    const writer = (await backend.allocateBuckets(si, renew, cancel, [2], 10)).writers.get(2)!;
    await writer.write(0, randomBytes(10));
    await stat(sharePath(si, 2, true));
    await expect(stat(sharePath(si, 2))).rejects.toThrow(/ENOENT/);
    expect((await backend.getBuckets(si)).size).toBe(0);
    await writer.close();
    await stat(sharePath(si, 2));
    await expect(stat(sharePath(si, 2, true))).rejects.toThrow(/ENOENT/);
    await expect(stat(join(sharePath(si, 2, true), '..'))).rejects.toThrow(/ENOENT/); // empty incoming bucket removed
  });

  it('abort deletes the incoming file and releases the promised space', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const { renew, cancel } = secrets();
    const writer = (await backend.allocateBuckets(si, renew, cancel, [0], 1_000_000)).writers.get(0)!;
    await writer.write(0, randomBytes(1000));
    expect((await backend.stats()).promisedBytes).toBe(12 + 1_000_000 + 72 - 1000);
    await writer.abort();
    await expect(stat(sharePath(si, 0, true))).rejects.toThrow(/ENOENT/);
    expect((await backend.stats()).promisedBytes).toBe(0);
    expect((await backend.stats()).openWriters).toBe(0);
    const again = await backend.allocateBuckets(si, renew, cancel, [0], 10);
    expect([...again.writers.keys()]).toEqual([0]);
  });

  it('a writer idle for 30 minutes (injected clock) is aborted, lazily or by sweepIdleWriters', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const { renew, cancel } = secrets();
    const { writers } = await backend.allocateBuckets(si, renew, cancel, [0, 1], 10);
    await writers.get(0)!.write(0, new Uint8Array(5));
    clock += 29 * 60;
    await writers.get(0)!.write(5, new Uint8Array(5)); // activity resets the timer for share 0
    clock += 2 * 60; // share 1 is now 31 minutes idle, share 0 two minutes
    await expect(writers.get(1)!.write(0, new Uint8Array(1))).rejects.toThrow(/aborted after 30 minutes without a write/);
    await expect(stat(sharePath(si, 1, true))).rejects.toThrow(/ENOENT/);
    clock += 30 * 60;
    expect(await backend.sweepIdleWriters()).toBe(1);
    await expect(stat(sharePath(si, 0, true))).rejects.toThrow(/ENOENT/);
    await expect(writers.get(0)!.close()).rejects.toThrow(BucketClosedError);
    expect((await backend.stats()).openWriters).toBe(0);
  });
});

describe('StorageBackend: allocation', () => {
  it('alreadyHave lists every held share; held and in-progress shares get no writer', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    await storeShare(backend, si, 1, randomBytes(10));
    await storeShare(backend, si, 7, randomBytes(10));
    const { renew, cancel } = secrets();
    const first = await backend.allocateBuckets(si, renew, cancel, [1, 2, 2, 3], 10);
    expect(first.alreadyHave).toEqual([1, 7]);
    expect([...first.writers.keys()]).toEqual([2, 3]);
    const second = await backend.allocateBuckets(si, renew, cancel, [1, 2, 3, 4], 10);
    expect(second.alreadyHave).toEqual([1, 7]); // 2 and 3 are not final yet
    expect([...second.writers.keys()]).toEqual([4]);
    expect(second.refused).toEqual([]);
  });

  it('existing shares get the allocating lease (renewed if the secret matches, else added)', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const first = await storeShare(backend, si, 0, randomBytes(10));
    clock += 10 * DAY;
    await backend.allocateBuckets(si, first.renew, first.cancel, [0], 10);
    let leases = (await containerOnDisk(si, 0)).leases;
    expect(leases.map((l) => l.expirationTime)).toEqual([clock + 31 * DAY]);
    const other = secrets();
    await backend.allocateBuckets(si, other.renew, other.cancel, [], 10);
    leases = (await containerOnDisk(si, 0)).leases;
    expect(leases).toHaveLength(2);
    expect(leases[1]!.ownerNumber).toBe(0);
    expect(hex(leases[1]!.renewSecret)).toBe(hex(blake2b(other.renew, { dkLen: 32 })));
  });

  it('refuses with "server-full" when free space minus the reserve is short', async () => {
    const free = await freeSpace();
    const backend = await openBackend({ reservedSpace: free + 2 ** 30 });
    const version = await backend.version();
    expect(version.availableSpace).toBe(0);
    expect(version.maximumImmutableShareSize).toBe(0);
    const si = randomBytes(16);
    const { renew, cancel } = secrets();
    const allocation = await backend.allocateBuckets(si, renew, cancel, [0, 1, 2], 1000);
    expect(allocation.writers.size).toBe(0);
    expect(allocation.refused).toEqual([0, 1, 2]);
    expect(allocation.refusedBecause).toBe('server-full');
  });

  it('counts space promised to open writers, and accepts again once it is released', async (context) => {
    const GiB = 2 ** 30;
    const free = await freeSpace();
    if (free < 4 * GiB) context.skip();
    // room for two 1 GiB promises, with half a GiB of slack for other disk activity
    const backend = await openBackend({ reservedSpace: free - 2.5 * GiB });
    const si = randomBytes(16);
    const { renew, cancel } = secrets();
    const allocation = await backend.allocateBuckets(si, renew, cancel, [0, 1, 2], GiB);
    expect([...allocation.writers.keys()]).toEqual([0, 1]);
    expect(allocation.refused).toEqual([2]);
    expect(allocation.refusedBecause).toBe('server-full');
    const available = (await backend.version()).availableSpace;
    expect(available).toBeLessThan(GiB);
    await allocation.writers.get(0)!.abort();
    const retry = await backend.allocateBuckets(si, renew, cancel, [2], GiB);
    expect([...retry.writers.keys()]).toEqual([2]);
  });

  it('version(): available = free − reserved, capped by maxShareSize for the maximum share size', async () => {
    const backend = await openBackend({ reservedSpace: 10 * 2 ** 20, maxShareSize: 5000, applicationVersion: 'cairn/test' });
    const free = await freeSpace();
    const version = await backend.version();
    expect(Math.abs(version.availableSpace - (free - 10 * 2 ** 20))).toBeLessThan(64 * 2 ** 20);
    expect(version.maximumImmutableShareSize).toBe(5000);
    expect(version.applicationVersion).toBe('cairn/test');
    const { renew, cancel } = secrets();
    const tooBig = await backend.allocateBuckets(randomBytes(16), renew, cancel, [0], 5001);
    expect(tooBig.refusedBecause).toBe('share-too-large');
    expect(tooBig.writers.size).toBe(0);
  });

  it('a read-only server accepts nothing new, still serves reads and renews matching leases', async () => {
    const si = randomBytes(16);
    const data = randomBytes(64);
    const lease = await storeShare(await openBackend(), si, 0, data);
    const backend = await openBackend({ readOnly: true });
    expect((await backend.version()).availableSpace).toBe(0);
    const { renew, cancel } = secrets();
    const allocation = await backend.allocateBuckets(si, renew, cancel, [0, 1], 64);
    expect(allocation).toMatchObject({ alreadyHave: [0], refused: [1], refusedBecause: 'read-only' });
    expect(hex(await (await backend.getBuckets(si)).get(0)!.read(0, 64))).toBe(hex(data));
    clock += DAY;
    await backend.renewLease(si, lease.renew);
    await backend.addLease(si, lease.renew, lease.cancel);
    expect((await containerOnDisk(si, 0)).leases.map((l) => l.expirationTime)).toEqual([clock + 31 * DAY]);
    await expect(backend.addLease(si, renew, cancel)).rejects.toThrow(NoSpaceError);
  });

  it('validates its arguments with typed errors', async () => {
    const backend = await openBackend();
    const { renew, cancel } = secrets();
    await expect(backend.allocateBuckets(randomBytes(15), renew, cancel, [0], 10)).rejects.toThrow(BadStorageIndexError);
    await expect(backend.allocateBuckets(new TextEncoder().encode('../../../../x/yy'), renew, cancel, [256], 10)).rejects.toThrow(BadShareNumberError);
    await expect(backend.allocateBuckets(randomBytes(16), renew, cancel, [-1], 10)).rejects.toThrow(BadShareNumberError);
    await expect(backend.allocateBuckets(randomBytes(16), renew, cancel, [1.5], 10)).rejects.toThrow(BadShareNumberError);
    await expect(backend.allocateBuckets(randomBytes(16), randomBytes(31), cancel, [0], 10)).rejects.toThrow(/renew secret is 32 bytes, got 31/);
    await expect(backend.allocateBuckets(randomBytes(16), renew, cancel, [0], -5)).rejects.toThrow(BadArgumentError);
    await expect(backend.allocateBuckets(randomBytes(16), renew, cancel, new Array(257).fill(0), 10)).rejects.toThrow(/at most 256/);
    await expect(backend.getBuckets(randomBytes(17))).rejects.toThrow(BadStorageIndexError);
    await expect(backend.addLease(new Uint8Array(0), renew, cancel)).rejects.toThrow(BadStorageIndexError);
    await expect(backend.adviseCorruptShare('immutable', randomBytes(16), 300, 'x')).rejects.toThrow(BadShareNumberError);
    await expect(backend.adviseCorruptShare('other' as never, randomBytes(16), 0, 'x')).rejects.toThrow(BadArgumentError);
    // nothing was created for the rejected requests
    expect(await readdir(join(dir, 'shares'))).toEqual([]);
  });
});

describe('StorageBackend: restart', () => {
  it('keeps final shares and wipes incoming/', async () => {
    const first = await openBackend();
    const si = randomBytes(16);
    const data = randomBytes(300);
    await storeShare(first, si, 0, data);
    const { renew, cancel } = secrets();
    const pending = (await first.allocateBuckets(si, renew, cancel, [1], 300)).writers.get(1)!;
    await pending.write(0, data.subarray(0, 100));
    await stat(sharePath(si, 1, true));
    // a crash: the first backend is simply dropped, its writer never closed
    const second = await StorageBackend.open({ dir, reservedSpace: 0, now: () => clock });
    backends.push(second);
    await expect(stat(join(dir, 'shares', 'incoming'))).rejects.toThrow(/ENOENT/);
    const readers = await second.getBuckets(si);
    expect([...readers.keys()]).toEqual([0]);
    expect(hex(await readers.get(0)!.read(0, 300))).toBe(hex(data));
    const again = await second.allocateBuckets(si, renew, cancel, [1], 300);
    expect(again.alreadyHave).toEqual([0]);
    expect([...again.writers.keys()]).toEqual([1]);
  });
});

describe('StorageBackend: leases', () => {
  it('addLease adds an owner-1 lease per share, renews it later, and never moves expiry earlier', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const first = await storeShare(backend, si, 0, randomBytes(10));
    await storeShare(backend, si, 4, randomBytes(10), first);
    const { renew, cancel } = secrets();
    clock += 5 * DAY;
    await backend.addLease(si, renew, cancel);
    for (const shnum of [0, 4]) {
      const { leases, shareData } = await containerOnDisk(si, shnum);
      expect(shareData.length).toBe(10);
      expect(leases.map((l) => [l.ownerNumber, l.expirationTime])).toEqual([
        [0, T0 + 31 * DAY],
        [1, T0 + 36 * DAY],
      ]);
      expect(hex(leases[1]!.cancelSecret)).toBe(hex(blake2b(cancel, { dkLen: 32 })));
    }
    clock += DAY;
    await backend.addLease(si, renew, cancel);
    expect((await containerOnDisk(si, 0)).leases.map((l) => l.expirationTime)).toEqual([T0 + 31 * DAY, T0 + 37 * DAY]);
    clock -= 3 * DAY; // a clock that went back does not shorten a lease
    await backend.addLease(si, renew, cancel);
    await backend.renewLease(si, renew);
    expect((await containerOnDisk(si, 0)).leases.map((l) => l.expirationTime)).toEqual([T0 + 31 * DAY, T0 + 37 * DAY]);
  });

  it('addLease without shares does nothing', async () => {
    const backend = await openBackend();
    const { renew, cancel } = secrets();
    await backend.addLease(randomBytes(16), renew, cancel);
    expect(await readdir(join(dir, 'shares'))).toEqual([]);
  });

  it('renewLease renews where the secret matches, else NoSuchLeaseError', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const lease = await storeShare(backend, si, 0, randomBytes(10));
    clock += 3 * DAY;
    await backend.renewLease(si, lease.renew);
    expect((await containerOnDisk(si, 0)).leases.map((l) => l.expirationTime)).toEqual([clock + LEASE_DURATION_SECONDS]);
    await expect(backend.renewLease(si, randomBytes(32))).rejects.toThrow(NoSuchLeaseError);
    await expect(backend.renewLease(si, lease.cancel)).rejects.toThrow(NoSuchLeaseError);
    await expect(backend.renewLease(randomBytes(16), lease.renew)).rejects.toThrow(/no share of storage index/);
    // the stored hash itself is not the secret
    const stored = (await containerOnDisk(si, 0)).leases[0]!.renewSecret;
    await expect(backend.renewLease(si, stored)).rejects.toThrow(NoSuchLeaseError);
  });
});

describe('StorageBackend: concurrency', () => {
  it('concurrent lease changes on one storage index never lose an update', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const first = await storeShare(backend, si, 0, randomBytes(1000));
    await storeShare(backend, si, 1, randomBytes(1000), first);
    const others = Array.from({ length: 20 }, () => secrets());
    await Promise.all([
      ...others.map((s) => backend.addLease(si, s.renew, s.cancel)),
      backend.renewLease(si, first.renew),
      backend.allocateBuckets(si, first.renew, first.cancel, [0, 1], 1000),
    ]);
    for (const shnum of [0, 1]) {
      const { leases, shareData } = await containerOnDisk(si, shnum);
      expect(leases).toHaveLength(21);
      expect(shareData.length).toBe(1000);
      expect(new Set(leases.map((l) => hex(l.renewSecret))).size).toBe(21);
    }
  });

  it('concurrent writes to one writer are applied in order', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const data = randomBytes(64 * 1024);
    const { renew, cancel } = secrets();
    const writer = (await backend.allocateBuckets(si, renew, cancel, [0], data.length)).writers.get(0)!;
    const pieces = Array.from({ length: 64 }, (_, i) => writer.write(i * 1024, data.subarray(i * 1024, (i + 1) * 1024)));
    await Promise.all([...pieces, writer.close()]);
    expect(hex(await (await backend.getBuckets(si)).get(0)!.read(0, data.length))).toBe(hex(data));
  });
});

describe('StorageBackend: Tahoe 1.2.0 share files (container v1)', () => {
  interface Stored {
    immutable: { plaintext_b64: string; uri: string; shares: Record<string, { base32: string }> };
  }
  const stored = readVectorJson<Stored>('tahoe-1.2.0-stored-shares.json').immutable;
  const cap = parseChkReadCap(stored.uri);
  const si = storageIndexOfKey(cap.key);

  async function placeTahoeShares(): Promise<Map<number, Uint8Array>> {
    const files = new Map(Object.entries(stored.shares).map(([j, s]) => [Number(j), base32Decode(s.base32)]));
    await mkdir(join(sharePath(si, 0), '..'), { recursive: true });
    for (const [j, file] of files) await writeFile(sharePath(si, j), file);
    return files;
  }

  it('serves and decodes them, renews their cleartext leases, and keeps them v1', async () => {
    const files = await placeTahoeShares();
    const backend = await openBackend();
    const readers = await backend.getBuckets(si);
    expect(readers.size).toBe(10);
    const plaintext = Buffer.from(stored.plaintext_b64, 'base64');
    expect(Buffer.from(await decodeToMemory(cap, [2, 5, 8].map((j) => readerSource(readers.get(j)!))))).toEqual(plaintext);

    // v1 keeps secrets in clear, so the lease Tahoe wrote can be renewed with its bytes
    const tahoeRenew = parseImmutableContainer(files.get(3)!).leases[0]!.renewSecret;
    await backend.renewLease(si, tahoeRenew);
    const { renew, cancel } = secrets();
    await backend.addLease(si, renew, cancel);
    const after = await containerOnDisk(si, 3);
    expect(after.header.version).toBe(1);
    expect(after.leases.map((l) => l.expirationTime)).toEqual([T0 + 31 * DAY, T0 + 31 * DAY]);
    expect(hex(after.leases[1]!.renewSecret)).toBe(hex(renew));
    expect(hex(after.shareData)).toBe(hex(parseImmutableContainer(files.get(3)!).shareData));
  });

  it('skips (and reports) a share file whose container cannot be parsed', async () => {
    await placeTahoeShares();
    await writeFile(sharePath(si, 4), new Uint8Array([0, 0, 0, 9, ...new Array<number>(100).fill(0)]));
    const warnings: string[] = [];
    const backend = await openBackend({ onWarning: (message) => warnings.push(message) });
    const readers = await backend.getBuckets(si);
    expect(readers.has(4)).toBe(false);
    expect(readers.size).toBe(9);
    expect(warnings.join('\n')).toMatch(/unknown immutable container version 9/);
    const { renew, cancel } = secrets();
    const allocation = await backend.allocateBuckets(si, renew, cancel, [4], 100);
    expect(allocation.alreadyHave).toContain(4);
    expect(allocation.writers.size).toBe(0);
  });
});

describe('StorageBackend: corruption advisories', () => {
  it('writes corruption-advisories/<time>--<b32 SI>-<shnum> for a held share', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    await storeShare(backend, si, 2, randomBytes(10));
    clock = Date.UTC(2024, 4, 17, 13, 45, 6) / 1000;
    expect(await backend.adviseCorruptShare('immutable', si, 2, 'block hash tree mismatch in segment 3')).toBe(true);
    const folder = join(dir, 'corruption-advisories');
    const names = await readdir(folder);
    const b32 = base32Encode(si);
    expect(names).toEqual([`2024-05-17T134506.000Z--${b32}-2`]);
    expect(names[0]).not.toContain(':');
    expect(await readFile(join(folder, names[0]!), 'utf8')).toBe(
      `report: Share Corruption\ntype: immutable\nstorage_index: ${b32}\nshare_number: 2\n\nblock hash tree mismatch in segment 3\n`,
    );
    // a second report at the same instant does not overwrite the first
    expect(await backend.adviseCorruptShare('immutable', si, 2, new TextEncoder().encode('again'))).toBe(true);
    expect(await readdir(folder)).toHaveLength(2);
  });

  it('ignores shares it does not hold, and cuts long reasons', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    expect(await backend.adviseCorruptShare('immutable', si, 0, 'x')).toBe(false);
    await expect(stat(join(dir, 'corruption-advisories'))).rejects.toThrow(/ENOENT/);
    await storeShare(backend, si, 0, randomBytes(10));
    expect(await backend.adviseCorruptShare('immutable', si, 1, 'x')).toBe(false);
    expect(await backend.adviseCorruptShare('immutable', si, 0, 'y'.repeat(100_000))).toBe(true);
    const [name] = await readdir(join(dir, 'corruption-advisories'));
    const text = await readFile(join(dir, 'corruption-advisories', name!), 'utf8');
    expect(text.length).toBeLessThan(5000);
    expect(text).toContain('[reason truncated from 100000 bytes]');
  });
});

describe('StorageBackend: stats', () => {
  it('counts shares, storage indexes, bytes and open writers', async () => {
    const backend = await openBackend();
    expect(await backend.stats()).toEqual({ storageIndexes: 0, shares: 0, bytesUsed: 0, openWriters: 0, promisedBytes: 0 });
    const a = randomBytes(16);
    const b = randomBytes(16);
    const lease = await storeShare(backend, a, 0, randomBytes(100));
    await storeShare(backend, a, 1, randomBytes(100), lease);
    await storeShare(backend, b, 9, randomBytes(50));
    const { renew, cancel } = secrets();
    await backend.allocateBuckets(randomBytes(16), renew, cancel, [0], 1000);
    expect(await backend.stats()).toEqual({
      storageIndexes: 2,
      shares: 3,
      bytesUsed: 3 * (12 + 72) + 250,
      openWriters: 1,
      promisedBytes: 12 + 1000 + 72,
    });
  });
});
