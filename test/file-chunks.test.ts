// Reading a file in chunks for the encoder (node/local-files.ts): every size comes back
// whole and in order while the next chunk is read ahead, a consumer may stop early, and a
// failed read is the consumer's error, not an unhandled rejection.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileChunks } from '../src-main/node/local-files.js';

const CHUNK = 64 * 1024;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-file-chunks-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function chunksOf(path: string): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of readFileChunks(path, CHUNK)) chunks.push(chunk);
  return chunks;
}

describe('readFileChunks', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK + 7])('gives back a file of %i bytes whole, in full chunks and then the rest', async (size) => {
    const data = randomBytes(size);
    const path = join(dir, `file-${size}`);
    await writeFile(path, data);
    const chunks = await chunksOf(path);
    expect(chunks.map((c) => c.length)).toEqual([...Array(Math.floor(size / CHUNK)).fill(CHUNK), ...(size % CHUNK > 0 ? [size % CHUNK] : [])]);
    expect(Buffer.compare(Buffer.concat(chunks), data)).toBe(0);
    // each chunk owns its buffer (the encoder hands chunks to worker threads)
    for (const chunk of chunks) expect(chunk.byteLength).toBe(chunk.buffer.byteLength);
  });

  it('gives each chunk its own buffer from `allocate`, one ahead of the consumer at most', async () => {
    const path = join(dir, 'allocated');
    await writeFile(path, randomBytes(4 * CHUNK));
    let allocated = 0;
    let consumed = 0;
    for await (const chunk of readFileChunks(path, CHUNK, (size) => (allocated++, new Uint8Array(size)))) {
      consumed++;
      expect(chunk.length).toBe(CHUNK);
      expect(allocated - consumed).toBeLessThanOrEqual(1);
    }
    expect(consumed).toBe(4);
  });

  it('lets its consumer stop early', async () => {
    const path = join(dir, 'early-stop');
    const data = randomBytes(8 * CHUNK);
    await writeFile(path, data);
    for await (const chunk of readFileChunks(path, CHUNK)) {
      expect(Buffer.compare(chunk, data.subarray(0, CHUNK))).toBe(0);
      break;
    }
    // the break returned without hanging on the read ahead, and a new reader starts from the beginning
    expect((await chunksOf(path)).length).toBe(8);
  });

  it("fails the consumer's read with the file system's error", async () => {
    // a directory opens for reading on Linux, and its first read fails with EISDIR
    await expect(chunksOf(dir)).rejects.toThrow(/EISDIR/);
  });
});
