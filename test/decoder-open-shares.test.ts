// openShares: 'needed' (what a grid download uses) opens K shares, the primary ones first,
// and a spare only when a share it reads turns out bad; 'all' opens every candidate.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BadShareError, NotEnoughSharesError } from '../src-main/core/immutable/errors.js';
import type { ShareSource } from '../src-main/core/immutable/share-source.js';
import { MAX_HEADER_SIZE, parseShareHeader } from '../src-main/core/immutable/share-layout.js';
import { decodeToMemory, encodeToMemory, sameBytes } from './support/chk.js';

const k = 3;
const n = 10;

/** Each share as a source (its own copy, corrupted as asked); every read is told to `onRead`. */
function watchedSources(
  shares: readonly Uint8Array[],
  onRead: (shareNumber: number, offset: number, length: number) => void,
  corrupt?: (share: Uint8Array, shareNumber: number) => void,
): ShareSource[] {
  return shares.map((bytes, j) => {
    const share = new Uint8Array(bytes);
    corrupt?.(share, j);
    return {
      label: `share ${j}`,
      claimedShareNumber: j,
      read: (offset: number, length: number) => {
        onRead(j, offset, length);
        return Promise.resolve(share.subarray(offset, offset + length));
      },
    };
  });
}

/** The file's shares, listed parity first (as servers might answer), with the reads of each counted. */
async function countedShares(size: number, corrupt?: (share: Uint8Array, shareNumber: number) => void) {
  const data = new Uint8Array(randomBytes(size));
  const encoded = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: 64 * 1024 });
  const reads = new Array<number>(n).fill(0);
  const sources = watchedSources(encoded.shares, (j) => reads[j]!++, corrupt).reverse();
  return { data, encoded, reads, sources };
}

