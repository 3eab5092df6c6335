// The web UI's login: one-time codes traded for a session cookie, and what a session may do.
// WebSessions with a fake clock; then a real `cairn run DIR --ui` process over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSessions, sessionCookieOf } from '../src-main/frontends/web/web-sessions.js';
import { createIntroducerDirectory } from '../src-main/node/node-dir.js';
import { cairnBin } from './support/cli.js';

describe('WebSessions', () => {
  it('trades a login code once for a session', () => {
    const sessions = new WebSessions();
    const code = sessions.newLoginCode();
    const session = sessions.logIn(code);
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.isSession(session)).toBe(true);
    expect(sessions.logIn(code)).toBeUndefined();
    expect(sessions.logIn('made-up')).toBeUndefined();
    expect(sessions.isSession('made-up')).toBe(false);
    sessions.logOut(session);
    expect(sessions.isSession(session)).toBe(false);
  });

  it('lets a code expire after 15 minutes', () => {
    let now = 0;
    const sessions = new WebSessions(() => now);
    const code = sessions.newLoginCode();
    now = 15 * 60_000;
    expect(sessions.logIn(code)).toBeUndefined();
  });

  it('finds the session cookie among others', () => {
    expect(sessionCookieOf('a=1; cairn_session=abc=; b=2')).toBe('abc=');
    expect(sessionCookieOf(undefined)).toBeUndefined();
  });
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function call(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('cairn run DIR --ui', () => {
  let dir: string;
  let child: ChildProcess;
  let url: string;
  let port: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-webshell-'));
    await createIntroducerDirectory(join(dir, 'node'), { listen: '/ip4/127.0.0.1/tcp/0', nickname: 'solo', encoding: { needed: 1, happy: 1, total: 1 } });
    child = spawn(process.execPath, [cairnBin, 'run', join(dir, 'node'), '--ui'], { stdio: ['ignore', 'pipe', 'pipe'] });
    url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /^cairn: web UI (http:\S+)$/.exec(line);
        if (match !== null) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`cairn run exited with ${code}`)));
    });
    port = Number(new URL(url).port);
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a URL whose login code is in the fragment, and never logs it', async () => {
    const code = /#login=([A-Za-z0-9_-]+)$/.exec(url)![1]!;
    const logs = join(dir, 'node', 'logs');
    for (const file of await readdir(logs)) expect(await readFile(join(logs, file), 'utf8')).not.toContain(code);
  });

  it('serves the page under a strict CSP to 127.0.0.1 and localhost only', async () => {
    const page = await call(port, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    // a DNS-rebinding page reaches 127.0.0.1 under another name
    expect((await call(port, 'GET', '/', { host: `evil.example:${port}` })).status).toBe(403);
  });

  it('logs in once with the code; the session reads the API, changes it only from its own origin', async () => {
    const code = /#login=([A-Za-z0-9_-]+)$/.exec(url)![1]!;
    const origin = `http://127.0.0.1:${port}`;
    const json = { 'content-type': 'application/json' };
    expect((await call(port, 'POST', '/ui/login', { ...json, origin: 'http://evil.example' }, JSON.stringify({ code }))).status).toBe(403);
    const bad = await call(port, 'POST', '/ui/login', { ...json, origin }, 'not json');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toBe('the login request must be JSON: {"code": "…"}');

    const login = await call(port, 'POST', '/ui/login', { ...json, origin }, JSON.stringify({ code }));
    expect(login.status).toBe(204);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^cairn_session=[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=\/$/);
    const cookie = setCookie.split(';')[0]!;
    const again = await call(port, 'POST', '/ui/login', { ...json, origin }, JSON.stringify({ code }));
    expect(again.status).toBe(401);
    expect(JSON.parse(again.body).error).toMatch(/^this login link is used up or expired/);

    expect((await call(port, 'GET', '/status?t=json', { cookie })).status).toBe(200);
    expect(JSON.parse((await call(port, 'GET', '/ui/session', { cookie })).body).rootCap).toMatch(/^URI:DIR2-ED25519:/);
    // a write needs the page's own Origin (another site's form cannot make one)
    expect((await call(port, 'POST', '/uri?t=mkdir', { cookie })).status).toBe(401);
    expect((await call(port, 'POST', '/uri?t=mkdir', { cookie, origin: 'http://evil.example' })).status).toBe(401);
    expect((await call(port, 'POST', '/uri?t=mkdir', { cookie, origin })).status).toBe(200);
    expect((await call(port, 'GET', '/status?t=json', { cookie: 'cairn_session=made-up' })).status).toBe(401);
  });
});
