import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake2b } from '@noble/hashes/blake2.js';
import { base32Encode } from '../src-shared/base32.js';
import { readOnlyCapOf } from '../src-shared/caps/index.js';
import {
  CHECKSTRING_SIZE,
  MAX_MUTABLE_SHARE_SIZE,
  SHARE_HEAD_SIZE,
  checkstringTest,
  decodeMutableVersion,
  encodeMutableVersion,
  generateWriterKeys,
  readVersionInfo,
  writeCapOfKeys,
  writeEnablerFor,
} from '../src-main/core/mutable/index.js';
import { StorageBackend, type StorageBackendOptions } from '../src-main/storage/backend.js';
import { BadArgumentError, BadShareNumberError, BadWriteEnablerError, DataTooLargeError, NoSpaceError } from '../src-main/storage/errors.js';
import { LeaseCrawler } from '../src-main/storage/lease-crawler.js';
import { LEASE_DURATION_SECONDS } from '../src-main/storage/lease-record.js';
import { MUTABLE_DATA_OFFSET, buildMutableContainer, parseMutableContainer } from '../src-main/storage/mutable-container.js';
import type { ShareWrite } from '../src-main/storage/mutable-vectors.js';
import { sameBytes } from './support/chk.js';

const T0 = 1_700_000_000;
const DAY = 24 * 3600;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const NODE_ID = new Uint8Array(20).fill(7);
const randomBytes = (length: number): Uint8Array => new Uint8Array(nodeRandomBytes(length));

let dir: string;
let clock: number;
const backends: StorageBackend[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-mutable-'));
  clock = T0;
});

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
  await rm(dir, { recursive: true, force: true });
});

async function openBackend(options: Partial<StorageBackendOptions> = {}): Promise<StorageBackend> {
  const backend = await StorageBackend.open({ dir, reservedSpace: 0, now: () => clock, nodeId: NODE_ID, ...options });
  backends.push(backend);
  return backend;
}

function bucketDir(si: Uint8Array): string {
  const b32 = base32Encode(si);
  return join(dir, 'shares', b32.slice(0, 2), b32);
}

const sharePath = (si: Uint8Array, shnum: number) => join(bucketDir(si), String(shnum));
const onDisk = async (si: Uint8Array, shnum: number) => parseMutableContainer(new Uint8Array(await readFile(sharePath(si, shnum))));

function writerSecrets() {
  return { writeEnabler: randomBytes(32), leaseRenew: randomBytes(32), leaseCancel: randomBytes(32) };
}

/** Tahoe's "this share must not exist yet" test. */
const MUST_NOT_EXIST = [checkstringTest(undefined)];
const whole = (data: Uint8Array, testVectors: ShareWrite['testVectors'] = MUST_NOT_EXIST): ShareWrite => ({ testVectors, writeVectors: [{ offset: 0, data }] });
const ifCheckstring = (checkstring: Uint8Array) => [checkstringTest(checkstring)];

