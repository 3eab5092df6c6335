// The web UI before a node exists (`cairn app DIR`, `npm start` on a fresh machine). It serves
// the renderer bundle with the same login-code → session security as a node's web UI, and the
// setup API the browser's first-run screen uses. Once the grid is created or joined, the node
// runs in this process and every other request is forwarded to its web API, so the browser
// keeps its page and session.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../../../src-shared/ipc/input-errors.js';
import { validateCreateGridRequest, validateJoinRequest } from '../../../src-shared/ipc/validators.js';
import { InviteCodeError } from '../../../src-shared/invite/invite-code.js';
import { SetupError, type AppNode } from '../../node/app-node.js';
import { HttpError } from './http-errors.js';
import { forwardToNode } from './node-proxy.js';
import { readSmallBody } from './request-body.js';
import { sendJson } from './uri-routes.js';
import { WebShell } from './web-shell.js';

export interface FirstRunServerOptions {
  readonly app: AppNode;
  /** 0 for any free port */
  readonly port: number;
  /** where the new node listens for the grid (default: all interfaces) */
  readonly listen?: string;
  readonly bundleDir?: URL;
  readonly log?: (message: string) => void;
}

/**
 *   GET  /setup                { needsSetup, state }
 *   POST /setup/create-grid    { nickname, gridName, encoding?: { needed, happy, total } }
 *   POST /setup/join-grid      { code, passphrase, nickname }
 * All need the browser's session (and, as POSTs, its own page's origin).
 */
export class FirstRunServer {
  private constructor(
    private readonly server: Server,
    readonly shell: WebShell,
  ) {}

  static async start(options: FirstRunServerOptions): Promise<FirstRunServer> {
    // the shell needs the port, known once the server listens
    const made: { shell?: WebShell } = {};
    const server = createServer((req, res) => {
      handle(req, res, made.shell!, options).catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        if (status === 500) options.log?.(`first-run web UI: ${req.method} ${req.url?.split('?')[0]} failed: ${(error as Error).message}`);
        if (res.headersSent) res.destroy();
        else sendJson(res, status, { error: (error as Error).message });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const shell = (made.shell = new WebShell({ nodeDir: options.app.nodeDir, port, ...(options.bundleDir === undefined ? {} : { bundleDir: options.bundleDir }) }));
    return new FirstRunServer(server, shell);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The URL to open, with a fresh one-time login code. */
  loginUrl(): string {
    return this.shell.loginUrl();
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, shell: WebShell, options: FirstRunServerOptions): Promise<void> {
  if (await shell.handle(req, res, false)) return;
  if (!shell.authorized(req)) throw new HttpError(401, 'not logged in: open the URL that "cairn app DIR" printed');
  const path = (req.url ?? '/').split('?')[0]!;
  const app = options.app;
  if (path === '/setup' && req.method === 'GET') return sendJson(res, 200, { needsSetup: app.state === 'needs-setup', state: app.state });
  if (path === '/setup/create-grid' && req.method === 'POST') {
    const request = await readRequest(req, validateCreateGridRequest);
    await setUp(() => app.createGrid({ nickname: request.nickname, gridName: request.gridName, ...(request.encoding === undefined ? {} : { encoding: request.encoding }), ...listenOf(options) }));
    return sendJson(res, 200, { needsSetup: false, state: app.state });
  }
  if (path === '/setup/join-grid' && req.method === 'POST') {
    const request = await readRequest(req, validateJoinRequest);
    await setUp(() => app.joinGrid({ ...request, ...listenOf(options) }));
    return sendJson(res, 200, { needsSetup: false, state: app.state });
  }
  const service = app.service;
  if (service === undefined) throw new HttpError(503, app.state === 'needs-setup' ? 'create or join a grid first' : `the node is ${app.state}`);
  await forwardToNode(req, res, service.node.config.web.port, service.node.apiToken);
}

function listenOf(options: FirstRunServerOptions): { listen?: string } {
  return options.listen === undefined ? {} : { listen: options.listen };
}

async function readRequest<T>(req: IncomingMessage, validate: (value: unknown) => T): Promise<T> {
  if (req.headers.origin !== `http://${req.headers.host}`) throw new HttpError(403, 'set up from the web UI page itself');
  const body = new TextDecoder().decode(await readSmallBody(req, 64 * 1024, 'the setup request'));
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'the setup request must be JSON');
  }
  try {
    return validate(value);
  } catch (error) {
    if (error instanceof InputError) throw new HttpError(400, error.message);
    throw error;
  }
}

/** What the user got wrong (a passphrase, a damaged code, a second setup) is 400/409, not 500. */
async function setUp(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof SetupError) throw new HttpError(409, error.message);
    if (error instanceof InviteCodeError) throw new HttpError(400, error.message);
    throw error;
  }
}
