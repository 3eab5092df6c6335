// Helpers shared by the benchmarks: generated input files and share files on disk.
import { createCipheriv, randomBytes } from 'node:crypto';
import { open, statfs, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChkReadCap } from '../src-shared/caps/index.js';
import type { ChkEncodeEvent } from '../src-main/core/immutable/encoder.js';

export const MiB = 1024 * 1024;

/** Writes `size` bytes of AES-128-CTR keystream (incompressible, fast to make) to `path`. */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const keystream = createCipheriv('aes-128-ctr', randomBytes(16), Buffer.alloc(16));
  const zeros = new Uint8Array(MiB);
  const handle = await open(path, 'w');
  try {
    for (let done = 0; done < size; done += MiB) {
      const chunk = keystream.update(zeros.subarray(0, Math.min(MiB, size - done)));
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
}

/** Bytes free for an unprivileged user on the file system holding `path` (what `df` shows as Avail). */
export async function freeBytes(path: string): Promise<number> {
  const fs = await statfs(path);
  return fs.bavail * fs.bsize;
}

export interface WrittenShares {
  readonly cap: ChkReadCap;
  /** the path of share j, for the shares that were kept */
  readonly paths: ReadonlyMap<number, string>;
  /** every block byte the encoder produced, kept or not */
  readonly blockBytes: number;
}

/**
 * Writes share files OUTDIR/j as `cairn debug chk-encode` does (header, blocks, trailer),
 * for the share numbers in `keep` (all when omitted); the other shares' blocks are counted
 * and dropped.
 */
export async function writeShareFiles(
  outDir: string,
  events: AsyncIterable<ChkEncodeEvent>,
  keep?: readonly number[],
): Promise<WrittenShares> {
  const handles = new Map<number, FileHandle>();
  const paths = new Map<number, string>();
  let blockBytes = 0;
  try {
    for await (const event of events) {
      if (event.type === 'start') {
        const numbers = keep ?? Array.from({ length: event.geometry.totalShares }, (_, j) => j);
        for (const j of numbers) {
          const path = join(outDir, String(j));
          paths.set(j, path);
          handles.set(j, await open(path, 'w'));
        }
        await Promise.all([...handles.values()].map((h) => h.write(event.header)));
      } else if (event.type === 'segment') {
        for (const block of event.blocks) blockBytes += block.length;
        await Promise.all([...handles].map(([j, h]) => h.write(event.blocks[j]!)));
      } else {
        await Promise.all([...handles].map(([j, h]) => h.write(event.trailers[j]!)));
        return { cap: event.cap, paths, blockBytes };
      }
    }
    throw new Error('the encoder stopped before it finished');
  } finally {
    await Promise.all([...handles.values()].map((h) => h.close()));
  }
}