describe('mutable container layout', () => {
  const lease = (n: number) => ({ ownerNumber: 1, renewSecret: new Uint8Array(32).fill(n), cancelSecret: new Uint8Array(32).fill(n + 100), expirationTime: T0 + n });
  const container = { version: 2 as const, writeEnablerNodeId: NODE_ID, writeEnabler: new Uint8Array(32).fill(9), data: Uint8Array.from([1, 2, 3]) };

  it("is Tahoe's v2 layout: magic, node id, write enabler, lengths, 4 slots, data at 468, extra leases", () => {
    const file = buildMutableContainer({ ...container, leases: [1, 2, 3, 4, 5].map(lease) }, NODE_ID);
    expect(hex(file.subarray(0, 32))).toBe('5461686f65206d757461626c6520636f6e7461696e65722076320a' + 'c355219925');
    expect(file.subarray(32, 52)).toEqual(NODE_ID);
    expect(file.subarray(52, 84)).toEqual(container.writeEnabler);
    expect(hex(file.subarray(84, 92))).toBe('0000000000000003');
    expect(hex(file.subarray(92, 100))).toBe((468 + 3).toString(16).padStart(16, '0'));
    expect(hex(file.subarray(100, 104))).toBe('00000001'); // slot 0 owner
    expect(hex(file.subarray(104, 108))).toBe((T0 + 1).toString(16).padStart(8, '0'));
    expect(file.subarray(MUTABLE_DATA_OFFSET, MUTABLE_DATA_OFFSET + 3)).toEqual(container.data);
    expect(hex(file.subarray(471, 475))).toBe('00000001'); // one extra lease
    expect(file.length).toBe(468 + 3 + 4 + 92);
    const parsed = parseMutableContainer(file);
    expect(parsed.leases.map((l) => l.expirationTime)).toEqual([1, 2, 3, 4, 5].map((n) => T0 + n));
    expect(parsed.data).toEqual(container.data);
  });

  it('reads empty slots as no lease, and an extra-lease area Tahoe left further out', () => {
    const file = buildMutableContainer({ ...container, leases: [lease(1)] }, NODE_ID);
    expect(file.subarray(192, 468).every((b) => b === 0)).toBe(true);
    const moved = new Uint8Array(file.length + 10);
    moved.set(file.subarray(0, 471));
    new DataView(moved.buffer).setBigUint64(92, 481n);
    expect(parseMutableContainer(moved).leases).toHaveLength(1);
    expect(() => parseMutableContainer(file.subarray(0, 470))).toThrow(/cannot hold 3 bytes of data/);
  });
});

