// The web UI in Debian's Chromium against a real grid: an introducer and 4 storage nodes
// (5 servers, encoding 3/5/6), each a `cairn run` process on 127.0.0.1. The browser logs in
// to node-0 with a one-time code, drops a file, downloads it back, then sees 2 nodes stop.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GridHarness } from '../test/support/grid-processes.js';
import type { WebApi } from '../test/support/web-api.js';
import { chromiumOrSkipNote, launchChromium, screenshot, screenshotDir } from './support/chromium.js';
import { loginUrl, showScreen, startUiGrid } from './support/ui-grid.js';

const present = chromiumOrSkipNote('web UI');

let grid: GridHarness;
let api: WebApi;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let shots: string;
const temporary: string[] = [];

interface PageHelpers {
  drop(selector: string, files: { name: string; base64: string }[]): void;
  watchUpload(name: string): void;
  seen: string[];
  clipboard(): Promise<string>;
}

/** Drops files on `selector` the way a browser does (e2e/support/page-helpers.js). */
async function dropFiles(selector: string, files: { name: string; bytes: Buffer }[]): Promise<void> {
  const encoded = files.map(({ name, bytes }) => ({ name, base64: bytes.toString('base64') }));
  await page.evaluate(([selector, files]) => (globalThis as unknown as { cairnTest: PageHelpers }).cairnTest.drop(selector, files), [selector, encoded] as const);
}

