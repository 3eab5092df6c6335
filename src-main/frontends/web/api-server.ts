import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CapError, formatCap, parseCap, verifyCapOf, type FileCap } from '../../../src-shared/caps/index.js';
import { NotEnoughSharesError } from '../../core/immutable/errors.js';
import { NotEnoughSharesFoundError, UploadUnhappinessError } from '../../grid/errors.js';
import { HttpError } from './http-errors.js';
import type { NodeApi } from './node-api.js';
import { parseRangeHeader } from './range-header.js';

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

/** Tahoe's `?t=json` shape for a file: ["filenode", { … }]. */
function fileNodeJson(cap: FileCap): unknown {
  const verify = cap.kind === 'lit' ? undefined : verifyCapOf(cap);
  return [
    'filenode',
    {
      mutable: false,
      format: cap.kind === 'lit' ? 'LIT' : 'CHK',
      ...(cap.kind === 'chk-verifier' ? {} : { ro_uri: formatCap(cap) }),
      ...(verify === undefined ? {} : { verify_uri: formatCap(verify) }),
      size: cap.kind === 'lit' ? cap.data.length : cap.size,
    },
  ];
}

function capSize(cap: FileCap): number | undefined {
  return cap.kind === 'lit' ? cap.data.length : cap.size;
}

/**
 * The node's localhost web API (Tahoe's webapi shape where it fits). Every request needs
 * `Authorization: Bearer <DIR/private/api_auth_token>`.
 *   PUT  /uri                     upload the body; answers the cap (text/plain)
 *   GET  /uri/<cap>               the file's bytes, streamed (a single "Range: bytes=…" gives 206)
 *   GET  /uri/<cap>?t=json        what the cap is: ["filenode", { format, size, ro_uri, verify_uri }]
 *   POST /uri/<cap>?t=check[&verify=true][&repair=true][&add-lease=true]   health, as JSON
 *   GET  /status?t=json           grid, peers, storage and operations in progress, as JSON
 *   GET  /statistics?t=json       totals since the node started, as JSON
 *   GET  /events                  server-sent events: "operation" (start, progress, end) and "status" (changed)
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
    if (req.method === 'GET' && t === null) return download(cap, req, res, options);
    if (req.method === 'GET' && t === 'json') return sendJson(res, 200, fileNodeJson(cap));
    if (req.method === 'POST' && t === 'check') {
      const flag = (name: string) => url.searchParams.get(name) === 'true';
      return sendJson(res, 200, await options.node.check(cap, { verify: flag('verify'), repair: flag('repair'), addLease: flag('add-lease') }));
    }
  }
  if (req.method === 'GET' && url.pathname === '/status') return sendJson(res, 200, await options.node.status());
  if (req.method === 'GET' && url.pathname === '/statistics') return sendJson(res, 200, await options.node.statistics());
  if (req.method === 'GET' && url.pathname === '/events') return streamEvents(req, res, options);
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
    await pipeline(req, createWriteStream(spool, { mode: 0o600, highWaterMark: 1024 * 1024 }));
    const cap = await options.node.uploadFile(spool, size);
    const text = formatCap(cap);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  } finally {
    await rm(spool, { force: true });
  }
}

/** Waits until the response can take more, or the client went away (without leaking listeners). */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function download(cap: FileCap, req: IncomingMessage, res: ServerResponse, options: ApiServerOptions): Promise<void> {
  const size = capSize(cap);
  if (size === undefined) throw new HttpError(400, 'a verify cap cannot read a file: give its read cap');
  const range = parseRangeHeader(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${size}`, 'content-type': 'application/json; charset=utf-8' });
    res.end(`${JSON.stringify({ error: `the range ${req.headers.range ?? ''} is not within the ${size}-byte file` })}\n`);
    return;
  }
  const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
  if (range === undefined) {
    headers['content-length'] = size;
  } else {
    headers['content-length'] = range.end - range.start;
    headers['content-range'] = `bytes ${range.start}-${range.end - 1}/${size}`;
  }
  if (size === 0 || (range !== undefined && range.end === range.start)) {
    res.writeHead(range === undefined ? 200 : 206, headers);
    res.end();
    return;
  }
  const chunks = options.node.download(cap, range)[Symbol.asyncIterator]();
  // The first segment is fetched before the headers go out, so "not found" is a clean 410.
  let next = await chunks.next();
  res.writeHead(range === undefined ? 200 : 206, headers);
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

/** Keeps an idle event stream (and the proxies on its way) from timing out. */
const EVENT_HEARTBEAT_MS = 15_000;

/** Server-sent events until the client goes away. */
function streamEvents(req: IncomingMessage, res: ServerResponse, options: ApiServerOptions): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.write('retry: 2000\n\n');
  const unsubscribe = options.node.subscribe((event) => {
    const data = event.type === 'operation' ? event.operation : {};
    res.write(`event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), EVENT_HEARTBEAT_MS);
  heartbeat.unref();
  req.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}