describe('test-and-set writes', () => {
  it('creates a share, records the write enabler and a hashed lease, and reads it back', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const secrets = writerSecrets();
    const data = randomBytes(5000);
    const result = await backend.testvAndReadvAndWritev(si, secrets, new Map([[3, whole(data)]]), [{ offset: 0, length: 10 }]);
    expect(result).toEqual({ success: true, readData: new Map() });

    const container = await onDisk(si, 3);
    expect(container.writeEnabler).toEqual(secrets.writeEnabler);
    expect(container.writeEnablerNodeId).toEqual(NODE_ID);
    expect(sameBytes(container.data, data)).toBe('same');
    expect(container.leases).toHaveLength(1);
    expect(container.leases[0]).toMatchObject({ ownerNumber: 1, expirationTime: T0 + LEASE_DURATION_SECONDS, nodeId: NODE_ID });
    expect(container.leases[0]!.renewSecret).toEqual(blake2b(secrets.leaseRenew, { dkLen: 32 }));

    const read = await backend.readMutableShares(si, 'all', [{ offset: 0, length: 10 }, { offset: 4990, length: 100 }, { offset: 9000, length: 5 }]);
    expect([...read.keys()]).toEqual([3]);
    expect(read.get(3)).toEqual([data.subarray(0, 10), data.subarray(4990), new Uint8Array(0)]);
    expect(await backend.readMutableShares(si, [1, 2], [{ offset: 0, length: 10 }])).toEqual(new Map());
    expect(await backend.readMutableShares(randomBytes(16), 'all', [{ offset: 0, length: 10 }])).toEqual(new Map());
  });

  it('a failed test changes nothing and returns what is there', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const secrets = writerSecrets();
    const first = randomBytes(300);
    await backend.testvAndReadvAndWritev(si, secrets, new Map([[0, whole(first)], [1, whole(first)]]), []);
    const stale = ifCheckstring(randomBytes(CHECKSTRING_SIZE));
    expect(() => checkstringTest(randomBytes(56))).toThrow('a checkstring is 57 bytes, got 56');
    const result = await backend.testvAndReadvAndWritev(si, secrets, new Map([[0, whole(randomBytes(300), stale)], [2, whole(randomBytes(300))]]), [{ offset: 0, length: CHECKSTRING_SIZE }]);
    expect(result.success).toBe(false);
    expect(result.readData).toEqual(new Map([[0, [first.subarray(0, CHECKSTRING_SIZE)]], [1, [first.subarray(0, CHECKSTRING_SIZE)]]]));
    expect((await onDisk(si, 0)).data).toEqual(first);
    await expect(stat(sharePath(si, 2))).rejects.toThrow(/ENOENT/);
    // "must not exist" fails on an existing share
    expect((await backend.testvAndReadvAndWritev(si, secrets, new Map([[1, whole(randomBytes(10))]]), [])).success).toBe(false);
  });

  it('replaces data, extends, truncates with newLength, and deletes with newLength 0', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const secrets = writerSecrets();
    await backend.testvAndReadvAndWritev(si, secrets, new Map([[0, whole(new Uint8Array(100).fill(1))], [1, whole(new Uint8Array(10).fill(1))]]), []);
    const patch = { testVectors: [], writeVectors: [{ offset: 90, data: new Uint8Array(20).fill(2) }] };
    await backend.testvAndReadvAndWritev(si, secrets, new Map([[0, patch]]), []);
    const patched = (await onDisk(si, 0)).data;
    expect(patched.length).toBe(110);
    expect([patched[89], patched[90], patched[109]]).toEqual([1, 2, 2]);
    await backend.testvAndReadvAndWritev(si, secrets, new Map([[0, { testVectors: [], writeVectors: [], newLength: 50 }]]), []);
    expect((await onDisk(si, 0)).data).toEqual(new Uint8Array(50).fill(1));
    await backend.testvAndReadvAndWritev(si, secrets, new Map([[0, { testVectors: [], writeVectors: [], newLength: 500 }]]), []);
    expect((await onDisk(si, 0)).data.length).toBe(50); // newLength only shrinks

    await backend.testvAndReadvAndWritev(si, secrets, new Map([[0, { testVectors: [], writeVectors: [], newLength: 0 }]]), []);
    await expect(stat(sharePath(si, 0))).rejects.toThrow(/ENOENT/);
    await backend.testvAndReadvAndWritev(si, secrets, new Map([[1, { testVectors: [], writeVectors: [], newLength: 0 }]]), []);
    await expect(stat(bucketDir(si))).rejects.toThrow(/ENOENT/);
    // deleting or testing a share that does not exist creates nothing
    await backend.testvAndReadvAndWritev(si, secrets, new Map([[4, { testVectors: [], writeVectors: [], newLength: 0 }], [5, { testVectors: [], writeVectors: [] }]]), []);
    await expect(stat(bucketDir(si))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a wrong write enabler, even for tests and reads, and changes nothing', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const secrets = writerSecrets();
    const data = randomBytes(100);
    await backend.testvAndReadvAndWritev(si, secrets, new Map([[0, whole(data)]]), []);
    const intruder = { ...secrets, writeEnabler: randomBytes(32) };
    const attempt = backend.testvAndReadvAndWritev(si, intruder, new Map([[1, whole(randomBytes(100))]]), []);
    await expect(attempt).rejects.toThrow(BadWriteEnablerError);
    await expect(backend.testvAndReadvAndWritev(si, intruder, new Map(), [{ offset: 0, length: 1 }])).rejects.toThrow(
      new RegExp(`^the write enabler does not match share 0 of storage index ${base32Encode(si)} \\(recorded by server ${base32Encode(NODE_ID)}\\)$`),
    );
    expect((await onDisk(si, 0)).data).toEqual(data);
    await expect(stat(sharePath(si, 1))).rejects.toThrow(/ENOENT/);
  });

  it('renews the writer lease, adds others, and spills past 4 into extra leases', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const secrets = writerSecrets();
    await backend.testvAndReadvAndWritev(si, secrets, new Map([[0, whole(randomBytes(10))]]), []);
    clock += 10 * DAY;
    await backend.testvAndReadvAndWritev(si, secrets, new Map([[0, { testVectors: [], writeVectors: [{ offset: 0, data: randomBytes(10) }] }]]), []);
    expect((await onDisk(si, 0)).leases.map((l) => l.expirationTime)).toEqual([clock + LEASE_DURATION_SECONDS]);
    for (let i = 0; i < 5; i++) {
      await backend.testvAndReadvAndWritev(si, { ...secrets, leaseRenew: randomBytes(32), leaseCancel: randomBytes(32) }, new Map([[0, { testVectors: [], writeVectors: [{ offset: 0, data: randomBytes(10) }] }]]), []);
    }
    expect((await onDisk(si, 0)).leases).toHaveLength(6);
    // addLease and renewLease work on mutable shares too
    const other = { renew: randomBytes(32), cancel: randomBytes(32) };
    await backend.addLease(si, other.renew, other.cancel);
    expect((await onDisk(si, 0)).leases).toHaveLength(7);
    clock += DAY;
    await backend.renewLease(si, other.renew);
    expect((await onDisk(si, 0)).leases[6]!.expirationTime).toBe(clock + LEASE_DURATION_SECONDS);
  });
});

