import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HttpError } from './http-errors.js';

/**
 * Streams a request body to a temporary file in `spoolDir` (mode 0600), runs `use` on it,
 * and removes it. A body over `limit` bytes is cut off with 413.
 */
export async function withSpooledBody<T>(req: IncomingMessage, spoolDir: string, limit: number, use: (file: string, size: number) => Promise<T>): Promise<T> {
  const spool = join(spoolDir, `upload-${randomBytes(8).toString('hex')}`);
  let size = 0;
  try {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) req.destroy(new HttpError(413, `upload is larger than the ${limit}-byte limit`));
    });
    await pipeline(req, createWriteStream(spool, { mode: 0o600, highWaterMark: 1024 * 1024 }));
    return await use(spool, size);
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
