import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { base32Decode, base32Encode } from '../src-shared/base32.js';
import { parseChkReadCap } from '../src-shared/caps/index.js';
import { memoryShareSource } from '../src-main/core/immutable/share-source.js';
import {
  CURRENT_CONTAINER_VERSION,
  buildImmutableContainer,
  encodeContainerHeader,
  parseContainerHeader,
  parseImmutableContainer,
  secretStorageOf,
} from '../src-main/storage/immutable-container.js';
import {
  IMMUTABLE_LEASE_RECORD_SIZE,
  LEASE_DURATION_SECONDS,
  encodeImmutableLease,
  newLease,
  parseImmutableLease,
  renewed,
  secretMatches,
  storedSecret,
} from '../src-main/storage/lease-record.js';
import { BadContainerError, BadShareNumberError, BadStorageIndexError } from '../src-main/storage/errors.js';
import {
  ShareTree,
  checkShareNumber,
  checkStorageIndex,
  shareNumberFromFileName,
  storageIndexFromBase32,
} from '../src-main/storage/storage-index.js';
import { WrittenRanges } from '../src-main/storage/written-ranges.js';
import { decodeToMemory } from './support/chk.js';
import { readVectorJson } from './support/vectors.js';

interface Stored {
  immutable: { plaintext_b64: string; uri: string; shares: Record<string, { base32: string }> };
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytesOf = (length: number, start = 0) => Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);

describe('Tahoe 1.2.0 share files (container v1)', () => {
  const stored = readVectorJson<Stored>('tahoe-1.2.0-stored-shares.json').immutable;
  const cap = parseChkReadCap(stored.uri);
  const files = Object.entries(stored.shares).map(([shnum, s]) => [Number(shnum), base32Decode(s.base32)] as const);

  it('parse: version 1, one cleartext lease, data = file − 12 − 72·leases', () => {
    for (const [, file] of files) {
      const container = parseImmutableContainer(file);
      expect(container.header.version).toBe(1);
      expect(secretStorageOf(container.header.version)).toBe('cleartext');
      expect(container.header.leaseCount).toBe(1);
      expect(container.shareData.length).toBe(file.length - 12 - 72);
      expect(container.header.maxSize).toBe(container.shareData.length);
      const [lease] = container.leases;
      expect(lease?.ownerNumber).toBe(0);
      expect(lease?.expirationTime).toBe(1230942425);
      // the share data starts with a v1 share header (version 1)
      expect(hex(container.shareData.subarray(0, 4))).toBe('00000001');
    }
  });

  it('the parsed share data decodes to the original file', async () => {
    const plaintext = Buffer.from(stored.plaintext_b64, 'base64');
    const sources = files.slice(4, 7).map(([j, file]) => memoryShareSource(`tahoe-${j}`, parseImmutableContainer(file).shareData));
    expect(Buffer.from(await decodeToMemory(cap, sources))).toEqual(plaintext);
  });

  it('re-building a parsed file gives the same bytes', () => {
    for (const [, file] of files) {
      const { shareData, leases, header } = parseImmutableContainer(file);
      expect(hex(buildImmutableContainer(shareData, leases, header.version))).toBe(hex(file));
    }
  });
});

describe('container header', () => {
  it('is >LLL: version, saturated max size, lease count', () => {
    expect(hex(encodeContainerHeader(2, 1000, 3))).toBe('00000002' + '000003e8' + '00000003');
    expect(hex(encodeContainerHeader(2, 2 ** 32 + 5, 0))).toBe('00000002' + 'ffffffff' + '00000000');
    expect(parseContainerHeader(encodeContainerHeader(1, 7, 2))).toEqual({ version: 1, maxSize: 7, leaseCount: 2 });
    expect(CURRENT_CONTAINER_VERSION).toBe(2);
  });

  it('rejects unknown versions, short files and impossible lease counts', () => {
    expect(() => parseContainerHeader(encodeContainerHeader(2, 0, 0).subarray(0, 11))).toThrow(BadContainerError);
    const v3 = encodeContainerHeader(2, 0, 0);
    v3[3] = 3;
    expect(() => parseContainerHeader(v3)).toThrow(/unknown immutable container version 3/);
    const file = buildImmutableContainer(bytesOf(10), []);
    file[11] = 1; // claims one lease in a file with room for none
    expect(() => parseImmutableContainer(file)).toThrow(BadContainerError);
  });

  it('v2 round trip with leases after the data', () => {
    const now = 1_700_000_000;
    const lease = newLease('blake2b', 0, bytesOf(32, 1), bytesOf(32, 2), now);
    const file = buildImmutableContainer(bytesOf(100), [lease, renewed(lease, now + 10)]);
    expect(file.length).toBe(12 + 100 + 2 * 72);
    const parsed = parseImmutableContainer(file);
    expect(parsed.header).toEqual({ version: 2, maxSize: 100, leaseCount: 2 });
    expect(hex(parsed.shareData)).toBe(hex(bytesOf(100)));
    expect(parsed.leases[1]?.expirationTime).toBe(now + 10 + LEASE_DURATION_SECONDS);
    expect(hex(file.subarray(12 + 100 + 4, 12 + 100 + 36))).toBe(hex(lease.renewSecret));
  });
});