describe('limits and bad input', () => {
  it('honours the reserved space and read-only servers', async () => {
    const full = await openBackend({ reservedSpace: Number.MAX_SAFE_INTEGER });
    const si = randomBytes(16);
    await expect(full.testvAndReadvAndWritev(si, writerSecrets(), new Map([[0, whole(randomBytes(100))]]), [])).rejects.toThrow(NoSpaceError);
    await expect(stat(bucketDir(si))).rejects.toThrow(/ENOENT/);
    const readOnly = await openBackend({ readOnly: true });
    await expect(readOnly.testvAndReadvAndWritev(si, writerSecrets(), new Map([[0, whole(randomBytes(100))]]), [])).rejects.toThrow(NoSpaceError);
  });

  it('refuses shares over the size limits', async () => {
    const small = await openBackend({ maxShareSize: 1000 });
    const si = randomBytes(16);
    await expect(small.testvAndReadvAndWritev(si, writerSecrets(), new Map([[0, { testVectors: [], writeVectors: [{ offset: 990, data: new Uint8Array(11) }] }]]), [])).rejects.toThrow(
      new DataTooLargeError('share 0: a write ending at byte 1001 is past the 1000-byte limit for a mutable share'),
    );
    const backend = await openBackend();
    expect(MAX_MUTABLE_SHARE_SIZE).toBeGreaterThan(16 * 1024 * 1024);
    await expect(backend.testvAndReadvAndWritev(si, writerSecrets(), new Map([[0, { testVectors: [], writeVectors: [{ offset: MAX_MUTABLE_SHARE_SIZE, data: new Uint8Array(1) }] }]]), [])).rejects.toThrow(DataTooLargeError);
  });

  it('refuses reads that would return more than 64 MiB in one call', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    await backend.testvAndReadvAndWritev(si, writerSecrets(), new Map([[0, whole(new Uint8Array(1 << 20))]]), []);
    const everything = Array.from({ length: 65 }, () => ({ offset: 0, length: 1 << 20 }));
    await expect(backend.readMutableShares(si, 'all', everything)).rejects.toThrow(new BadArgumentError('the read vectors ask for more than 67108864 bytes in one call'));
    expect((await backend.readMutableShares(si, 'all', everything.slice(1))).get(0)).toHaveLength(64);
  });

  it.each([
    ['a short write enabler', { writeEnabler: new Uint8Array(31) }, new Map(), BadArgumentError, 'a write enabler is 32 bytes'],
    ['a short renew secret', { leaseRenew: new Uint8Array(3) }, new Map(), BadArgumentError, 'a renew secret is 32 bytes, got 3 bytes'],
    ['share 256', {}, new Map([[256, whole(new Uint8Array(1))]]), BadShareNumberError, 'a share number is an integer in 0..255, got 256'],
    ['operator lt', {}, new Map([[0, { testVectors: [{ offset: 0, length: 1, operator: 'lt', specimen: new Uint8Array(1) }], writeVectors: [] }]]), BadArgumentError, 'the only test operator is "eq", got "lt"'],
    ['a negative offset', {}, new Map([[0, { testVectors: [], writeVectors: [{ offset: -1, data: new Uint8Array(1) }] }]]), BadArgumentError, 'the write offset must be a non-negative integer, got -1'],
    ['too many vectors', {}, new Map([[0, { testVectors: [], writeVectors: Array.from({ length: 257 }, () => ({ offset: 0, data: new Uint8Array(1) })) }]]), BadArgumentError, 'at most 256 write vectors, got 257'],
    ['writes not in a map', {}, {}, BadArgumentError, 'share writes must be a map from share number'],
  ])('refuses %s', async (_what, secretChange, writes, type, message) => {
    const backend = await openBackend();
    const call = backend.testvAndReadvAndWritev(randomBytes(16), { ...writerSecrets(), ...secretChange }, writes as Map<number, ShareWrite>, []);
    await expect(call).rejects.toThrow(type);
    await expect(call).rejects.toThrow(message);
  });

  it('will not write over an immutable share, and getBuckets and reads skip each other’s shares', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    const { writers } = await backend.allocateBuckets(si, randomBytes(32), randomBytes(32), [0], 10);
    await writers.get(0)!.write(0, new Uint8Array(10));
    await writers.get(0)!.close();
    await expect(backend.testvAndReadvAndWritev(si, writerSecrets(), new Map([[0, whole(new Uint8Array(5))]]), [])).rejects.toThrow(/share 0 of storage index .* is an immutable share/);
    const warnings: string[] = [];
    const quiet = await openBackend({ onWarning: (m) => warnings.push(m) });
    await quiet.testvAndReadvAndWritev(si, writerSecrets(), new Map([[1, whole(new Uint8Array(5))]]), []);
    expect([...(await quiet.getBuckets(si)).keys()]).toEqual([0]);
    expect([...(await quiet.readMutableShares(si, 'all', [{ offset: 0, length: 5 }])).keys()]).toEqual([1]);
    expect(warnings).toEqual([]);
  });
});

