import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

/**
 * Lets `write` fill a temporary file in the same folder, then renames it to `path` only
 * when `write` succeeds. A failure (a bad share, a full disk) leaves `path` as it was and
 * no partial file behind.
 */
export async function withAtomicFile(path: string, write: (handle: FileHandle, temporary: string) => Promise<void>, mode = 0o666): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.partial`;
  const handle = await open(temporary, 'wx', mode);
  let renamed = false;
  try {
    await write(handle, temporary);
    await handle.sync();
    await handle.close();
    await rename(temporary, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
    }
  }
}

/** Writes chunks in order to `path`, atomically (see withAtomicFile). */
export async function writeFileAtomically(path: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, mode = 0o666): Promise<void> {
  await withAtomicFile(
    path,
    async (handle) => {
      for await (const chunk of chunks) await handle.write(chunk);
    },
    mode,
  );
}
