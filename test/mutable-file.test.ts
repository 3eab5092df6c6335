import { describe, expect, it } from 'vitest';
import { readOnlyCapOf, type MutableReadCap } from '../src-shared/caps/index.js';
import {
  BadMutableShareError,
  CHECKSTRING_SIZE,
  MAX_MUTABLE_FILE_SIZE,
  MutableEncodingError,
  SHARE_HEAD_SIZE,
  UnrecoverableVersionError,
  checkMutableShare,
  checkstringOf,
  decodeMutableVersion,
  encodeMutableVersion,
  generateWriterKeys,
  mutableShareSize,
  parseMutableShareHead,
  readVersionInfo,
  recoverWriterKeys,
  writeCapOfKeys,
  type MutableShareInput,
  type MutableShareProblem,
} from '../src-main/core/mutable/index.js';
import { sameBytes } from './support/chk.js';

const keys = generateWriterKeys();
const writeCap = writeCapOfKeys(keys);
const readCap: MutableReadCap = readOnlyCapOf(writeCap);

function data(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const inputs = (shares: readonly Uint8Array[], numbers: readonly number[]): MutableShareInput[] =>
  numbers.map((shareNumber) => ({ shareNumber, bytes: shares[shareNumber]! }));

function encode(plaintext: Uint8Array, k = 3, n = 10, seqnum = 1) {
  return encodeMutableVersion({ keys, seqnum, plaintext, neededShares: k, totalShares: n });
}

describe('mutable file round trip', () => {
  const sizes = [0, 1, 55, 1000, 100_003, 1024 * 1024 + 7];
  const codes: Array<[number, number]> = [[1, 1], [1, 3], [2, 2], [3, 10], [7, 13], [20, 255]];
  for (const size of sizes) {
    for (const [k, n] of codes) {
      it(`${size} bytes, ${k}-of-${n}`, () => {
        const plaintext = data(size, size + k);
        const { shares, info } = encode(plaintext, k, n);
        expect(shares).toHaveLength(n);
        expect(info).toMatchObject({ seqnum: 1, neededShares: k, totalShares: n, dataLength: size });
        for (const share of shares) expect(share.length).toBe(mutableShareSize(k, n, size));
        const last = Array.from({ length: k }, (_, i) => n - k + i); // secondaries where possible
        for (const [cap, numbers] of [[readCap, last], [writeCap, [...Array(n).keys()]]] as const) {
          const decoded = decodeMutableVersion(cap, inputs(shares, numbers));
          expect(sameBytes(decoded.plaintext, plaintext)).toBe('same');
          expect(decoded.badShares).toEqual([]);
          expect(decoded.info.checkstring).toEqual(checkstringOf(shares[0]!));
        }
      });
    }
  }

  it('decodes from any k of n shares', () => {
    const plaintext = data(5000);
    const { shares } = encode(plaintext, 3, 10);
    for (const numbers of [[0, 1, 2], [7, 8, 9], [2, 5, 9], [9, 0, 4], [3, 6, 1]]) {
      const decoded = decodeMutableVersion(readCap, inputs(shares, numbers));
      expect(sameBytes(decoded.plaintext, plaintext)).toBe('same');
      expect(decoded.sharesUsed).toEqual([...numbers].sort((a, b) => a - b));
    }
  });

  it('encrypts: no share contains the plaintext, and each version has its own salt', () => {
    const plaintext = new Uint8Array(3000).fill(0x41);
    const a = encode(plaintext, 1, 2);
    const b = encode(plaintext, 1, 2);
    expect(Buffer.from(a.shares[0]!).includes(Buffer.alloc(64, 0x41))).toBe(false);
    expect(a.info.salt).not.toEqual(b.info.salt);
  });
});

describe('versions', () => {
  it('decodes the highest seqnum, or the version a checkstring names', () => {
    const v1 = encode(data(100, 1), 2, 4, 1);
    const v2 = encode(data(200, 2), 2, 4, 2);
    const mixed = [...inputs(v1.shares, [0, 1, 2]), ...inputs(v2.shares, [2, 3])];
    expect(decodeMutableVersion(readCap, mixed).info.seqnum).toBe(2);
    expect(decodeMutableVersion(readCap, mixed).plaintext).toEqual(data(200, 2));
    const old = decodeMutableVersion(readCap, mixed, { checkstring: v1.info.checkstring });
    expect(old.plaintext).toEqual(data(100, 1));
    // Only one share of seqnum 3: version 2 is still the best recoverable one.
    const v3 = encode(data(300, 3), 2, 4, 3);
    expect(decodeMutableVersion(readCap, [...mixed, ...inputs(v3.shares, [0])]).info.seqnum).toBe(2);
  });

  it('reads and verifies the version from the first bytes of a share', () => {
    const { shares, info } = encode(data(10_000), 3, 10, 42);
    const head = shares[4]!.subarray(0, SHARE_HEAD_SIZE);
    const read = readVersionInfo(head, readCap.fingerprint);
    expect(read).toEqual(info);
    expect(read.checkstring).toEqual(shares[4]!.subarray(0, CHECKSTRING_SIZE));
    expect(parseMutableShareHead(head).publicKey).toEqual(keys.publicKey);
    expect(() => readVersionInfo(head.subarray(0, SHARE_HEAD_SIZE - 1), readCap.fingerprint)).toThrow(/too short for its 203-byte head/);
  });
});

describe('encoder limits', () => {
  it.each([
    [{ neededShares: 0 }, 'needed shares K must be an integer from 1 to N=10 (got 0)'],
    [{ neededShares: 11 }, 'needed shares K must be an integer from 1 to N=10 (got 11)'],
    [{ totalShares: 256, neededShares: 3 }, 'total shares N must be an integer from 1 to 255 (got 256)'],
    [{ seqnum: 0 }, 'seqnum must be a positive safe integer (got 0)'],
    [{ salt: new Uint8Array(15) }, 'the salt is 16 bytes, got 15'],
  ])('rejects %o', (change, message) => {
    const input = { keys, seqnum: 1, plaintext: data(10), neededShares: 3, totalShares: 10, ...change };
    expect(() => encodeMutableVersion(input)).toThrow(new MutableEncodingError(message));
  });

  it('rejects a file over 16 MiB and accepts one at the limit', () => {
    const big = new Uint8Array(MAX_MUTABLE_FILE_SIZE + 1);
    expect(() => encode(big, 3, 10)).toThrow('a mutable file holds at most 16777216 bytes (16 MiB), got 16777217');
    const { shares } = encode(big.subarray(0, MAX_MUTABLE_FILE_SIZE), 8, 10);
    expect(sameBytes(decodeMutableVersion(readCap, inputs(shares, [2, 3, 4, 5, 6, 7, 8, 9])).plaintext, big.subarray(1))).toBe('same');
  });
});

describe('tampering is detected and the share named', () => {
  const { shares, info } = encode(data(4096), 3, 10);
  const layout = parseMutableShareHead(shares[0]!).layout;

  function problemOf(bytes: Uint8Array, shareNumber = 5): MutableShareProblem {
    try {
      checkMutableShare(readCap.fingerprint, { shareNumber, bytes, label: 'server-a/5' });
    } catch (error) {
      expect(error).toBeInstanceOf(BadMutableShareError);
      expect((error as BadMutableShareError).share).toBe('server-a/5');
      return (error as BadMutableShareError).problem;
    }
    throw new Error('expected the share to be rejected');
  }
  const flipped = (at: number, shareNumber = 5): Uint8Array => {
    const copy = shares[shareNumber]!.slice();
    copy[at]! ^= 0x01;
    return copy;
  };

  it.each([
    ['the version byte', 0, 'unknown-version'],
    ['the seqnum', 8, 'bad-signature'],
    ['the root hash', 20, 'bad-signature'],
    ['the salt', 50, 'bad-signature'],
    ['the data length (same block size)', 74, 'bad-signature'],
    ['the data length (another block size)', 72, 'bad-header'],
    ['an offset', 80, 'bad-header'],
    ['the public key', 110, 'bad-verification-key'],
    ['the signature', layout.signature + 3, 'bad-signature'],
    ['the share hash chain', layout.shareHashChain + 5, 'bad-share-hashes'],
    ['the share hash chain index', layout.shareHashChain + 1, 'bad-share-hashes'],
    ['the block hash tree', layout.blockHashTree + 1, 'bad-block-hash-tree'],
    ['the block', layout.shareData + 100, 'bad-block'],
  ] as const)('a flipped bit in %s: %s', (_what, at, problem) => {
    expect(problemOf(flipped(at))).toBe(problem);
  });

  it('a truncated or extended share, a wrong share number, another file', () => {
    expect(problemOf(shares[5]!.subarray(0, shares[5]!.length - 1))).toBe('truncated');
    expect(problemOf(shares[5]!.subarray(0, 40))).toBe('truncated');
    expect(problemOf(Uint8Array.from([...shares[5]!, 0]))).toBe('bad-header');
    expect(problemOf(shares[5]!, 6)).toBe('bad-share-hashes');
    expect(problemOf(shares[5]!, 10)).toBe('wrong-share-number');
    const other = encodeMutableVersion({ keys: generateWriterKeys(), seqnum: 1, plaintext: data(4096), neededShares: 3, totalShares: 10 });
    expect(problemOf(other.shares[5]!)).toBe('bad-verification-key');
    const tahoeLike = shares[5]!.slice();
    tahoeLike[0] = 0;
    expect(() => checkMutableShare(readCap.fingerprint, { shareNumber: 5, bytes: tahoeLike })).toThrow(
      'share #5: unknown mutable share version 0 (a Tahoe SDMF/MDMF share?), expected 202',
    );
  });

  it('the decoder skips bad shares, reports them, and fails clearly below k', () => {
    const reported: string[] = [];
    const candidates = [
      { shareNumber: 0, bytes: flipped(layout.shareData, 0), label: 'bad-a' },
      { shareNumber: 1, bytes: shares[1]! },
      { shareNumber: 2, bytes: shares[1]!, label: 'dup' },
      { shareNumber: 7, bytes: shares[7]! },
      { shareNumber: 9, bytes: shares[9]! },
    ];
    const decoded = decodeMutableVersion(readCap, candidates, { onBadShare: (e) => reported.push(e.share) });
    expect(decoded.plaintext).toEqual(data(4096));
    expect(decoded.sharesUsed).toEqual([1, 7, 9]);
    expect(reported).toEqual(['bad-a', 'dup']);
    expect(decoded.info).toEqual(info);

    let error: unknown;
    try {
      decodeMutableVersion(readCap, candidates.slice(0, 4));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnrecoverableVersionError);
    expect((error as UnrecoverableVersionError).badShares.map((e) => e.problem)).toEqual(['bad-block', 'bad-share-hashes']);
    expect((error as Error).message).toMatch(/^cannot rebuild the mutable file: need 3 shares of one version, have at most 2; rejected: share bad-a: /);
    expect(() => decodeMutableVersion(readCap, [])).toThrow('cannot rebuild the mutable file: no valid share at all');
  });
});

describe('recovering the private key', () => {
  const { shares } = encode(data(500), 2, 3);

  it('from any share, with the write cap', () => {
    const recovered = recoverWriterKeys(writeCap, shares[2]!);
    expect(recovered).toEqual(keys);
  });

  it('rejects a wrong write cap or a corrupt encrypted key', () => {
    const otherCap = writeCapOfKeys(generateWriterKeys());
    expect(() => recoverWriterKeys({ ...otherCap, fingerprint: writeCap.fingerprint }, shares[0]!, 'x')).toThrow(
      'share x: its encrypted private key does not decrypt to the key of this write cap',
    );
    const corrupt = shares[0]!.slice();
    corrupt[corrupt.length - 1]! ^= 1;
    expect(() => recoverWriterKeys(writeCap, corrupt)).toThrow(BadMutableShareError);
  });
});