describe('crash safety and GC', () => {
  it('writes through incoming/mutable and leaves no temporary file; a stale one is cleaned at open', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    await backend.testvAndReadvAndWritev(si, writerSecrets(), new Map([[0, whole(randomBytes(100))]]), []);
    expect(await readdir(join(dir, 'shares', 'incoming', 'mutable'))).toEqual([]);
    await writeFile(join(dir, 'shares', 'incoming', 'mutable', `${base32Encode(si)}.0`), 'torn half of a share');
    await openBackend();
    await expect(stat(join(dir, 'shares', 'incoming'))).rejects.toThrow(/ENOENT/);
    expect((await onDisk(si, 0)).data).toHaveLength(100);
  });

  it('the lease crawler expires mutable shares like immutable ones', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    await backend.testvAndReadvAndWritev(si, writerSecrets(), new Map([[0, whole(randomBytes(100))], [1, whole(randomBytes(100))]]), []);
    const crawler = new LeaseCrawler(backend, { expiration: { enabled: true, mode: 'age' } });
    expect(await crawler.runOnce()).toMatchObject({ sharesExamined: 2, leasesExamined: 2, leasesExpired: 0, unreadableShares: 0 });
    expect((await backend.stats()).shares).toBe(2);
    clock += 40 * DAY;
    expect(await crawler.runOnce()).toMatchObject({ sharesExamined: 2, leasesExpired: 2, sharesDeleted: 2, bucketsRemoved: 1 });
    await expect(stat(bucketDir(si))).rejects.toThrow(/ENOENT/);
  });

  it('keeps a mutable share whose other lease is still live, rewriting it without the expired one', async () => {
    const backend = await openBackend();
    const si = randomBytes(16);
    await backend.testvAndReadvAndWritev(si, writerSecrets(), new Map([[0, whole(randomBytes(100))]]), []);
    clock += 20 * DAY;
    await backend.addLease(si, randomBytes(32), randomBytes(32));
    clock += 20 * DAY;
    const crawler = new LeaseCrawler(backend, { expiration: { enabled: true, mode: 'age' } });
    expect(await crawler.runOnce()).toMatchObject({ leasesExpired: 1, sharesDeleted: 0 });
    expect((await onDisk(si, 0)).leases).toHaveLength(1);
  });
});