describe.skipIf(!present)('the web UI against a grid of 5 nodes', () => {
  beforeAll(async () => {
    ({ grid, api } = await startUiGrid(4, { needed: 3, happy: 5, total: 6 }));
    shots = await screenshotDir('web-ui');
    browser = await launchChromium();
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await context.addInitScript({ path: join(dirname(fileURLToPath(import.meta.url)), 'support', 'page-helpers.js') });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await grid?.destroy();
    await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('serves the UI under a strict CSP, and the API only with a token or a session', async () => {
    const shell = await fetch(`${api.base}/`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect((await fetch(`${api.base}/status?t=json`)).status).toBe(401);
    expect((await fetch(`${api.base}/ui/login-code`, { method: 'POST' })).status).toBe(401);
  });

  it('logs in with the one-time link, which then works no more', async () => {
    const url = await loginUrl(api);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#login=[A-Za-z0-9_-]+$/);
    await page.goto(url);
    // the code leaves the address bar at once
    await expect.poll(() => page.url()).not.toContain('login=');
    await expect.poll(() => page.getByTestId('health-headline').textContent()).toBe('Safe even if 2 friends are offline');

    const other = await browser.newPage();
    await other.goto(url);
    await expect.poll(() => other.locator('#root').textContent()).toMatch(/login link is used up or expired/);
    await other.close();
  });

  it('shows 5 peers and a healthy grid on the Status and Peers screens', async () => {
    await showScreen(page, 'Status');
    await expect.poll(() => page.locator('.health-card [data-health]').getAttribute('data-health')).toBe('healthy');
    expect(await page.getByTestId('peers-connected').textContent()).toBe('5 of 5');
    expect(await page.locator('[data-tray]').getAttribute('data-tray')).toBe('healthy');
    await screenshot(page, shots, 'status-healthy');

    await showScreen(page, 'Peers');
    const rows = page.locator('tr[data-peer]');
    await expect.poll(() => rows.count()).toBe(5);
    expect(await page.locator('tr[data-peer][data-connected="true"]').count()).toBe(5);
    expect(await page.locator('tr[data-peer="node-0"]').textContent()).toContain('this computer');
    await screenshot(page, shots, 'peers-healthy');
  });

  it('uploads a dropped file with progress; it appears in the tree and downloads byte for byte', async () => {
    await showScreen(page, 'Files');
    await expect.poll(() => page.getByText('This folder is empty').count()).toBe(1);
    await screenshot(page, shots, 'files-empty');

    const data = randomBytes(3 * 1024 * 1024 + 17);
    await page.evaluate(() => (globalThis as unknown as { cairnTest: PageHelpers }).cairnTest.watchUpload('photo.bin'));
    await dropFiles('[data-testid="drop-zone"]', [{ name: 'photo.bin', bytes: data }]);
    await expect.poll(() => page.locator('[data-upload="photo.bin"]').getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    const seen = await page.evaluate(() => (globalThis as unknown as { cairnTest: PageHelpers }).cairnTest.seen);
    console.log('upload states seen:', seen.join(' '));
    expect(seen.at(-1)).toBe('done:100');
    expect(seen.some((entry) => entry.startsWith('sending:') || entry.startsWith('storing:'))).toBe(true);
    expect(seen.indexOf('done:100')).toBeGreaterThan(0);

    const row = page.locator('tr[data-path="photo.bin"]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('3.0 MiB');
    await screenshot(page, shots, 'files-uploaded');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download photo.bin' }).click()]);
    expect(download.suggestedFilename()).toBe('photo.bin');
    const saved = await readFile((await download.path())!);
    expect(saved.equals(data)).toBe(true);
  });

  it('makes a folder, refuses a bad name with one line, and uploads a file dropped on the folder', async () => {
    // keyboard: the dialog takes the focus, keeps Tab inside, and Escape gives the focus back
    await page.getByRole('button', { name: 'New folder' }).click();
    const dialog = page.getByRole('dialog', { name: 'New folder' });
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { tagName: string } } }).document.activeElement.tagName)).toBe('INPUT');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    expect(await dialog.locator(':focus').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await page.getByRole('button', { name: 'New folder' }).evaluate((button) => button === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
    await page.getByRole('button', { name: 'New folder' }).click();
    await dialog.getByRole('textbox').fill('a/b');
    await dialog.getByRole('button', { name: 'Make folder' }).click();
    expect(await dialog.getByRole('alert').textContent()).toBe('the name "a/b" cannot contain "/"');
    await screenshot(page, shots, 'files-new-folder-error');
    await dialog.getByRole('textbox').fill('Holiday');
    await dialog.getByRole('button', { name: 'Make folder' }).click();
    const folder = page.locator('tr[data-path="Holiday"]');
    await expect.poll(() => folder.count()).toBe(1);
    expect(await page.locator('tr[data-path]').count()).toBe(2);

    await dropFiles('tr[data-path="Holiday"]', [{ name: 'note.txt', bytes: Buffer.from('hello from the drop\n') }]);
    await expect.poll(() => page.locator('[data-upload="note.txt"]').getAttribute('data-state')).toBe('done');
    await page.getByRole('button', { name: 'Expand Holiday' }).click();
    await expect.poll(() => page.locator('tr[data-path="Holiday/note.txt"]').count()).toBe(1);
    await screenshot(page, shots, 'files-tree');

    // keyboard: Enter on the folder's row opens it; the breadcrumbs follow
    await folder.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('navigation', { name: 'Breadcrumbs' }).textContent()).toBe('cairn:Holiday');
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('button', { name: 'cairn:' }).click();
  });

  it('renames, shares, copies the read-only cap of, and deletes entries', async () => {
    await page.getByRole('button', { name: 'Rename photo.bin' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename photo.bin' });
    await rename.getByRole('textbox').fill('Holiday');
    await rename.getByRole('button', { name: 'Rename' }).click();
    // a name that exists already: one line, and nothing changes
    await expect.poll(() => rename.getByRole('alert').textContent()).toMatch(/already has a child named "Holiday"/);
    await screenshot(page, shots, 'files-rename-error');
    expect(await page.locator('tr[data-path="photo.bin"]').count()).toBe(1);
    await rename.getByRole('textbox').fill('beach.bin');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => page.locator('tr[data-path="beach.bin"]').count()).toBe(1);
    expect(await page.locator('tr[data-path="photo.bin"]').count()).toBe(0);

    await page.getByRole('button', { name: 'Share beach.bin' }).click();
    const share = page.getByRole('dialog', { name: 'Share beach.bin' });
    const link = await share.getByRole('textbox').inputValue();
    expect(link).toMatch(/^cairn:open\?cap=URI%3ACHK%3A.+&name=beach.bin$/);
    await screenshot(page, shots, 'files-share');
    await share.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Copy read-only cap of beach.bin' }).click();
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { cairnTest: PageHelpers }).cairnTest.clipboard())).toBe(decodeURIComponent(/cap=([^&]+)/.exec(link)![1]!));

    // keyboard: Delete on a focused row asks first
    await page.locator('tr[data-path="Holiday/note.txt"]').focus();
    await page.keyboard.press('Delete');
    const confirm = page.getByRole('dialog', { name: 'Delete note.txt?' });
    await screenshot(page, shots, 'files-delete-confirm');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator('tr[data-path="Holiday/note.txt"]').count()).toBe(0);
    await expect.poll(() => page.getByText('Empty folder').count()).toBe(1);
  });

  it('adds a backup job, runs it, shows its snapshot and restores one file from it', async () => {
    const source = await mkdtemp(join(tmpdir(), 'cairn-e2e-source-'));
    const restored = await mkdtemp(join(tmpdir(), 'cairn-e2e-restored-'));
    temporary.push(source, restored);
    const report = randomBytes(70_000);
    await mkdir(join(source, 'reports'));
    await writeFile(join(source, 'reports', '2024.pdf'), report);
    await writeFile(join(source, 'notes.txt'), 'remember the milk\n');

    await showScreen(page, 'Backups');
    await expect.poll(() => page.getByText('No folder is backed up yet').count()).toBe(1);
    await page.getByRole('button', { name: 'Add folder' }).click();
    const add = page.getByRole('dialog', { name: 'Back up a folder' });
    await add.getByLabel('Name').fill('my docs');
    await add.getByLabel('Folder on this computer').fill(source);
    await add.getByRole('button', { name: 'Add backup' }).click();
    expect(await add.getByRole('alert').textContent()).toMatch(/job name "my docs" must be/);
    await add.getByLabel('Name').fill('docs');
    // daily at a time: not due at once (a job run every few hours is), so "Back up now" runs it
    await add.getByRole('radio', { name: 'Daily at a time' }).check();
    await add.getByLabel('time of day').fill('03:30');
    await screenshot(page, shots, 'backups-add');
    await add.getByRole('button', { name: 'Add backup' }).click();
    // the dialog closes; if it does not, the failure names its alert
    await expect.poll(async () => ((await add.count()) === 0 ? 'closed' : await add.getByRole('alert').textContent({ timeout: 1000 }).catch(() => 'open'))).toBe('closed');
    const job = page.locator('[data-job="docs"]');
    await expect.poll(() => job.count()).toBe(1);
    expect(await job.textContent()).toContain('cairn:backups/docs');
    expect(await job.textContent()).toContain('daily at 03:30');
    expect(await job.getByTestId('last-run').textContent()).toBe('never');

    await job.getByRole('button', { name: 'Back up now' }).click();
    await expect.poll(() => job.locator('.badge').textContent(), { timeout: 60_000 }).toBe('Last run OK');
    await job.getByRole('button', { name: 'Snapshots' }).click();
    await screenshot(page, shots, 'backups-ran');
    const snapshot = job.locator('[data-snapshot]');
    await expect.poll(() => snapshot.count()).toBe(1);
    const name = (await snapshot.getAttribute('data-snapshot'))!;
    expect(name).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    await screenshot(page, shots, 'backups-snapshot');

    await job.getByRole('button', { name: `Restore from ${name}` }).click();
    const restore = page.getByRole('dialog', { name: `Restore from ${name}` });
    await restore.getByLabel('File or folder in the snapshot (empty: all of it)').fill('reports/2024.pdf');
    await restore.getByLabel('Restore to (a new or empty folder, or a file\'s new path)').fill(restored);
    await screenshot(page, shots, 'backups-restore');
    await restore.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => restore.count(), { timeout: 30_000 }).toBe(0);
    expect((await readFile(join(restored, '2024.pdf'))).equals(report)).toBe(true);
    expect(await readdir(restored)).toEqual(['2024.pdf']);
  });

  it('turns degraded when 2 nodes stop, shows them offline, and shows a failed upload', async () => {
    const [, , node2, node3] = grid.storageNodes;
    await Promise.all([grid.stop(node2!), grid.stop(node3!)]);
    await showScreen(page, 'Status');
    await expect.poll(() => page.locator('.health-card [data-health]').getAttribute('data-health'), { timeout: 30_000 }).toBe('degraded');
    expect(await page.getByTestId('health-headline').textContent()).toBe('Degraded: 3 of 5 computers reachable');
    expect(await page.locator('[data-tray]').getAttribute('data-tray')).toBe('degraded');
    await screenshot(page, shots, 'status-degraded');

    await showScreen(page, 'Peers');
    await expect.poll(() => page.locator('tr[data-peer][data-connected="false"]').count()).toBe(2);
    expect(await page.locator('tr[data-peer="node-2"]').textContent()).toContain('Offline');
    expect(await page.locator('tr[data-peer="node-3"]').textContent()).toContain('Offline');
    await screenshot(page, shots, 'peers-degraded');

    // an upload now cannot reach 5 servers: its row says why
    await showScreen(page, 'Files');
    await dropFiles('[data-testid="drop-zone"]', [{ name: 'late.bin', bytes: randomBytes(200_000) }]);
    await expect.poll(() => page.locator('[data-upload="late.bin"]').getAttribute('data-state'), { timeout: 60_000 }).toBe('failed');
    expect(await page.locator('[data-upload="late.bin"]').textContent()).toMatch(/Failed: .*server/);
    await screenshot(page, shots, 'files-upload-failed');
  });

  it('makes an invite on the First run screen and shows the Settings', async () => {
    await showScreen(page, 'First run');
    await screenshot(page, shots, 'first-run');
    await page.getByRole('button', { name: 'Create an invite' }).click();
    await expect.poll(() => page.getByTestId('invite-code').inputValue()).toMatch(/^cairn-invite-v1:/);
    const passphrase = (await page.getByTestId('invite-passphrase').textContent())!;
    expect(passphrase.length).toBeGreaterThan(8);
    // the passphrase is shown apart, never inside the code
    expect(await page.getByTestId('invite-code').inputValue()).not.toContain(passphrase);
    await screenshot(page, shots, 'first-run-invite');
    await showScreen(page, 'Settings');
    await expect.poll(() => page.getByLabel('Nickname').inputValue()).toBe('node-0');
    expect([await page.getByLabel('K (shares needed)').inputValue(), await page.getByLabel('happy (servers to spread over)').inputValue(), await page.getByLabel('N (shares made)').inputValue()]).toEqual(['3', '5', '6']);
    await screenshot(page, shots, 'settings');
  });
});
