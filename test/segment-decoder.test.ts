// Segment decoding off the decoder's thread: what a segment decoder computes, and how
// decodeChk uses one (SegmentWorkerPool's workers, as grid downloads do) without ever
// emitting bytes whose hashes it has not verified itself.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { taggedHash } from '../src-main/core/crypto/hashes.js';
import { BLOCK_TAG } from '../src-main/core/crypto/tags.js';
import { decodeChk } from '../src-main/core/immutable/decoder.js';
import { NotEnoughSharesError } from '../src-main/core/immutable/errors.js';
import { decodeSegment, inProcessSegmentDecoder, type DecodedSegment, type SegmentDecodeJob, type SegmentDecoder } from '../src-main/core/immutable/segment-decoder.js';
import { encodeSegment } from '../src-main/core/immutable/segment-encoder.js';
import { MAX_HEADER_SIZE, parseShareHeader } from '../src-main/core/immutable/share-layout.js';
import type { ShareSource } from '../src-main/core/immutable/share-source.js';
import { SegmentWorkerPool } from '../src-main/core/workers/segment-worker-pool.js';
import { concat, decodeToMemory, encodeToMemory, sameBytes, sources } from './support/chk.js';

const k = 3;
const n = 10;
const key = new Uint8Array(randomBytes(16));

/** One segment of `size` bytes at `offset`, encoded; and a job for the blocks of `numbers`. */
function segmentOf(size: number, offset: number) {
  const plaintext = new Uint8Array(randomBytes(size));
  const encoded = encodeSegment({ index: 0, key, offset, plaintext, neededShares: k, totalShares: n });
  const job = (numbers: number[], from = 0, to = size): SegmentDecodeJob => ({
    key,
    blocks: numbers.map((j) => encoded.blocks[j]!),
    shareNumbers: numbers,
    neededShares: k,
    totalShares: n,
    segmentLength: size,
    offset,
    from,
    to,
  });
  return { plaintext, encoded, job };
}

describe('decodeSegment', () => {
  const size = 100_001; // not a multiple of K: the last primary block is padded
  const offset = 3 * 131_072;

  it.each([
    ['the primary blocks in order', [0, 1, 2]],
    ['the primary blocks out of order', [2, 0, 1]],
    ['parity blocks', [9, 4, 7]],
    ['a mix', [1, 8, 0]],
  ])('from %s: the blocks hashes, the segment hash and the plaintext', (_, numbers) => {
    const { plaintext, encoded, job } = segmentOf(size, offset);
    const decoded = decodeSegment(job(numbers));
    expect(decoded.blockHashes).toEqual(numbers.map((j) => encoded.blockHashes[j]));
    expect(decoded.segmentHash).toEqual(encoded.crypttextSegmentHash);
    expect(sameBytes(concat(decoded.plaintext), plaintext)).toBe('same');
  });

  it('decrypts only [from, to), at its place in the keystream', () => {
    const { plaintext, encoded, job } = segmentOf(size, offset);
    const decoded = decodeSegment(job([7, 1, 2], 33_333, 66_667));
    expect(sameBytes(concat(decoded.plaintext), plaintext.subarray(33_333, 66_667))).toBe('same');
    // the hash is still the whole segment's
    expect(decoded.segmentHash).toEqual(encoded.crypttextSegmentHash);
    expect(decodeSegment(job([0, 1, 2], 5, 5)).plaintext).toEqual([]);
  });

  it('hashes a corrupt block as it is: the caller sees the mismatch', () => {
    const { encoded, job } = segmentOf(size, 0);
    const bad = job([0, 1, 2]);
    const blocks = bad.blocks.map((b) => new Uint8Array(b));
    blocks[1]![10]! ^= 1;
    const decoded = decodeSegment({ ...bad, blocks });
    expect(decoded.blockHashes[0]).toEqual(encoded.blockHashes[0]);
    expect(decoded.blockHashes[1]).toEqual(taggedHash(BLOCK_TAG, blocks[1]!));
    expect(decoded.blockHashes[1]).not.toEqual(encoded.blockHashes[1]);
    expect(decoded.segmentHash).not.toEqual(encoded.crypttextSegmentHash);
  });

  it('refuses a job without K blocks', () => {
    const { job } = segmentOf(size, 0);
    expect(() => decodeSegment({ ...job([0, 1, 2]), blocks: job([0, 1, 2]).blocks.slice(0, 2) })).toThrow(/3 blocks/);
  });
});

