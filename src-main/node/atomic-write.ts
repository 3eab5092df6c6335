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
  await withAtomicFile(path, (handle) => writeChunks(handle, chunks).then(() => undefined), mode);
}

/** Network and decoder chunks are 64-350 KiB: a write per MiB costs far less than one per chunk. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * While a long file is written, its bytes are flushed to disk in the background every this
 * many bytes, so that the sync that ends the write has only the last few MiB left to wait for.
 */
const BACKGROUND_SYNC_BYTES = 8 * 1024 * 1024;

/**
 * Writes chunks in order into `handle` from its start, gathered into writes of about a MiB;
 * resolves to the bytes written. One write is in flight while the next batch gathers, so a
 * producer (a download's decoding) does not wait for the disk. With `signal`, stops
 * (rejecting) once it is aborted. Every BACKGROUND_SYNC_BYTES it starts a datasync (one at a
 * time) that it waits for at the end; the caller still syncs once the last bytes are written.
 * It returns (or throws) only once no write or sync of its own is running on `handle`.
 */
export async function writeChunks(handle: FileHandle, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, signal?: AbortSignal): Promise<number> {
  let written = 0;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let unsynced = 0;
  let writing: Promise<unknown> = Promise.resolve();
  let syncing: Promise<void> | undefined;
  let syncFailure: unknown;
  const flush = async (): Promise<void> => {
    await writing; // in order, one at a time: a failed write throws here
    if (batch.length > 0) {
      writing = handle.writev(batch, written);
      writing.catch(() => undefined); // handled: its failure is thrown by the next await of it
    }
    written += batchBytes;
    unsynced += batchBytes;
    batch = [];
    batchBytes = 0;
    if (unsynced >= BACKGROUND_SYNC_BYTES && syncing === undefined) {
      unsynced = 0;
      syncing = writing
        .then(
          () => handle.datasync(),
          () => undefined, // a failed write is reported as such
        )
        .then(
          () => (syncing = undefined),
          (error: unknown) => {
            syncFailure ??= error;
            syncing = undefined;
          },
        );
    }
  };
  try {
    for await (const chunk of chunks) {
      signal?.throwIfAborted();
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= WRITE_BATCH_BYTES) await flush();
    }
    await flush();
    await writing;
  } finally {
    await writing.catch(() => undefined); // never leave a write running on the caller's handle
    await syncing; // never rejects: a failure is kept in syncFailure
  }
  if (syncFailure !== undefined) throw syncFailure;
  return written;
}
