import { open, stat, type FileHandle } from 'node:fs/promises';
import type { ShareSource } from '../core/immutable/share-source.js';

export const READ_CHUNK_SIZE = 1024 * 1024;

/** Streams a file's bytes in fresh chunks (each may be handed to another thread). */
export async function* readFileChunks(path: string, chunkSize = READ_CHUNK_SIZE): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    while (true) {
      const chunk = new Uint8Array(chunkSize);
      const { bytesRead } = await handle.read(chunk, 0, chunkSize, null);
      if (bytesRead === 0) return;
      yield bytesRead === chunkSize ? chunk : chunk.slice(0, bytesRead);
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

/** Reads `length` bytes at `position`, fewer only at the end of the file. */
export async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(out, filled, length - filled, position + filled);
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