describe('a mutable file through the backend', () => {
  it('publish, read the servermap, update with the checkstring, retrieve', async () => {
    const backend = await openBackend();
    const keys = generateWriterKeys();
    const enabler = writeEnablerFor(keys.writekey, NODE_ID);
    const secrets = { writeEnabler: enabler, leaseRenew: randomBytes(32), leaseCancel: randomBytes(32) };
    const v1 = encodeMutableVersion({ keys, seqnum: 1, plaintext: randomBytes(20_000), neededShares: 2, totalShares: 3 });
    const created = await backend.testvAndReadvAndWritev(keys.storageIndex, secrets, new Map(v1.shares.map((share, j) => [j, whole(share)])), []);
    expect(created.success).toBe(true);

    const heads = await backend.readMutableShares(keys.storageIndex, 'all', [{ offset: 0, length: SHARE_HEAD_SIZE }]);
    const seen = [...heads.values()].map(([head]) => readVersionInfo(head!, keys.fingerprint));
    expect(seen.map((info) => info.seqnum)).toEqual([1, 1, 1]);

    const plaintext = randomBytes(30_000);
    const v2 = encodeMutableVersion({ keys, seqnum: 2, plaintext, neededShares: 2, totalShares: 3 });
    const update = new Map(v2.shares.map((share, j) => [j, { ...whole(share, ifCheckstring(seen[j]!.checkstring)), newLength: share.length }]));
    expect((await backend.testvAndReadvAndWritev(keys.storageIndex, secrets, update, [])).success).toBe(true);

    const full = await backend.readMutableShares(keys.storageIndex, 'all', [{ offset: 0, length: 1 << 20 }]);
    const shares = [...full].map(([shareNumber, [bytes]]) => ({ shareNumber, bytes: bytes! }));
    const decoded = decodeMutableVersion(readOnlyCapOf(writeCapOfKeys(keys)), shares);
    expect(decoded.info.seqnum).toBe(2);
    expect(sameBytes(decoded.plaintext, plaintext)).toBe('same');
  });

  it('two writers with the same old checkstring: exactly one wins, the other sees the new version', async () => {
    const backend = await openBackend();
    const keys = generateWriterKeys();
    const secrets = { writeEnabler: writeEnablerFor(keys.writekey, NODE_ID), leaseRenew: randomBytes(32), leaseCancel: randomBytes(32) };
    const v1 = encodeMutableVersion({ keys, seqnum: 1, plaintext: randomBytes(1000), neededShares: 1, totalShares: 2 });
    await backend.testvAndReadvAndWritev(keys.storageIndex, secrets, new Map(v1.shares.map((share, j) => [j, whole(share)])), []);

    for (let round = 0; round < 5; round++) {
      const [current] = [...(await backend.readMutableShares(keys.storageIndex, [0], [{ offset: 0, length: CHECKSTRING_SIZE }])).values()];
      const old = current![0]!;
      const contenders = [0, 1].map((w) => encodeMutableVersion({ keys, seqnum: round + 2, plaintext: randomBytes(2000 + w), neededShares: 1, totalShares: 2 }));
      const results = await Promise.all(
        contenders.map((c) =>
          backend.testvAndReadvAndWritev(keys.storageIndex, secrets, new Map(c.shares.map((share, j) => [j, whole(share, ifCheckstring(old))])), [{ offset: 0, length: CHECKSTRING_SIZE }]),
        ),
      );
      expect(results.map((r) => r.success).sort()).toEqual([false, true]);
      const winner = contenders[results.findIndex((r) => r.success)]!;
      const loser = results.find((r) => !r.success)!;
      expect(loser.readData.get(0)).toEqual([winner.info.checkstring]);
      const stored = await backend.readMutableShares(keys.storageIndex, 'all', [{ offset: 0, length: 1 << 20 }]);
      expect([...stored.values()].map(([bytes]) => hex(bytes!.subarray(0, CHECKSTRING_SIZE)))).toEqual([hex(winner.info.checkstring), hex(winner.info.checkstring)]);
    }
  });
});
