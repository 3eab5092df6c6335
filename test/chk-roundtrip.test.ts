import { describe, expect, it } from 'vitest';
import { randomBytes, randomInt } from 'node:crypto';
import { formatCap, parseCap } from '../src-shared/caps/index.js';
import { BadShareError, EncodingParameterError, NotEnoughSharesError, UriExtensionError } from '../src-main/core/immutable/errors.js';
import { literalCap } from '../src-main/core/immutable/literal.js';
import { encodeChk } from '../src-main/core/immutable/encoder.js';
import { memoryShareSource } from '../src-main/core/immutable/share-source.js';
import { parseShareHeader } from '../src-main/core/immutable/share-layout.js';
import { SegmentWorkerPool } from '../src-main/core/workers/segment-worker-pool.js';
import { BufferRecycler } from '../src-main/core/immutable/buffer-recycler.js';
import { decodeToMemory, encodeToMemory, sameBytes, sources } from './support/chk.js';

const SEG = 4096;

function subsets(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  if (n < k) return [];
  return [...subsets(n - 1, k - 1).map((s) => [...s, n - 1]), ...subsets(n - 1, k)];
}

describe('CHK round trips', () => {
  it('LIT caps carry files of 0 to 55 bytes', () => {
    for (const size of [0, 1, 54, 55]) {
      const data = randomBytes(size);
      const cap = parseCap(formatCap(literalCap(data)));
      expect(cap.kind).toBe('lit');
      expect(Buffer.from((cap as { data: Uint8Array }).data)).toEqual(data);
    }
    expect(() => literalCap(new Uint8Array(56))).toThrow(/at most 55 bytes/);
  });

  const sizes = [1, 55, 56, SEG - 1, SEG, SEG + 1, 2 * SEG - 1, 2 * SEG, 2 * SEG + 1, 3 * SEG + 7];
  it.each(sizes)('%i bytes, 3-of-10 with %s-byte segments, from the primaries and from parity', async (size) => {
    const data = randomBytes(size);
    const file = await encodeToMemory(data, { neededShares: 3, totalShares: 10, maxSegmentSize: SEG });
    expect(file.cap.size).toBe(size);
    expect(sameBytes(await decodeToMemory(file.cap, sources(file.shares, [0, 1, 2])), data)).toBe('same');
    expect(sameBytes(await decodeToMemory(file.cap, sources(file.shares, [9, 5, 7])), data)).toBe('same');
  });

  it('decodes byte ranges: only the segments that hold them, exactly those bytes', async () => {
    const data = randomBytes(5 * SEG + 321);
    const file = await encodeToMemory(data, { neededShares: 3, totalShares: 10, maxSegmentSize: SEG });
    const ranges: Array<[number, number]> = [
      [0, 1],
      [SEG - 1, SEG + 1],
      [2 * SEG, 3 * SEG],
      [5 * SEG, data.length],
      [data.length - 1, data.length],
      [17, data.length - 17],
      ...Array.from({ length: 20 }, (): [number, number] => {
        const start = randomInt(0, data.length);
        return [start, randomInt(start + 1, data.length + 1)];
      }),
    ];
    for (const [start, end] of ranges) {
      const reads: number[] = [];
      const counted = sources(file.shares, [4, 0, 9]).map((source) => ({
        ...source,
        read: (offset: number, length: number) => {
          reads.push(length);
          return source.read(offset, length);
        },
      }));
      const got = await decodeToMemory(file.cap, counted, { range: { start, end } });
      expect(sameBytes(got, data.subarray(start, end)), `${start}..${end}`).toBe('same');
      // block reads only for the segments in the range (segments are SEG rounded up to a multiple of K)
      const segmentSize = Math.ceil(SEG / 3) * 3;
      const segments = Math.floor((end - 1) / segmentSize) - Math.floor(start / segmentSize) + 1;
      const blockReads = reads.filter((length) => length === Math.ceil(SEG / 3)).length;
      expect(blockReads, `${start}..${end}`).toBeLessThanOrEqual(3 * segments);
    }
    for (const [start, end] of [[-1, 5], [5, 5], [0, data.length + 1], [9, 3]]) {
      await expect(decodeToMemory(file.cap, sources(file.shares, [0, 1, 2]), { range: { start: start!, end: end! } })).rejects.toThrow(/byte range/);
    }
  });

  it('several MiB with the default 1 MiB segments, on worker threads', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 12345);
    const pool = new SegmentWorkerPool({ size: 2 });
    try {
      const viaPool = await encodeToMemory(data, { convergence: Buffer.from('secret') }, { segmentEncoder: pool });
      const inProcess = await encodeToMemory(data, { convergence: Buffer.from('secret') });
      expect(formatCap(viaPool.cap)).toBe(formatCap(inProcess.cap));
      viaPool.shares.forEach((share, j) => expect(sameBytes(share, inProcess.shares[j]!)).toBe('same'));
      expect(sameBytes(await decodeToMemory(viaPool.cap, sources(viaPool.shares, [3, 8, 1])), data)).toBe('same');
    } finally {
      await pool.close();
    }
  });

  it('reusing buffers (worker threads, adopted chunks) gives the same shares, blocks copied before the next event', async () => {
    const data = randomBytes(7 * SEG + 1234);
    const expected = await encodeToMemory(data, { maxSegmentSize: SEG, key: Buffer.alloc(16, 7) });
    const pool = new SegmentWorkerPool({ size: 2, inlineSegmentBytes: 0 }); // even these small segments go to the workers
    try {
      const buffers = new BufferRecycler();
      const chunks = Array.from({ length: 8 }, (_, i) => Uint8Array.from(data.subarray(i * 3 * Math.ceil(SEG / 3), (i + 1) * 3 * Math.ceil(SEG / 3))));
      const parts: Uint8Array[][] = Array.from({ length: 10 }, () => []);
      let seen = 0;
      for await (const event of encodeChk(chunks, { maxSegmentSize: SEG, size: data.length, key: Buffer.alloc(16, 7), segmentEncoder: pool, buffers })) {
        if (event.type === 'start') parts.forEach((p) => p.push(event.header));
        else if (event.type === 'segment') {
          seen++;
          event.blocks.forEach((b, j) => parts[j]!.push(b.slice()));
        } else event.trailers.forEach((t, j) => parts[j]!.push(t));
      }
      expect(seen).toBe(8);
      parts.forEach((p, j) => expect(sameBytes(Buffer.concat(p), expected.shares[j]!)).toBe('same'));
    } finally {
      await pool.close();
    }
  });

  it.each([
    [1, 1],
    [1, 5],
    [4, 4],
    [10, 10],
    [2, 256],
    [200, 256],
  ])('K=%i, N=%i', async (k, n) => {
    const data = randomBytes(3 * SEG + 100);
    const file = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: SEG });
    const pick = [...Array(n).keys()].sort(() => Math.random() - 0.5).slice(0, k);
    expect(sameBytes(await decodeToMemory(file.cap, sources(file.shares, pick)), data)).toBe('same');
  });

  it.each([
    [2, 4],
    [3, 5],
    [3, 6],
    [4, 7],
  ])('decodes from every %i-subset of %i shares', async (k, n) => {
    const data = randomBytes(2 * SEG + 3);
    const file = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: SEG });
    for (const subset of subsets(n, k)) {
      expect(sameBytes(await decodeToMemory(file.cap, sources(file.shares, subset)), data)).toBe('same');
    }
  });

  it('convergent encryption: same data, secret and parameters give the same cap; another secret does not', async () => {
    const data = randomBytes(10_000);
    const a = await encodeToMemory(data, { convergence: Buffer.from('one') });
    const b = await encodeToMemory(data, { convergence: Buffer.from('one') });
    const c = await encodeToMemory(data, { convergence: Buffer.from('two') });
    expect(formatCap(a.cap)).toBe(formatCap(b.cap));
    expect(formatCap(a.cap)).not.toBe(formatCap(c.cap));
  });
});

