import { timingSafeEqual } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ClientGoneError } from './client-gone.js';
import { httpStatusOf } from './error-status.js';
import { HttpError } from './http-errors.js';
import type { NodeApi } from './node-api.js';
import { handleUri, sendJson } from './uri-routes.js';
import { BACKUP_JOBS_PATH, handleBackupJobs } from './backup-job-routes.js';
import { handleBackupRoute } from './backup-routes.js';
import type { WebShell } from './web-shell.js';
import { SETTINGS_PATHS, handleSettings } from './settings-routes.js';

export interface ApiServerOptions {
  readonly port: number;
  readonly token: string;
  readonly node: NodeApi;
  /** where request bodies are spooled before upload (convergent keys read a file twice) */
  readonly spoolDir: string;
  readonly log?: (message: string) => void;
  /** largest upload accepted, bytes (default 1 TiB) */
  readonly maxUploadBytes?: number;
  /** the web UI at "/" and its browser sessions (which may then use the API as the token does) */
  readonly webShell?: WebShell;
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/**
 * The node's localhost web API (Tahoe's webapi shape where it fits). Every request needs
 * `Authorization: Bearer <DIR/private/api_auth_token>`.
 *   /uri…                         files, directories and mutable files (uri-routes.ts, README)
 *   GET  /status?t=json           grid, peers, storage and operations in progress, as JSON
 *   GET  /statistics?t=json       totals since the node started, as JSON
 *   GET  /events                  server-sent events: "operation" (start, progress, end) and "status" (changed)
 *   /backup-jobs…                 backup jobs: list, add, remove, run, pause, resume (backup-job-routes.ts)
 *   POST /backup, POST /restore   run a backup or restore; JSON-lines progress, then the summary (backup-routes.ts)
 *   POST /invite                  a fresh invite code and its passphrase, as JSON { code, passphrase }
 *   GET|PATCH /settings, GET /debug-log   nickname, reserved space, encoding; the redacted log (settings-routes.ts)
 */
export async function startApiServer(options: ApiServerOptions): Promise<Server> {
  await mkdir(options.spoolDir, { recursive: true, mode: 0o700 });
  const server = createServer((req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      // a request its client gave up on (the web UI's Cancel) was stopped on purpose; no one hears the answer
      if (error instanceof ClientGoneError) return void res.destroy();
      const status = httpStatusOf(error);
      if (status === 500) options.log?.(`web API: ${req.method} ${req.url?.split('?')[0]?.replace(/\/uri\/.*/, '/uri/…')} failed: ${(error as Error).stack ?? error}`);
      if (res.headersSent) res.destroy(error as Error);
      else sendJson(res, status, { error: (error as Error).message });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? portInUse(options.port) : error));
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return server;
}

function portInUse(port: number): Error {
  return new Error(
    `the web API cannot listen on 127.0.0.1:${port}: the port is in use (by another program, or by this node already running); ` +
      `stop that, or give this node another port in "web.port" of its cairn.json`,
  );
}

async function handle(req: IncomingMessage, res: ServerResponse, options: ApiServerOptions): Promise<void> {
  const tokenValid = authorized(req, options.token);
  if (options.webShell !== undefined && (await options.webShell.handle(req, res, tokenValid))) return;
  if (!tokenValid && options.webShell?.authorized(req) !== true) throw new HttpError(401, 'missing or wrong API token (send "Authorization: Bearer <DIR/private/api_auth_token>")');
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  // The raw path, not url.pathname: URL resolves "." and ".." segments away, and a child
  // named ".." must be refused, not turned into a request on the parent.
  const rawPath = (req.url ?? '/').split('?')[0]!;
  if (rawPath === '/uri' || rawPath.startsWith('/uri/')) {
    return handleUri(req, res, rawPath, url, { node: options.node, spoolDir: options.spoolDir, maxUploadBytes: options.maxUploadBytes ?? 2 ** 40 });
  }
  if (req.method === 'GET' && url.pathname === '/status') return sendJson(res, 200, await options.node.status());
  if (req.method === 'GET' && url.pathname === '/statistics') return sendJson(res, 200, await options.node.statistics());
  if (req.method === 'GET' && url.pathname === '/events') return streamEvents(req, res, options);
  if (url.pathname === BACKUP_JOBS_PATH || url.pathname.startsWith(`${BACKUP_JOBS_PATH}/`)) return handleBackupJobs(req, res, url, options.node);
  if (url.pathname === '/backup' || url.pathname === '/restore') return handleBackupRoute(req, res, url.pathname === '/backup' ? 'backup' : 'restore', options.node);
  if (req.method === 'POST' && url.pathname === '/invite') return sendJson(res, 200, await options.node.createInvite());
  if (SETTINGS_PATHS.includes(url.pathname)) return handleSettings(req, res, url.pathname, options.node);
  throw new HttpError(404, `no such API: ${req.method} ${url.pathname}`);
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
