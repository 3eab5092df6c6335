// Sending a file's bytes: immutable files streamed from the grid, mutable ones (at most
// 16 MiB, read whole) from memory; both honour one "Range: bytes=…".
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileCap } from '../../../src-shared/caps/index.js';
import type { ByteRange } from '../../core/immutable/decoder.js';
import { clientHasEtag, immutableCacheHeaders } from './entity-tags.js';
import { HttpError } from './http-errors.js';
import type { NodeApi } from './node-api.js';
import { parseRangeHeader } from './range-header.js';

type Headers = Record<string, string | number>;

/** Waits until the response can take more, or the client went away (without leaking listeners). */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    // Already gone: 'close' has fired and will not fire again.
    if (res.destroyed || res.closed) {
      resolve();
      return;
    }
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** The range asked for and the headers that answer it; undefined once a 416 has been sent. */
function rangeAndHeaders(req: IncomingMessage, res: ServerResponse, size: number, extra: Headers): { range: ByteRange | undefined; status: number; headers: Headers } | undefined {
  const range = parseRangeHeader(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-type': 'application/json; charset=utf-8' });
    res.end(`${JSON.stringify({ error: `the range ${req.headers.range ?? ''} is not within the ${size}-byte file` })}\n`);
    return undefined;
  }
  const headers: Headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', ...extra };
  if (range === undefined) {
    headers['content-length'] = size;
  } else {
    headers['content-length'] = range.end - range.start;
    headers['content-range'] = `bytes ${range.start}-${range.end - 1}/${size}`;
  }
  return { range, status: range === undefined ? 200 : 206, headers };
}

export async function sendImmutableFile(cap: FileCap, req: IncomingMessage, res: ServerResponse, node: NodeApi): Promise<void> {
  const size = cap.kind === 'lit' ? cap.data.length : cap.size;
  if (cap.kind === 'chk-verifier') throw new HttpError(400, 'a verify cap cannot read a file: give its read cap');
  const cacheHeaders = immutableCacheHeaders(cap);
  if (clientHasEtag(req, cacheHeaders.etag!)) return notModified(res, cacheHeaders);
  const answer = rangeAndHeaders(req, res, size, cacheHeaders);
  if (answer === undefined) return;
  const { range, status, headers } = answer;
  // HEAD: the headers only, and nothing fetched from the grid.
  if (size === 0 || req.method === 'HEAD') {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const chunks = node.download(cap, range)[Symbol.asyncIterator]();
  // The first segment is fetched before the headers go out, so "not found" is a clean 410.
  let next = await chunks.next();
  res.writeHead(status, headers);
  while (!next.done) {
    if (!res.write(next.value)) await drainedOrClosed(res);
    if (res.destroyed) {
      await chunks.return?.(undefined); // the reader went away: stop fetching
      return;
    }
    next = await chunks.next();
  }
  res.end();
}

/** A mutable file's bytes, with its version as the ETag. */
export function sendMutableFile(bytes: Uint8Array, version: string, req: IncomingMessage, res: ServerResponse): void {
  if (clientHasEtag(req, `"${version}"`)) return notModified(res, { etag: `"${version}"` });
  const answer = rangeAndHeaders(req, res, bytes.length, { etag: `"${version}"` });
  if (answer === undefined) return;
  const { range, status, headers } = answer;
  res.writeHead(status, headers);
  res.end(range === undefined ? bytes : bytes.subarray(range.start, range.end));
}

/** 304: the client's copy (named by If-None-Match) is current. */
function notModified(res: ServerResponse, headers: Headers): void {
  res.writeHead(304, headers);
  res.end();
}
