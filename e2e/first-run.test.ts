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
import { cairnBin } from '../test/support/cli.js';
import type { GridHarness, NodeProcess } from '../test/support/grid-processes.js';
import { rootCapOf, uriPath, type WebApi } from '../test/support/web-api.js';
import { chromiumOrSkipNote, launchChromium, screenshot, screenshotDir } from './support/chromium.js';
import { loginUrl, showScreen, startUiGrid } from './support/ui-grid.js';

const present = chromiumOrSkipNote('first-run');

let grid: GridHarness;
let node0: NodeProcess;
let api: WebApi;
let browser: Browser;
let memberPage: Page;
let friendPage: Page;
let shots: string;
let friendRoot: string;
let friendDir: string;
const apps: ChildProcess[] = [];
let invite: { code: string; passphrase: string };

/** Starts `cairn app DIR` and resolves with the web UI URL it prints. */
function startApp(dir: string): Promise<string> {
  const child = spawn(process.execPath, [cairnBin, 'app', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--fast-timers'], { stdio: ['ignore', 'pipe', 'pipe'] });
  apps.push(child);
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

/** Stops the `cairn app` processes still running (SIGTERM: the node stops cleanly). */
async function stopApps(): Promise<void> {
  await Promise.all(
    apps
      .filter((child) => child.exitCode === null)
      .map((child) => {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        return exited;
      }),
  );
}

describe.skipIf(!present)('first run in the browser: joining a grid by invite', () => {
  beforeAll(async () => {
    ({ grid, node0, api } = await startUiGrid(2, { needed: 2, happy: 3, total: 3 }));
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
    await stopApps();
    await grid?.destroy();
    if (friendRoot !== undefined) await rm(friendRoot, { recursive: true, force: true });
  });

  it('makes an invite in a member node’s web UI', async () => {
    await memberPage.goto(await loginUrl(api));
    await showScreen(memberPage, 'First run');
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
    await showScreen(friendPage, 'Peers');
    await expect.poll(() => friendPage.locator('tr[data-peer][data-connected="true"]').count()).toBe(4);
    expect(await friendPage.locator('tr[data-peer="friend"]').textContent()).toContain('this computer');
    await showScreen(friendPage, 'Files');
    await expect.poll(() => friendPage.locator('tr[data-path="hello.txt"]').count(), { timeout: 15_000 }).toBe(1);
    await screenshot(friendPage, shots, 'first-run-joined-files');
  });
});

describe.skipIf(!present)('first run in the browser: creating a new grid', () => {
  let root: string;
  let dir: string;
  let page: Page;
  let ownBrowser: Browser;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-firstrun-create-'));
    dir = join(root, 'node');
    ownBrowser = await launchChromium();
    shots = await screenshotDir('first-run');
    page = await (await ownBrowser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  });

  afterAll(async () => {
    await ownBrowser?.close();
    await stopApps();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('refuses an impossible encoding with one line, then creates the grid and reaches Status', async () => {
    await page.goto(await startApp(dir));
    await expect.poll(() => page.locator('#screen-title').textContent()).toBe('Welcome to Cairn');
    await page.getByRole('button', { name: 'Create a new grid' }).click();
    await page.getByLabel('Your nickname').fill('alice');
    await page.getByLabel('Grid name').fill('friends');
    await page.getByLabel('K needed').fill('4');
    await page.getByLabel('happy').fill('2');
    await page.getByLabel('N total').fill('3');
    await page.getByRole('button', { name: 'Create the grid' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('K (shares needed) must be a whole number from 1 to 3');
    expect(existsSync(dir)).toBe(false);

    await page.getByLabel('K needed').fill('1');
    await page.getByLabel('happy').fill('1');
    await page.getByLabel('N total').fill('2');
    await page.getByRole('button', { name: 'Create the grid' }).click();
    await expect.poll(() => page.locator('#screen-title').textContent(), { timeout: 60_000 }).toBe('Status');
    expect(existsSync(join(dir, 'cairn.json'))).toBe(true);
    // the node's own API, through the same page and session
    const status = await page.evaluate(async () => (await fetch('/status?t=json')).json() as Promise<{ gridName?: string; encoding: unknown }>);
    expect(status.gridName).toBe('friends');
    expect(status.encoding).toEqual({ needed: 1, happy: 1, total: 2 });
    // set up once only
    const again = await page.evaluate(async () => {
      const response = await fetch('/setup/create-grid', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nickname: 'mallory', gridName: 'other' }) });
      return { status: response.status, body: (await response.json()) as { error: string } };
    });
    expect(again).toEqual({ status: 409, body: { error: 'this app already has a node' } });
    await screenshot(page, shots, 'first-run-created-status');
  });
});