describe('SegmentWorkerPool.decodeSegment', () => {
  const pool = new SegmentWorkerPool({ size: 2, inlineSegmentBytes: 0 });
  afterAll(() => pool.close());

  it('gives what decodeSegment gives, and leaves the caller its blocks', async () => {
    const { job } = segmentOf(300_000, 1_048_576);
    for (const numbers of [
      [0, 1, 2],
      [5, 9, 0],
    ]) {
      const given = job(numbers, 17, 299_000);
      const copies = given.blocks.map((b) => b.slice());
      const viaWorker = await pool.decodeSegment(given);
      const here = decodeSegment(given);
      expect(viaWorker.blockHashes.map((h) => Buffer.from(h))).toEqual(here.blockHashes.map((h) => Buffer.from(h)));
      expect(Buffer.from(viaWorker.segmentHash)).toEqual(Buffer.from(here.segmentHash));
      expect(sameBytes(concat(viaWorker.plaintext), concat(here.plaintext))).toBe('same');
      // views of a network read still hold later segments' blocks: nothing is moved away
      given.blocks.forEach((block, i) => expect(sameBytes(block, copies[i]!)).toBe('same'));
    }
  });

  it('fails clearly once closed', async () => {
    const closed = new SegmentWorkerPool({ size: 1, inlineSegmentBytes: 0 });
    await closed.close();
    await expect(closed.decodeSegment(segmentOf(1000, 0).job([0, 1, 2]))).rejects.toThrow(/closed/);
  });
});

