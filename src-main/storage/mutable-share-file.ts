import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isMissing, syncDirectory } from './directories.js';
import { BadContainerError } from './errors.js';
import { MUTABLE_DATA_OFFSET, MUTABLE_HEADER_SIZE, mutableContainerVersionOf, parseMutableContainer, parseMutableHeader, type MutableContainer, type MutableContainerHeader } from './mutable-container.js';
import { readAt, writeAt } from './share-file.js';

export type ContainerKind = 'mutable' | 'immutable';

/** Whether a share file holds a mutable container (by its magic) or anything else. */
export async function containerKindOf(path: string): Promise<ContainerKind> {
  const handle = await open(path, 'r');
  try {
    return mutableContainerVersionOf(await readAt(handle, 0, MUTABLE_HEADER_SIZE)) === undefined ? 'immutable' : 'mutable';
  } finally {
    await handle.close();
  }
}

export async function readMutableHeaderOf(path: string): Promise<MutableContainerHeader> {
  const handle = await open(path, 'r');
  try {
    return parseMutableHeader(await readAt(handle, 0, MUTABLE_HEADER_SIZE));
  } finally {
    await handle.close();
  }
}

export async function readMutableContainerFile(path: string): Promise<MutableContainer> {
  return parseMutableContainer(new Uint8Array(await readFile(path)));
}

/** Reads ranges of a share's data, each cut at the end of the data (empty past it). */
export async function readMutableData(path: string, ranges: ReadonlyArray<{ readonly offset: number; readonly length: number }>): Promise<Uint8Array[]> {
  const handle = await open(path, 'r');
  try {
    const header = parseMutableHeader(await readAt(handle, 0, MUTABLE_HEADER_SIZE));
    const out: Uint8Array[] = [];
    for (const { offset, length } of ranges) {
      const end = Math.min(header.dataLength, offset + length);
      const bytes = offset >= end ? new Uint8Array(0) : await readAt(handle, MUTABLE_DATA_OFFSET + offset, end - offset);
      if (bytes.length !== Math.max(0, end - offset)) throw new BadContainerError('mutable share file is shorter than its data length');
      out.push(bytes);
    }
    return out;
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `bytes` so that a crash leaves the old file or the new one, never a
 * mix: the bytes go to `tempPath` (same file system), are synced, then renamed over `path`.
 */
export async function replaceFileAtomically(tempPath: string, path: string, bytes: Uint8Array): Promise<void> {
  try {
    const handle = await open(tempPath, 'w');
    try {
      await writeAt(handle, 0, bytes);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(tempPath, path);
  } catch (error) {
    await unlink(tempPath).catch((cleanup: unknown) => {
      if (!isMissing(cleanup)) throw cleanup;
    });
    throw error;
  }
  await syncDirectory(dirname(path));
}
