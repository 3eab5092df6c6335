import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HttpError } from './http-errors.js';
import type { UploadBody } from './node-api.js';

/** Bodies that declare at most this many bytes are held in memory, not spooled to disk. */
const IN_MEMORY_BODY_BYTES = 1024 * 1024;

/**
 * Runs `use` on an upload's request body: a small one (by its Content-Length) read into
 * memory, any other streamed to a temporary file in `spoolDir` (mode 0600) that is removed
 * afterwards. A body over `limit` bytes is cut off with 413.
 */
export async function withUploadBody<T>(req: IncomingMessage, spoolDir: string, limit: number, use: (body: UploadBody) => Promise<T>): Promise<T> {
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && Number.isSafeInteger(declared) && declared <= Math.min(limit, IN_MEMORY_BODY_BYTES)) {
    return use({ bytes: await readSmallBody(req, declared, 'the upload') });
  }
  const spool = join(spoolDir, `upload-${randomBytes(8).toString('hex')}`);
  let size = 0;
  try {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) req.destroy(new HttpError(413, `upload is larger than the ${limit}-byte limit`));
    });
    await pipeline(req, createWriteStream(spool, { mode: 0o600, highWaterMark: 1024 * 1024 }));
    return await use({ path: spool, size });
  } finally {
    await rm(spool, { force: true });
  }
}

/** A small body (a cap, a mutable file's contents) read whole; over `limit` bytes is 413. */
export async function readSmallBody(req: IncomingMessage, limit: number, what: string): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `${what} is larger than the ${limit}-byte limit`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.destroy();
      throw new HttpError(413, `${what} is larger than the ${limit}-byte limit`);
    }
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