describe("the decoder's openShares option", () => {
  it("'needed' reads only the K primary shares when they are good", async () => {
    const { data, encoded, reads, sources } = await countedShares(1_000_000);
    expect(sameBytes(await decodeToMemory(encoded.cap, sources, { openShares: 'needed' }), data)).toBe('same');
    expect(reads.slice(0, k).every((count) => count > 0)).toBe(true);
    expect(reads.slice(k)).toEqual(new Array(n - k).fill(0));
  });

  it("'all' (the default) opens every share", async () => {
    const { data, encoded, reads, sources } = await countedShares(1_000_000);
    expect(sameBytes(await decodeToMemory(encoded.cap, sources), data)).toBe('same');
    expect(reads.every((count) => count > 0)).toBe(true);
  });

  it("'needed' opens spares one by one as shares fail, names each bad share, and still gives the right bytes", async () => {
    const bad: string[] = [];
    // the block data of two primary shares, deep in the file; and the header of share 9
    const { data, encoded, reads, sources } = await countedShares(1_000_000, (share, j) => {
      if (j === 0 || j === 2) share[share.length - 40_000]! ^= 0x01;
      if (j === 9) share[1]! ^= 0xff;
    });
    const plaintext = await decodeToMemory(encoded.cap, sources, { openShares: 'needed', onBadShare: (error) => bad.push(error.share) });
    expect(sameBytes(plaintext, data)).toBe('same');
    // spares are opened in the order given (9, 8, 7…): 9 is bad too, so 8 and 7 replace 0 and 2
    expect(bad.sort()).toEqual(['share 0', 'share 2', 'share 9']);
    expect(reads.slice(3, 7)).toEqual([0, 0, 0, 0]);
    expect(reads.slice(7).every((count) => count > 0)).toBe(true);
  });

  it("'needed' fails clearly when too few good shares remain", async () => {
    const { encoded, sources } = await countedShares(300_000, (share, j) => {
      if (j !== 4 && j !== 5) share[share.length - 1_000]! ^= 0x01;
    });
    const error = await decodeToMemory(encoded.cap, sources, { openShares: 'needed' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotEnoughSharesError);
    expect((error as NotEnoughSharesError).message).toMatch(/3/);
    expect((error as NotEnoughSharesError).badShares.every((b) => b instanceof BadShareError)).toBe(true);
  });
});

describe('how the decoder asks for blocks', () => {
  const segmentSize = 64 * 1024;
  const segments = 10;

  /** A 10-segment file; the block reads of each share are logged as [first block, block count]. */
  async function loggedFile(corrupt?: (share: Uint8Array, shareNumber: number) => void) {
    const data = new Uint8Array(randomBytes(segments * segmentSize));
    const encoded = await encodeToMemory(data, { neededShares: k, totalShares: n, maxSegmentSize: segmentSize });
    const blockSize = Math.ceil(segmentSize / k);
    const reads: Array<{ share: number; first: number; blocks: number }> = [];
    const layout = parseShareHeader(encoded.shares[0]!.subarray(0, MAX_HEADER_SIZE));
    // reads in the data area (the tail block is shorter than the others)
    const sources = watchedSources(
      encoded.shares,
      (j, offset, length) => {
        if (offset >= layout.dataOffset && offset < layout.plaintextTreeOffset) {
          reads.push({ share: j, first: (offset - layout.dataOffset) / blockSize, blocks: Math.ceil(length / blockSize) });
        }
      },
      corrupt,
    );
    /** a share's block reads, as [first block, block count] */
    const blockReads = (share: number): Array<[number, number]> => reads.filter((r) => r.share === share).map((r) => [r.first, r.blocks]);
    return { data, encoded, sources, blockReads };
  }

  it('without read-ahead, reads block by block', async () => {
    const { data, encoded, sources, blockReads } = await loggedFile();
    expect(sameBytes(await decodeToMemory(encoded.cap, sources, { readAhead: 0 }), data)).toBe('same');
    expect(blockReads(0)).toEqual([...Array(segments).keys()].map((segment) => [segment, 1]));
  });

  it('by default, reads the first block alone, then batches of four within the window, and a short batch at the end', async () => {
    const { data, encoded, sources, blockReads } = await loggedFile();
    expect(sameBytes(await decodeToMemory(encoded.cap, sources), data)).toBe('same');
    // 64 KiB segments: a 1 MiB batch would be 48 blocks, so the window of 4 bounds it
    expect(blockReads(1)).toEqual([[0, 1], [1, 4], [5, 4], [9, 1]]);
  });

  it('for a range, reads only the blocks of the segments that hold it', async () => {
    const { data, encoded, sources, blockReads } = await loggedFile();
    const range = { start: 2 * segmentSize + 5, end: 5 * segmentSize - 7 }; // segments 2 to 4
    expect(sameBytes(await decodeToMemory(encoded.cap, sources, { range }), data.subarray(range.start, range.end))).toBe('same');
    const reads = blockReads(0);
    expect(reads.map(([first]) => first)).toEqual([2, 3]);
    expect(reads.reduce((sum, [, blocks]) => sum + blocks, 0)).toBe(3);
  });

  it('a spare that takes over reads its needed block alone first', async () => {
    // share 1's block of segment 6 is corrupt: share 3 takes over at segment 6
    const { data, encoded, sources, blockReads } = await loggedFile((share, j) => {
      if (j === 1) share[share.length - 2_000 - 4 * Math.ceil(segmentSize / k)]! ^= 0x01;
    });
    const bad: string[] = [];
    expect(sameBytes(await decodeToMemory(encoded.cap, sources, { openShares: 'needed', onBadShare: (e) => bad.push(e.share) }), data)).toBe('same');
    expect(bad).toEqual(['share 1']);
    const spareReads = blockReads(3);
    expect(spareReads[0]).toEqual([6, 1]);
    expect(spareReads.reduce((sum, [, blocks]) => sum + blocks, 0)).toBeGreaterThan(1);
  });
});
