// The first-run web server (`cairn app DIR`) before a node exists: its session and origin
// checks, and the one-line errors of its setup API. Creating and joining a grid through it
// are in e2e/first-run.test.ts (real Chromium and real nodes).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppNode } from '../src-main/node/app-node.js';
import { FirstRunServer } from '../src-main/frontends/web/first-run-server.js';

let root: string;
let nodeDir: string;
let app: AppNode;
let server: FirstRunServer;
let base: string;
let cookie: string;

function post(path: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', body, headers: { cookie, origin: base, 'content-type': 'application/json', ...headers } });
}

async function errorOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: string }).error;
}

describe('the first-run web server before a node exists', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-first-run-server-'));
    nodeDir = join(root, 'node');
    app = await AppNode.openNodeDirectory(nodeDir);
    server = await FirstRunServer.start({ app, port: 0, listen: '/ip4/127.0.0.1/tcp/0' });
    base = `http://127.0.0.1:${server.port}`;
    const code = /#login=(.+)$/.exec(server.loginUrl())![1]!;
    const login = await fetch(`${base}/ui/login`, { method: 'POST', body: JSON.stringify({ code }), headers: { origin: base } });
    expect(login.status).toBe(204);
    cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  });

  afterAll(async () => {
    await server?.close();
    await app?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('answers only a logged-in browser, and changes only from its own page', async () => {
    expect((await fetch(`${base}/setup`)).status).toBe(401);
    const setup = await fetch(`${base}/setup`, { headers: { cookie } });
    expect(await setup.json()).toEqual({ needsSetup: true, state: 'needs-setup' });
    const foreign = await post('/setup/create-grid', JSON.stringify({ nickname: 'ann', gridName: 'friends' }), { origin: 'http://evil.example' });
    // as on a node's web UI: a session cookie from another site's page counts for nothing
    expect(foreign.status).toBe(401);
    expect(existsSync(nodeDir)).toBe(false);
  });

  it('says the node API needs a grid first', async () => {
    const status = await fetch(`${base}/status?t=json`, { headers: { cookie } });
    expect(status.status).toBe(503);
    expect(await errorOf(status)).toBe('create or join a grid first');
  });

  it('refuses bad setup requests with one line and creates nothing', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['/setup/create-grid', 'not json', 400, 'the setup request must be JSON'],
      ['/setup/create-grid', JSON.stringify({ nickname: '', gridName: 'friends' }), 400, 'the nickname'],
      ['/setup/create-grid', JSON.stringify({ nickname: 'ann', gridName: 'friends', encoding: { needed: 3, happy: 2, total: 5 } }), 400, 'happy (servers to spread over) must be a whole number from 3 to 5'],
      ['/setup/join-grid', JSON.stringify({ code: 'cairn-invite-v1:abc', passphrase: 'x', nickname: 'bob' }), 400, 'the invite code is damaged'],
      ['/setup/join-grid', JSON.stringify({ code: 'hello', passphrase: 'x', nickname: 'bob' }), 400, 'invite code'],
    ];
    for (const [path, body, status, message] of cases) {
      const response = await post(path, body);
      expect(response.status).toBe(status);
      const error = await errorOf(response);
      expect(error).toContain(message);
      expect(error).not.toContain('\n');
    }
    expect(existsSync(nodeDir)).toBe(false);
    expect(app.state).toBe('needs-setup');
  });
});