describe('corruption', () => {
  const regions = ['header', 'data', 'plaintext tree area', 'crypttext tree', 'block tree', 'share hashes', 'ueb'] as const;

  function regionRange(share: Uint8Array, region: (typeof regions)[number]): [number, number] {
    const l = parseShareHeader(share);
    switch (region) {
      case 'header':
        return [0, l.dataOffset];
      case 'data':
        return [l.dataOffset, l.plaintextTreeOffset];
      case 'plaintext tree area':
        return [l.plaintextTreeOffset, l.crypttextTreeOffset];
      case 'crypttext tree':
        return [l.crypttextTreeOffset, l.blockTreeOffset];
      case 'block tree':
        return [l.blockTreeOffset, l.shareHashesOffset];
      case 'share hashes':
        return [l.shareHashesOffset, l.uebOffset];
      case 'ueb':
        return [l.uebOffset, share.length];
    }
  }

  /**
   * Flips one random bit in `region` of a random share, `trials` times, and checks that the
   * decoder still gives the file and names exactly that share. The decoder uses the
   * lowest-numbered shares first, so the victim is offered with three higher-numbered ones:
   * it is always read, and a good spare remains.
   */
  async function flipAndDecode(region: (typeof regions)[number], segments: number, trials: number, wholeTreeCheckLimit?: number): Promise<void> {
    const data = randomBytes(segments * SEG + 77);
    const file = await encodeToMemory(data, { neededShares: 3, totalShares: 9, maxSegmentSize: SEG });
    for (let trial = 0; trial < trials; trial++) {
      const victim = randomInt(6);
      const shares = file.shares.map((s) => Uint8Array.from(s));
      const [from, to] = regionRange(shares[victim]!, region);
      shares[victim]![randomInt(from, to)]! ^= 1 << randomInt(8);
      const named: string[] = [];
      const offered = [victim, victim + 1, victim + 2, victim + 3];
      const out = await decodeToMemory(file.cap, sources(shares, offered), { onBadShare: (e) => named.push(e.share), wholeTreeCheckLimit });
      expect(sameBytes(out, data)).toBe('same');
      expect(named).toEqual([`#${victim}`]);
    }
  }

  it.each(regions)('a flipped byte in the %s of any share is caught and named; spares complete the file', (region) => flipAndDecode(region, 5, 12));

  // Node by node, only the hashes a check needs are read (siblings on each path); the
  // stored ancestors and padding leaves are never used, so they are covered only in the
  // whole-tree mode above. A sibling node is tested on its own below.
  it.each(['header', 'data', 'share hashes', 'ueb'] as const)(
    'checking trees node by node (huge files), a flipped byte in the %s is caught and named',
    (region) => flipAndDecode(region, 9, 8, 0),
  );

  it('checking trees node by node, a corrupt block-tree sibling is caught and named', async () => {
    const data = randomBytes(9 * SEG + 5);
    const file = await encodeToMemory(data, { neededShares: 3, totalShares: 9, maxSegmentSize: SEG });
    for (const node of [2, 4, 8, 16, 22]) {
      const shares = file.shares.map((s) => Uint8Array.from(s));
      shares[1]![parseShareHeader(shares[1]!).blockTreeOffset + node * 32 + randomInt(32)]! ^= 0x10;
      const named: string[] = [];
      const out = await decodeToMemory(file.cap, sources(shares, [1, 2, 3, 4]), { onBadShare: (e) => named.push(e.share), wholeTreeCheckLimit: 0 });
      expect(sameBytes(out, data)).toBe('same');
      expect(named).toEqual(['#1']);
    }
  });

  it('random flips anywhere, without enough good shares: a clear error and never a wrong byte', async () => {
    const data = randomBytes(4 * SEG);
    const file = await encodeToMemory(data, { neededShares: 3, totalShares: 5, maxSegmentSize: SEG });
    for (let trial = 0; trial < 20; trial++) {
      const shares = file.shares.map((s) => Uint8Array.from(s));
      const victim = randomInt(3);
      shares[victim]![randomInt(shares[victim]!.length)]! ^= 0x80;
      const emitted: Uint8Array[] = [];
      let error: unknown;
      try {
        const { decodeChk } = await import('../src-main/core/immutable/decoder.js');
        for await (const chunk of decodeChk(file.cap, sources(shares, [0, 1, 2]))) emitted.push(chunk);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NotEnoughSharesError);
      expect((error as Error).message).toMatch(/need 3, have 2/);
      expect((error as NotEnoughSharesError).badShares.map((b) => b.share)).toEqual([`#${victim}`]);
      // What was emitted before the failure is a correct prefix of the file.
      const prefix = Buffer.concat(emitted);
      expect(prefix).toEqual(Buffer.from(data.subarray(0, prefix.length)));
    }
  });
});