describe('lease records', () => {
  it('are >L32s32sL, 72 bytes', () => {
    const lease = { ownerNumber: 1, renewSecret: bytesOf(32, 0x10), cancelSecret: bytesOf(32, 0x40), expirationTime: 0x01020304 };
    const bytes = encodeImmutableLease(lease);
    expect(bytes.length).toBe(IMMUTABLE_LEASE_RECORD_SIZE);
    expect(hex(bytes)).toBe('00000001' + hex(bytesOf(32, 0x10)) + hex(bytesOf(32, 0x40)) + '01020304');
    expect(parseImmutableLease(bytes)).toEqual(lease);
  });

  it('v2 stores BLAKE2b-256 of the secret (checked against Python hashlib.blake2b(digest_size=32))', () => {
    expect(hex(storedSecret('blake2b', bytesOf(32)))).toBe('cb2f5160fc1f7e05a55ef49d340b48da2e5a78099d53393351cd579dd42503d6');
    expect(hex(storedSecret('blake2b', new Uint8Array(32)))).toBe('89eb0d6a8a691dae2cd15ed0369931ce0a949ecafa5c3f93f8121833646e15c3');
    expect(hex(storedSecret('cleartext', bytesOf(32)))).toBe(hex(bytesOf(32)));
  });

  it('matching hashes the presented secret first', () => {
    const secret = bytesOf(32, 9);
    const lease = newLease('blake2b', 0, secret, bytesOf(32), 0);
    expect(secretMatches('blake2b', lease.renewSecret, secret)).toBe(true);
    expect(secretMatches('blake2b', lease.renewSecret, lease.renewSecret)).toBe(false); // the hash is not the secret
    expect(secretMatches('cleartext', secret, secret)).toBe(true);
    expect(secretMatches('cleartext', secret, bytesOf(32, 10))).toBe(false);
  });

  it('renewal never moves the expiration earlier', () => {
    const lease = newLease('blake2b', 0, bytesOf(32), bytesOf(32), 1000);
    expect(renewed(lease, 500)).toBe(lease);
    expect(renewed(lease, 2000).expirationTime).toBe(2000 + LEASE_DURATION_SECONDS);
  });
});

describe('storage index and share paths', () => {
  const si = checkStorageIndex(bytesOf(16));
  const b32 = base32Encode(bytesOf(16));

  it('shares/<2 chars>/<b32 SI>/<shnum>, incoming under shares/incoming', () => {
    const tree = new ShareTree('/srv/storage');
    expect(tree.sharePath(si, checkShareNumber(7))).toBe(join('/srv/storage', 'shares', b32.slice(0, 2), b32, '7'));
    expect(tree.incomingSharePath(si, checkShareNumber(255))).toBe(join('/srv/storage', 'shares', 'incoming', b32.slice(0, 2), b32, '255'));
  });

  it('a storage index is exactly 16 bytes', () => {
    expect(() => checkStorageIndex(bytesOf(15))).toThrow(BadStorageIndexError);
    expect(() => checkStorageIndex(bytesOf(17))).toThrow(/16 bytes, got 17/);
    expect(() => checkStorageIndex('../../etc/passwd')).toThrow(BadStorageIndexError);
    expect(hex(storageIndexFromBase32(b32))).toBe(hex(bytesOf(16)));
    expect(() => storageIndexFromBase32('../../../../etc/passwd/xx')).toThrow(BadStorageIndexError);
    expect(() => storageIndexFromBase32(b32.toUpperCase())).toThrow(BadStorageIndexError);
  });

  it('a share number is an integer in 0..255', () => {
    for (const bad of [-1, 256, 1.5, NaN, '1', Infinity]) expect(() => checkShareNumber(bad)).toThrow(BadShareNumberError);
    expect(checkShareNumber(0)).toBe(0);
    expect(shareNumberFromFileName('12')).toBe(12);
    for (const name of ['012', '256', '1e2', '-1', '', 'x', '1.partial']) expect(shareNumberFromFileName(name)).toBeUndefined();
  });
});

describe('written ranges', () => {
  it('merges and reports overlaps', () => {
    const ranges = new WrittenRanges();
    ranges.add(10, 20);
    ranges.add(30, 40);
    expect(ranges.overlaps(15, 35)).toEqual([{ start: 15, end: 20 }, { start: 30, end: 35 }]);
    ranges.add(20, 30);
    expect(ranges.total).toBe(30);
    expect(ranges.overlaps(0, 100)).toEqual([{ start: 10, end: 40 }]);
    ranges.add(0, 5);
    ranges.add(50, 60);
    ranges.add(3, 12);
    expect(ranges.overlaps(0, 100)).toEqual([{ start: 0, end: 40 }, { start: 50, end: 60 }]);
    expect(ranges.total).toBe(50);
  });
});
