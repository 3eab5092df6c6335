// The web UI: the renderer bundle (dist/renderer/) served at "/" under a strict CSP, and the
// login that gives a browser a session (web-sessions.ts). Requests with the session cookie
// may then use the whole web API, as the Bearer token does.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatCap } from '../../../src-shared/caps/index.js';
import { DEFAULT_ALIAS, readAliases } from '../../node/aliases.js';
import { HttpError } from './http-errors.js';
import { readSmallBody } from './request-body.js';
import { sendJson } from './uri-routes.js';
import { SESSION_COOKIE, WebSessions, sessionCookieOf } from './web-sessions.js';

/** Scripts, styles, fonts and pictures only from Cairn itself; no inline script, no eval. The desktop app uses it too. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

/** Where `npm run build:renderer` puts the bundle, from dist/src-main/frontends/web/. */
const BUNDLE_DIR = new URL('../../../renderer/', import.meta.url);

export interface WebShellOptions {
  readonly nodeDir: string;
  readonly port: number;
  readonly bundleDir?: URL;
}

export class WebShell {
  readonly sessions = new WebSessions();

  constructor(private readonly options: WebShellOptions) {}

  /** The URL to open in a browser, with a fresh one-time login code in its fragment. */
  loginUrl(): string {
    return `http://127.0.0.1:${this.options.port}/#login=${this.sessions.newLoginCode()}`;
  }

  /** Whether the request carries a live session (and, when it changes something, comes from our own page). */
  authorized(req: IncomingMessage): boolean {
    if (!this.sessions.isSession(sessionCookieOf(req.headers.cookie))) return false;
    if (req.method === 'GET' || req.method === 'HEAD') return true;
    return req.headers.origin === `http://${req.headers.host}` && this.#hostIsLocal(req);
  }

  /**
   * Serves the shell's own paths; false for any other request. `tokenValid` says whether
   * the request carried the API token (only that may make a login code).
   */
  async handle(req: IncomingMessage, res: ServerResponse, tokenValid: boolean): Promise<boolean> {
    const path = (req.url ?? '/').split('?')[0]!;
    const file = STATIC_FILES[path];
    if (file !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      if (!this.#hostIsLocal(req)) throw new HttpError(403, 'the web UI answers only at 127.0.0.1 or localhost');
      await this.#sendStatic(res, file.file, file.type, req.method === 'HEAD');
      return true;
    }
    if (path === '/ui/login-code' && req.method === 'POST') {
      if (!tokenValid) throw new HttpError(401, 'making a login code needs the API token (Authorization: Bearer <DIR/private/api_auth_token>)');
      const url = this.loginUrl();
      sendJson(res, 200, { url });
      return true;
    }
    if (path === '/ui/login' && req.method === 'POST') {
      if (!this.#hostIsLocal(req) || req.headers.origin !== `http://${req.headers.host}`) throw new HttpError(403, 'log in from the web UI page itself');
      const code = this.#codeOf(await readSmallBody(req, 1024, 'the login request'));
      const session = this.sessions.logIn(code);
      if (session === undefined) throw new HttpError(401, 'this login link is used up or expired: run "cairn run DIR --ui" or "cairn ui-url" for a new one');
      res.writeHead(204, { 'set-cookie': `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' });
      res.end();
      return true;
    }
    if (path === '/ui/logout' && req.method === 'POST') {
      this.sessions.logOut(sessionCookieOf(req.headers.cookie));
      res.writeHead(204, { 'set-cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0` });
      res.end();
      return true;
    }
    if (path === '/ui/session' && req.method === 'GET') {
      if (!this.authorized(req) && !tokenValid) throw new HttpError(401, 'not logged in: open the URL that "cairn run DIR --ui" printed');
      const aliases = await readAliases(this.options.nodeDir);
      const root = aliases.get(DEFAULT_ALIAS);
      // The browser holds the caps as it holds the session: both give the same access.
      sendJson(res, 200, { rootCap: root === undefined ? undefined : formatCap(root), aliases: Object.fromEntries([...aliases].map(([name, cap]) => [name, formatCap(cap)])) });
      return true;
    }
    return false;
  }

  #hostIsLocal(req: IncomingMessage): boolean {
    const host = req.headers.host ?? '';
    return host === `127.0.0.1:${this.options.port}` || host === `localhost:${this.options.port}`;
  }

  #codeOf(body: Uint8Array): string {
    try {
      const parsed = JSON.parse(new TextDecoder().decode(body)) as { code?: unknown };
      if (typeof parsed.code === 'string') return parsed.code;
    } catch {
      // answered below
    }
    throw new HttpError(400, 'the login request must be JSON: {"code": "…"}');
  }

  async #sendStatic(res: ServerResponse, name: string, type: string, headOnly: boolean): Promise<void> {
    let body: Buffer;
    try {
      body = await readFile(new URL(name, this.options.bundleDir ?? BUNDLE_DIR));
    } catch {
      throw new HttpError(404, 'the web UI is not built: run "npm run build" in the repository');
    }
    res.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    });
    res.end(headOnly ? undefined : body);
  }
}