describe('bad input', () => {
  it('a truncated share is named as truncated', async () => {
    const data = randomBytes(3 * SEG);
    const file = await encodeToMemory(data, { maxSegmentSize: SEG });
    const errors: BadShareError[] = [];
    const truncated = memoryShareSource('short', file.shares[0]!.subarray(0, 500));
    const out = await decodeToMemory(file.cap, [truncated, ...sources(file.shares, [1, 2, 3])], { onBadShare: (e) => errors.push(e) });
    expect(Buffer.from(out)).toEqual(data);
    expect(errors.map((e) => [e.share, e.problem])).toEqual([['short', 'truncated']]);
    expect(errors[0]!.message).toMatch(/^share short: share is truncated/);
  });

  it('a share of another file is named as not matching the cap', async () => {
    const a = await encodeToMemory(randomBytes(3 * SEG), { maxSegmentSize: SEG });
    const b = await encodeToMemory(randomBytes(3 * SEG), { maxSegmentSize: SEG });
    const errors: BadShareError[] = [];
    await expect(
      decodeToMemory(a.cap, [memoryShareSource('foreign', b.shares[0]!), ...sources(a.shares, [1, 2])], { onBadShare: (e) => errors.push(e) }),
    ).rejects.toThrow(NotEnoughSharesError);
    expect(errors[0]!.problem).toBe('ueb-mismatch');
    expect(errors[0]!.message).toMatch(/does not match the cap/);
  });

  it('the same share twice counts once', async () => {
    const file = await encodeToMemory(randomBytes(3 * SEG), { maxSegmentSize: SEG });
    await expect(decodeToMemory(file.cap, sources(file.shares, [1, 1, 2]))).rejects.toThrow(/need 3, have 2.*already provides/);
  });

  it('a cap with the wrong K or N is refused with a clear message', async () => {
    const file = await encodeToMemory(randomBytes(3 * SEG), { maxSegmentSize: SEG });
    const wrong = parseCap(formatCap(file.cap).replace(/:3:10:/, ':4:10:'));
    await expect(decodeToMemory(wrong as typeof file.cap, sources(file.shares, [0, 1, 2, 3]))).rejects.toThrow(UriExtensionError);
    await expect(decodeToMemory(wrong as typeof file.cap, sources(file.shares, [0, 1, 2, 3]))).rejects.toThrow(/cap says 4-of-10/);
  });

  it('the encoder refuses bad parameters and input of the wrong length', async () => {
    const run = async (options: Parameters<typeof encodeChk>[1], input: Uint8Array[] = [new Uint8Array(100)]) => {
      for await (const _ of encodeChk(input, options)) void _;
    };
    const key = randomBytes(16);
    await expect(run({ size: 100, key, neededShares: 5, totalShares: 3 })).rejects.toThrow(/needed shares K must be an integer from 1 to N=3 \(got 5\)/);
    await expect(run({ size: 100, key, neededShares: 3, totalShares: 257 })).rejects.toThrow(/from 1 to 256 \(got 257\)/);
    await expect(run({ size: 100, key: randomBytes(8) })).rejects.toThrow(EncodingParameterError);
    await expect(run({ size: 101, key })).rejects.toThrow(/ended after 100 bytes, but its declared size is 101/);
    await expect(run({ size: 99, key })).rejects.toThrow(/longer than its declared size of 99/);
  });
});
