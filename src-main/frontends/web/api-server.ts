import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CapError, formatCap, parseCap, type FileCap } from '../../../src-shared/caps/index.js';
import { NotEnoughSharesError } from '../../core/immutable/errors.js';
import { NotEnoughSharesFoundError, UploadUnhappinessError } from '../../grid/errors.js';
import { HttpError } from './http-errors.js';
import type { NodeApi } from './node-api.js';

export interface ApiServerOptions {
  readonly port: number;
  readonly token: string;
  readonly node: NodeApi;
  /** where request bodies are spooled before upload (convergent keys read a file twice) */
  readonly spoolDir: string;
  readonly log?: (message: string) => void;
  /** largest upload accepted, bytes (default 1 TiB) */
  readonly maxUploadBytes?: number;
}

/** Maps failures to HTTP: what the user did wrong is 4xx, what the grid cannot do is 410/503. */
function httpStatusOf(error: unknown): number {
  if (error instanceof HttpError) return error.status;
  if (error instanceof CapError) return 400;
  if (error instanceof NotEnoughSharesFoundError || error instanceof NotEnoughSharesError) return 410;
  if (error instanceof UploadUnhappinessError) return 503;
  return 500;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function capFromPath(path: string): FileCap {
  const text = decodeURIComponent(path.slice('/uri/'.length));
  if (text === '') throw new HttpError(400, 'no cap in the URL: use /uri/<cap>');
  return parseCap(text);
}

function capSize(cap: FileCap): number | undefined {
  return cap.kind === 'lit' ? cap.data.length : cap.size;
}

/**
 * The node's localhost web API (Tahoe's webapi shape where it fits). Every request needs
 * `Authorization: Bearer <DIR/private/api_auth_token>`.
 *   PUT  /uri                     upload the body; answers the cap (text/plain)
 *   GET  /uri/<cap>               the file's bytes, streamed
 *   POST /uri/<cap>?t=check[&verify=true][&repair=true][&add-lease=true]   health, as JSON
 *   GET  /status?t=json           grid, peers and storage, as JSON
 */
export async function startApiServer(options: ApiServerOptions): Promise<Server> {
  await mkdir(options.spoolDir, { recursive: true, mode: 0o700 });
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      const status = httpStatusOf(error);
      if (status === 500) options.log?.(`web API: ${req.method} ${req.url?.split('?')[0]?.replace(/\/uri\/.*/, '/uri/…')} failed: ${(error as Error).stack ?? error}`);
      if (res.headersSent) res.destroy(error as Error);
      else sendJson(res, status, { error: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ApiServerOptions): Promise<void> {
  if (!authorized(req, options.token)) throw new HttpError(401, 'missing or wrong API token (send "Authorization: Bearer <DIR/private/api_auth_token>")');
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const t = url.searchParams.get('t');
  if (req.method === 'PUT' && url.pathname === '/uri') return upload(req, res, options);
  if (url.pathname.startsWith('/uri/')) {
    const cap = capFromPath(url.pathname);
    if (req.method === 'GET' && t === null) return download(cap, res, options);
    if (req.method === 'POST' && t === 'check') {
      const flag = (name: string) => url.searchParams.get(name) === 'true';
      return sendJson(res, 200, await options.node.check(cap, { verify: flag('verify'), repair: flag('repair'), addLease: flag('add-lease') }));
    }
  }
  if (req.method === 'GET' && url.pathname === '/status') return sendJson(res, 200, await options.node.status());
  throw new HttpError(404, `no such API: ${req.method} ${url.pathname}`);
}

async function upload(req: IncomingMessage, res: ServerResponse, options: ApiServerOptions): Promise<void> {
  const spool = join(options.spoolDir, `upload-${randomBytes(8).toString('hex')}`);
  const limit = options.maxUploadBytes ?? 2 ** 40;
  let size = 0;
  try {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) req.destroy(new HttpError(413, `upload is larger than the ${limit}-byte limit`));
    });
    await pipeline(req, createWriteStream(spool, { mode: 0o600 }));
    const cap = await options.node.uploadFile(spool, size);
    const text = formatCap(cap);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  } finally {
    await rm(spool, { force: true });
  }
}

async function download(cap: FileCap, res: ServerResponse, options: ApiServerOptions): Promise<void> {
  const size = capSize(cap);
  if (size === undefined) throw new HttpError(400, 'a verify cap cannot read a file: give its read cap');
  const chunks = options.node.download(cap)[Symbol.asyncIterator]();
  // The first segment is fetched before the headers go out, so "not found" is a clean 410.
  let next = await chunks.next();
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  while (!next.done) {
    if (!res.write(next.value)) await new Promise((resolve) => {
      res.once('drain', resolve);
      res.once('close', resolve);
    });
    if (res.destroyed) {
      await chunks.return?.(undefined); // the reader went away: stop fetching
      return;
    }
    next = await chunks.next();
  }
  res.end();
}
