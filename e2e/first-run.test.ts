// First run in the browser: a friend with no node yet runs `cairn app DIR` (node-less mode),
// opens the URL it prints in Debian's Chromium, pastes the invite code a member made in its
// own web UI, and joins the grid without restarting anything. A wrong passphrase says so and
// creates nothing. Real `cairn` processes on 127.0.0.1: an introducer and 2 storage nodes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairn, cairnBin } from '../test/support/cli.js';
import { GridHarness, type NodeProcess } from '../test/support/grid-processes.js';
import { rootCapOf, uriPath, webApiOf, type WebApi } from '../test/support/web-api.js';
import { chromiumPresent, launchChromium, screenshot, screenshotDir } from './support/chromium.js';

const present = chromiumPresent();
if (!present) console.log('first-run e2e skipped: no Chromium at /usr/bin/chromium (apt-get install chromium, or set CAIRN_CHROMIUM)');

let grid: GridHarness;
let node0: NodeProcess;
let api: WebApi;
let browser: Browser;
let memberPage: Page;
let friendPage: Page;
let shots: string;
let friendRoot: string;
let friendDir: string;
let friendApp: ChildProcess | undefined;
let invite: { code: string; passphrase: string };

/** Starts `cairn app DIR` and resolves with the web UI URL it prints. */
function startApp(dir: string): Promise<string> {
  const child = spawn(process.execPath, [cairnBin, 'app', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--fast-timers'], { stdio: ['ignore', 'pipe', 'pipe'] });
  friendApp = child;
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /web UI (http:\/\/\S+)/.exec(stdout);
      if (match !== null) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`cairn app exited (${code}): ${stdout}${stderr}`)));
  });
}

async function show(page: Page, screen: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
  await expect.poll(() => page.locator('#screen-title').textContent()).toBe(screen);
}

describe.skipIf(!present)('first run in the browser: joining a grid by invite', () => {
  beforeAll(async () => {
    grid = await GridHarness.create(2, { needed: 2, happy: 3, total: 3 });
    await grid.startAll();
    node0 = grid.storageNodes[0]!;
    await grid.waitForServers(node0, 3, cairn);
    api = await webApiOf(node0);
    const put = await api.call('PUT', uriPath(await rootCapOf(node0), 'hello.txt'), { body: 'shared by node-0\n' });
    expect(put.status).toBeLessThan(300);
    shots = await screenshotDir('first-run');
    browser = await launchChromium();
    memberPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    friendPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    friendRoot = await mkdtemp(join(tmpdir(), 'cairn-firstrun-'));
    friendDir = join(friendRoot, 'node');
  });

  afterAll(async () => {
    await browser?.close();
    if (friendApp !== undefined && friendApp.exitCode === null) {
      const exited = new Promise((resolve) => friendApp!.once('exit', resolve));
      friendApp.kill('SIGTERM');
      await exited;
    }
    await grid?.destroy();
    if (friendRoot !== undefined) await rm(friendRoot, { recursive: true, force: true });
  });

  it('makes an invite in a member node’s web UI', async () => {
    const response = await api.call('POST', '/ui/login-code');
    await memberPage.goto(((await response.json()) as { url: string }).url);
    await show(memberPage, 'First run');
    await memberPage.getByRole('button', { name: 'Create an invite' }).click();
    await expect.poll(() => memberPage.getByTestId('invite-code').inputValue(), { timeout: 30_000 }).toMatch(/^cairn-invite-v1:/);
    invite = { code: await memberPage.getByTestId('invite-code').inputValue(), passphrase: (await memberPage.getByTestId('invite-passphrase').textContent())!.trim() };
    expect(invite.passphrase).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
  });

  it('serves the first-run screen from a folder with no node, behind the same login', async () => {
    const url = await startApp(friendDir);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#login=[A-Za-z0-9_-]+$/);
    const base = new URL(url).origin;
    // no session: neither the setup API nor anything else answers
    expect((await fetch(`${base}/setup`)).status).toBe(401);
    expect((await fetch(`${base}/setup/join-grid`, { method: 'POST', body: '{}' })).status).toBe(401);
    await friendPage.goto(url);
    await expect.poll(() => friendPage.url()).not.toContain('login=');
    await expect.poll(() => friendPage.locator('#screen-title').textContent()).toBe('Welcome to Cairn');
    expect(await friendPage.getByRole('navigation', { name: 'Screens' }).isVisible()).toBe(false);
    await screenshot(friendPage, shots, 'first-run-join');
    await friendPage.getByRole('button', { name: 'Create a new grid' }).click();
    await screenshot(friendPage, shots, 'first-run-create');
    await friendPage.getByRole('button', { name: 'Join a grid' }).click();
  });

  it('refuses malformed setup requests with one line, creating nothing', async () => {
    const answer = await friendPage.evaluate(async () => {
      const response = await fetch('/setup/join-grid', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'cairn-invite-v1:zz', passphrase: 'abcd', nickname: 'friend', extra: 1 }) });
      return { status: response.status, body: (await response.json()) as { error: string } };
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('the join request has an unknown field "extra"');
    expect(existsSync(friendDir)).toBe(false);
  });

  it('says a wrong passphrase is wrong, and creates nothing', async () => {
    await friendPage.getByLabel('Your nickname').fill('friend');
    await friendPage.getByLabel('Invite code').fill(invite.code);
    await friendPage.getByLabel('Passphrase').fill('aaaa-bbbb-cccc');
    await friendPage.getByRole('button', { name: 'Join the grid' }).click();
    await expect.poll(() => friendPage.getByRole('alert').textContent(), { timeout: 30_000 }).toContain('the passphrase does not open this invite code (wrong passphrase?)');
    await screenshot(friendPage, shots, 'first-run-wrong-passphrase');
    expect(existsSync(join(friendDir, 'cairn.json'))).toBe(false);
    expect(existsSync(friendDir)).toBe(false);
  });

  it('joins with the right passphrase, reaches Status, sees the grid’s servers and the shared files', async () => {
    await friendPage.getByLabel('Passphrase').fill(invite.passphrase);
    await friendPage.getByRole('button', { name: 'Join the grid' }).click();
    await expect.poll(() => friendPage.locator('#screen-title').textContent(), { timeout: 60_000 }).toBe('Status');
    expect(existsSync(join(friendDir, 'cairn.json'))).toBe(true);
    // the introducer, node-0, node-1 and this computer
    await expect.poll(() => friendPage.getByTestId('peers-connected').textContent(), { timeout: 30_000 }).toBe('4 of 4');
    await screenshot(friendPage, shots, 'first-run-joined-status');
    await show(friendPage, 'Peers');
    await expect.poll(() => friendPage.locator('tr[data-peer][data-connected="true"]').count()).toBe(4);
    expect(await friendPage.locator('tr[data-peer="friend"]').textContent()).toContain('this computer');
    await show(friendPage, 'Files');
    await expect.poll(() => friendPage.locator('tr[data-path="hello.txt"]').count(), { timeout: 15_000 }).toBe(1);
    await screenshot(friendPage, shots, 'first-run-joined-files');
  });
});
