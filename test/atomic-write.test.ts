// Writing a downloaded file: the exact bytes, in place only when complete, and a failure
// (of the source, or of a background flush to disk) reported, never swallowed.
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, readdir, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeChunks, writeFileAtomically } from '../src-main/node/atomic-write.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `data` in chunks of uneven sizes (up to 300 KiB), as a network gives them. */
function* unevenChunks(data: Uint8Array): Generator<Uint8Array> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const size = 1 + ((i * 7919 * 37) % (300 * 1024));
    yield data.subarray(at, at + size);
    at += size;
  }
}

describe('writeFileAtomically', () => {
  it('writes every byte of a file many times the background flush size', async () => {
    const data = new Uint8Array(randomBytes(21 * 1024 * 1024 + 5));
    const path = join(dir, 'out.bin');
    await writeFileAtomically(path, unevenChunks(data));
    expect(Buffer.compare(await readFile(path), data)).toBe(0);
    expect(await readdir(dir)).toEqual(['out.bin']);
  });

  it('leaves the old file and no partial file when the bytes stop coming', async () => {
    const path = join(dir, 'out.bin');
    await writeFile(path, 'old contents');
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10 * 1024 * 1024);
      throw new Error('the grid went away');
    }
    await expect(writeFileAtomically(path, failing())).rejects.toThrow('the grid went away');
    expect(await readFile(path, 'utf8')).toBe('old contents');
    expect(await readdir(dir)).toEqual(['out.bin']);
  });
});

describe('writeChunks', () => {
  it('stops when its signal is aborted', async () => {
    const handle = await open(join(dir, 'out.bin'), 'w');
    const controller = new AbortController();
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 100; i++) {
        if (i === 20) controller.abort(new Error('the client went away'));
        yield new Uint8Array(1024 * 1024);
      }
    }
    try {
      await expect(writeChunks(handle, chunks(), controller.signal)).rejects.toThrow('the client went away');
    } finally {
      await handle.close();
    }
  });

  it('reports a failed background flush to disk (a disk error, simulated: it cannot be caused here)', async () => {
    const real = await open(join(dir, 'out.bin'), 'w');
    const failingDisk = {
      writev: (buffers: Uint8Array[], position: number) => real.writev(buffers, position),
      datasync: () => Promise.reject(new Error('EIO: i/o error, fdatasync')),
    } as unknown as FileHandle;
    try {
      await expect(writeChunks(failingDisk, unevenChunks(new Uint8Array(20 * 1024 * 1024)))).rejects.toThrow('EIO');
    } finally {
      await real.close();
    }
  });

  it('reports a failed write (a full disk, simulated), and returns only once no write of its own is running', async () => {
    const real = await open(join(dir, 'out.bin'), 'w');
    let writes = 0;
    let inFlight = 0;
    const fullDisk = {
      writev: async (buffers: Uint8Array[], position: number) => {
        writes++;
        inFlight++;
        try {
          await new Promise((resolve) => setTimeout(resolve, 20));
          if (writes >= 3) throw new Error('ENOSPC: no space left on device, write');
          return await real.writev(buffers, position);
        } finally {
          inFlight--;
        }
      },
      datasync: () => real.datasync(),
    } as unknown as FileHandle;
    try {
      await expect(writeChunks(fullDisk, unevenChunks(new Uint8Array(12 * 1024 * 1024)))).rejects.toThrow('ENOSPC');
      expect(inFlight).toBe(0);
      expect(writes).toBeLessThanOrEqual(4); // it stopped at the failure, not at the end of the source
    } finally {
      await real.close();
    }
  });

  it('when its source fails, returns only after the write in flight has finished', async () => {
    const real = await open(join(dir, 'out.bin'), 'w');
    let inFlight = 0;
    const slowDisk = {
      writev: async (buffers: Uint8Array[], position: number) => {
        inFlight++;
        try {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return await real.writev(buffers, position);
        } finally {
          inFlight--;
        }
      },
      datasync: () => real.datasync(),
    } as unknown as FileHandle;
    async function* failing(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 3; i++) yield new Uint8Array(1024 * 1024);
      throw new Error('the grid went away');
    }
    try {
      await expect(writeChunks(slowDisk, failing())).rejects.toThrow('the grid went away');
      expect(inFlight).toBe(0);
    } finally {
      await real.close();
    }
  });
});