/** Shares as sources whose reads are logged in order, with the decoder's jobs. */
function loggedSources(shares: readonly Uint8Array[], log: string[]): ShareSource[] {
  return shares.map((bytes, j) => ({
    label: `share ${j}`,
    claimedShareNumber: j,
    read: (offset: number, length: number) => {
      log.push(`read ${j}@${offset}`);
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  }));
}

describe('decodeChk with a segment decoder', () => {
  const pool = new SegmentWorkerPool({ size: 2, inlineSegmentBytes: 0 });
  afterAll(() => pool.close());
  const SEG = 64 * 1024;
  /** the segment size the encoder uses: SEG rounded up to a multiple of K */
  const segmentSize = Math.ceil(SEG / k) * k;
  /** Where a share's block of `segment` starts (full-size segments before it). */
  const blockAt = (share: Uint8Array, segment: number): number => parseShareHeader(share.subarray(0, MAX_HEADER_SIZE)).dataOffset + segment * Math.ceil(SEG / k);

  it('gives the same bytes as on its own thread: from primaries, from parity, and a range', async () => {
    const data = new Uint8Array(randomBytes(9 * SEG + 4321));
    const encoded = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: SEG });
    for (const numbers of [
      [0, 1, 2],
      [9, 3, 6],
    ]) {
      expect(sameBytes(await decodeToMemory(encoded.cap, sources(encoded.shares, numbers), { segmentDecoder: pool }), data)).toBe('same');
    }
    // trees checked node by node, as for huge files
    expect(sameBytes(await decodeToMemory(encoded.cap, sources(encoded.shares, [4, 0, 8]), { segmentDecoder: pool, wholeTreeCheckLimit: 0 }), data)).toBe('same');
    const range = { start: SEG + 5, end: 7 * SEG - 3 };
    const part = await decodeToMemory(encoded.cap, sources(encoded.shares, [8, 1, 2]), { segmentDecoder: pool, range });
    expect(sameBytes(part, data.subarray(range.start, range.end))).toBe('same');
  });

  it("reads the next segment's blocks while a segment is being decoded, and emits in order", async () => {
    const data = new Uint8Array(randomBytes(6 * SEG));
    const encoded = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: SEG });
    const log: string[] = [];
    const slow: SegmentDecoder = {
      decodeSegment: async (job) => {
        const segment = job.offset / segmentSize;
        log.push(`decode ${segment}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push(`decoded ${segment}`);
        return inProcessSegmentDecoder.decodeSegment(job);
      },
    };
    const out: Uint8Array[] = [];
    for await (const chunk of decodeChk(encoded.cap, loggedSources(encoded.shares, log).slice(0, k), { segmentDecoder: slow, readAhead: 0 })) {
      log.push(`emit ${out.length}`);
      out.push(chunk);
    }
    expect(sameBytes(concat(out), data)).toBe('same');
    // segment 1 is handed over before segment 0 is finished: its blocks were read meanwhile
    const at = (entry: string): number => log.indexOf(entry);
    expect(at('decode 1')).toBeGreaterThan(at('decode 0'));
    expect(at('decode 1')).toBeLessThan(at('emit 0'));
    expect(at('decoded 0')).toBeLessThan(at('emit 0'));
    // at most one segment ahead: segment 2 waits for segment 0 to be emitted
    expect(at('decode 2')).toBeGreaterThan(at('emit 0'));
  });

  it('never emits what a segment decoder returns unless its hashes match: a lying decoder is caught', async () => {
    const data = new Uint8Array(randomBytes(4 * SEG));
    const encoded = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: SEG });
    // right plaintext, wrong segment hash: the crypttext hash tree check must refuse it
    const lying: SegmentDecoder = {
      decodeSegment: async (job): Promise<DecodedSegment> => {
        const decoded = decodeSegment(job);
        return { ...decoded, segmentHash: new Uint8Array(32) };
      },
    };
    const error = await decodeToMemory(encoded.cap, sources(encoded.shares, [0, 1, 2]), { segmentDecoder: lying }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/crypttext hash tree/);
  });

  it('names a share with a corrupt block, decodes that segment again from a spare, and gives the right bytes', async () => {
    const data = new Uint8Array(randomBytes(8 * SEG + 100));
    const encoded = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: SEG });
    const corrupt = encoded.shares.map((share) => new Uint8Array(share));
    // a byte of share 1's block of segment 4
    corrupt[1]![blockAt(encoded.shares[1]!, 4) + 10]! ^= 0x40;
    for (const wholeTreeCheckLimit of [undefined, 0]) {
      const bad: string[] = [];
      const plaintext = await decodeToMemory(encoded.cap, sources(corrupt, [0, 1, 2, 7]), {
        segmentDecoder: pool,
        openShares: 'needed',
        onBadShare: (e) => bad.push(e.share),
        ...(wholeTreeCheckLimit === undefined ? {} : { wholeTreeCheckLimit }),
      });
      expect(sameBytes(plaintext, data)).toBe('same');
      expect(bad).toEqual(['#1']);
    }
  });

  it('after a corrupt block, reads again only the block of the spare: the blocks that matched are used as read', async () => {
    const data = new Uint8Array(randomBytes(6 * SEG));
    const encoded = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: SEG });
    const corrupt = encoded.shares.map((share) => new Uint8Array(share));
    corrupt[1]![blockAt(encoded.shares[1]!, 4) + 10]! ^= 0x40;
    const log: string[] = [];
    const given = loggedSources(corrupt, log).filter((_, j) => [0, 1, 2, 7].includes(j));
    const plaintext = await decodeToMemory(encoded.cap, given, { segmentDecoder: pool, openShares: 'needed', readAhead: 0 });
    expect(sameBytes(plaintext, data)).toBe('same');
    const readsOf = (j: number): number => log.filter((entry) => entry === `read ${j}@${blockAt(encoded.shares[j]!, 4)}`).length;
    expect([readsOf(0), readsOf(1), readsOf(2), readsOf(7)]).toEqual([1, 1, 1, 1]);
  });

  it('without a spare, a corrupt block stops the decode before its segment, with a clear error', async () => {
    const data = new Uint8Array(randomBytes(8 * SEG));
    const encoded = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: SEG });
    const corrupt = encoded.shares.map((share) => new Uint8Array(share));
    corrupt[0]![blockAt(encoded.shares[0]!, 4)]! ^= 0x01; // share 0's block of segment 4
    const emitted: Uint8Array[] = [];
    let failure: unknown;
    try {
      for await (const chunk of decodeChk(encoded.cap, sources(corrupt, [0, 1, 2]), { segmentDecoder: pool })) emitted.push(chunk);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(NotEnoughSharesError);
    const out = concat(emitted);
    expect(out.length).toBe(4 * segmentSize); // segments 0 to 3, and nothing of segment 4
    expect(sameBytes(out, data.subarray(0, out.length))).toBe('same'); // what came out is right
  });

  it('a closed pool fails the decode with its error, not wrong bytes or a hang', async () => {
    const data = new Uint8Array(randomBytes(6 * SEG));
    const encoded = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: SEG });
    const own = new SegmentWorkerPool({ size: 1, inlineSegmentBytes: 0 });
    const emitted: Uint8Array[] = [];
    const decode = (async () => {
      for await (const chunk of decodeChk(encoded.cap, sources(encoded.shares, [0, 1, 2]), { segmentDecoder: own })) {
        emitted.push(chunk);
        if (emitted.length === 1) await own.close();
      }
    })();
    await expect(decode).rejects.toThrow(/segment worker|closed/);
    expect(sameBytes(concat(emitted), data.subarray(0, concat(emitted).length))).toBe('same');
  });
});
