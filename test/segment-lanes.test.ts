// The worker pool's shared lanes: a consumer that takes recycled buffers reads the blocks
// where the worker wrote them (no copies), and every lane comes back, even when the consumer
// stops early.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BufferRecycler } from '../src-main/core/immutable/buffer-recycler.js';
import { encodeChk, type ChkEncodeEvent } from '../src-main/core/immutable/encoder.js';
import { SegmentWorkerPool } from '../src-main/core/workers/segment-worker-pool.js';
import { encodeToMemory, sameBytes } from './support/chk.js';

const MiB = 1024 * 1024;
const KEY = Buffer.alloc(16, 9);

function chunksOf(data: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(Uint8Array.from(data.subarray(at, at + size)));
  return chunks;
}

/** Encodes with recycled buffers (so segments are lent), copying each block before the next event. */
async function encodeLent(pool: SegmentWorkerPool, data: Uint8Array, params: { k: number; n: number; segment: number }, stopAfter = Infinity) {
  const shares: Uint8Array[][] = Array.from({ length: params.n }, () => []);
  let sharedViews = 0;
  let segments = 0;
  const events: AsyncGenerator<ChkEncodeEvent> = encodeChk(chunksOf(data, params.segment), {
    neededShares: params.k,
    totalShares: params.n,
    maxSegmentSize: params.segment,
    size: data.length,
    key: KEY,
    segmentEncoder: pool,
    buffers: new BufferRecycler(),
  });
  for await (const event of events) {
    if (event.type === 'start') shares.forEach((s) => s.push(event.header));
    else if (event.type === 'segment') {
      if (event.blocks.every((b) => b.buffer instanceof SharedArrayBuffer)) sharedViews++;
      event.blocks.forEach((b, j) => shares[j]!.push(b.slice()));
      if (++segments >= stopAfter) break;
    } else event.trailers.forEach((t, j) => shares[j]!.push(t));
  }
  return { shares: shares.map((s) => Buffer.concat(s)), sharedViews, segments };
}

describe('segment lanes in the worker pool', () => {
  it('lends blocks in shared memory, gives the same shares as in-process encoding, and gets every lane back', async () => {
    const data = randomBytes(6 * MiB + 100_000); // the last segment too is over the pool's inline limit
    const expected = await encodeToMemory(data, { key: KEY });
    const pool = new SegmentWorkerPool({ size: 2 });
    try {
      const first = await encodeLent(pool, data, { k: 3, n: 10, segment: MiB });
      first.shares.forEach((share, j) => expect(sameBytes(share, expected.shares[j]!)).toBe('same'));
      expect(pool.lanesInUse).toBe(0);
      const second = await encodeLent(pool, data, { k: 3, n: 10, segment: MiB }); // the workers are ready now
      expect(second.sharedViews).toBe(second.segments);
      second.shares.forEach((share, j) => expect(sameBytes(share, expected.shares[j]!)).toBe('same'));
      expect(pool.lanesInUse).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('gets every lane back when the consumer stops after two segments', async () => {
    const data = randomBytes(12 * MiB);
    const pool = new SegmentWorkerPool({ size: 2 });
    try {
      await encodeLent(pool, data, { k: 3, n: 10, segment: MiB }); // workers ready
      const stopped = await encodeLent(pool, data, { k: 3, n: 10, segment: MiB }, 2);
      expect(stopped.segments).toBe(2);
      await new Promise((r) => setTimeout(r, 500)); // the segments still in flight come back and are released
      expect(pool.lanesInUse).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('with holdBlocks, a segment\'s blocks stay intact until it is released, however many are held', async () => {
    const data = randomBytes(10 * MiB + 1234);
    const expected = await encodeToMemory(data, { key: KEY });
    const pool = new SegmentWorkerPool({ size: 2 });
    try {
      await encodeLent(pool, data, { k: 3, n: 10, segment: MiB }); // workers ready
      const shares: Uint8Array[][] = Array.from({ length: 10 }, () => []);
      const held: Array<() => void> = [];
      let sharedViews = 0;
      for await (const event of encodeChk(chunksOf(data, MiB), { size: data.length, key: KEY, segmentEncoder: pool, buffers: new BufferRecycler(), holdBlocks: true })) {
        if (event.type === 'start') shares.forEach((s) => s.push(event.header));
        else if (event.type === 'segment') {
          if (event.blocks.every((b) => b.buffer instanceof SharedArrayBuffer)) sharedViews++;
          event.blocks.forEach((b, j) => shares[j]!.push(b)); // views, not copies: read only at the end
          // more held than the pool has lanes: the rest are encoded into buffers of their own
          held.push(event.release!);
        } else event.trailers.forEach((t, j) => shares[j]!.push(t));
      }
      expect(sharedViews).toBeGreaterThan(0);
      shares.forEach((parts, j) => expect(sameBytes(Buffer.concat(parts), expected.shares[j]!)).toBe('same'));
      expect(pool.lanesInUse).toBe(sharedViews);
      for (const release of held) release();
      held[0]!(); // releasing twice is harmless
      expect(pool.lanesInUse).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('falls back to buffers for a segment too big for a lane (1-of-10), with the same shares', async () => {
    const data = randomBytes(3 * MiB + 5);
    const expected = await encodeToMemory(data, { key: KEY, neededShares: 1, totalShares: 10 });
    const pool = new SegmentWorkerPool({ size: 2 });
    try {
      await encodeLent(pool, data, { k: 1, n: 10, segment: MiB });
      const result = await encodeLent(pool, data, { k: 1, n: 10, segment: MiB });
      expect(result.sharedViews).toBe(0);
      result.shares.forEach((share, j) => expect(sameBytes(share, expected.shares[j]!)).toBe('same'));
      expect(pool.lanesInUse).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
