import { open, stat, type FileHandle } from 'node:fs/promises';
import type { ShareSource } from '../core/immutable/share-source.js';

export const READ_CHUNK_SIZE = 1024 * 1024;

/**
 * Streams a file's bytes, each chunk its own buffer (from `allocate`, fresh by default), so
 * it may be handed to another thread. Chunks are full-size except the last. The next chunk
 * is read while the consumer works on the current one: with the CHK encoder on two workers,
 * waiting for each read in turn cost 2-4 % of bench/encode's throughput (20 interleaved
 * rounds each way).
 */
export async function* readFileChunks(
  path: string,
  chunkSize = READ_CHUNK_SIZE,
  allocate: (size: number) => Uint8Array = (size) => Buffer.allocUnsafeSlow(size),
): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  let position = 0;
  const readNext = (): Promise<Uint8Array> => {
    const reading = readAt(handle, position, chunkSize, allocate(chunkSize));
    reading.catch(() => undefined); // surfaced when awaited below; ignored if the consumer stops first
    position += chunkSize;
    return reading;
  };
  let next: Promise<Uint8Array> | undefined;
  try {
    next = readNext();
    while (true) {
      const chunk = await next;
      if (chunk.length === 0) return;
      next = readNext();
      yield chunk.length === chunkSize ? chunk : new Uint8Array(chunk); // a short last chunk gets a buffer of its own size
    }
  } finally {
    await next?.catch(() => undefined); // the handle must outlive its last read
    await handle.close();
  }
}

/**
 * Feeds a file's bytes to `consume` through two reused buffers, reading the next chunk
 * while the current one is consumed (for one-pass work like hashing, where nothing keeps
 * the bytes).
 */
export async function scanFile(path: string, consume: (chunk: Uint8Array) => void, chunkSize = 4 * READ_CHUNK_SIZE): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const buffers = [Buffer.allocUnsafeSlow(chunkSize), Buffer.allocUnsafeSlow(chunkSize)];
    let turn = 0;
    let reading = handle.read(buffers[0]!, 0, chunkSize, null);
    while (true) {
      const { bytesRead, buffer } = await reading;
      if (bytesRead === 0) return;
      turn ^= 1;
      reading = handle.read(buffers[turn]!, 0, chunkSize, null);
      consume(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

export async function fileSize(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a regular file`);
  return info.size;
}

/**
 * Reads `length` bytes at `position` (-1: at the file's current position), fewer only at
 * the end of the file, into `out` or a new buffer.
 */
export async function readAt(handle: FileHandle, position: number, length: number, out: Uint8Array = new Uint8Array(length)): Promise<Uint8Array> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(out, filled, length - filled, position < 0 ? null : position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? out : out.subarray(0, filled);
}

export interface OpenShareFile extends ShareSource {
  close(): Promise<void>;
}

/** A share kept in a local file (as `cairn debug chk-encode` writes them). */
export async function openShareFile(path: string, claimedShareNumber?: number): Promise<OpenShareFile> {
  const handle = await open(path, 'r');
  return {
    label: path,
    claimedShareNumber,
    read: (offset, length) => readAt(handle, offset, length),
    close: () => handle.close(),
  };
}
