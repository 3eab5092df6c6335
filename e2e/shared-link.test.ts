// "Open a shared link" in Debian's Chromium against a real grid (an introducer and 2 storage
// nodes, encoding 1/2/3), with one browser page on node-0's web UI and one on node-1's:
// node-0's UI shares a file and a folder, node-1's UI opens the links, downloads the bytes
// (equal), browses the folder, saves it into its own files, and refuses garbage in one line.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCap } from '../src-shared/caps/index.js';
import { cairn } from '../test/support/cli.js';
import type { GridHarness } from '../test/support/grid-processes.js';
import { rootCapOf, uriPath, webApiOf, type WebApi } from '../test/support/web-api.js';
import { chromiumOrSkipNote, launchChromium, screenshot, screenshotDir } from './support/chromium.js';
import { loginUrl, startUiGrid } from './support/ui-grid.js';

const present = chromiumOrSkipNote('shared-link');

let grid: GridHarness;
let browser: Browser;
let sharer: Page;
let opener: Page;
let shots: string;
const report = randomBytes(300_000);
const dayNote = Buffer.from('the first day, with ünïcödé\n');

async function logIn(api: WebApi): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(await loginUrl(api));
  // (in beforeAll: Playwright's own waits, not expect.poll)
  await page.waitForURL((url) => !url.hash.includes('login='));
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Files' }).click();
  await page.locator('#screen-title', { hasText: 'Files' }).waitFor();
  return page;
}

async function put(api: WebApi, root: string, path: string[], body: Uint8Array): Promise<void> {
  const response = await api.call('PUT', uriPath(root, ...path), { body });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** The link node-0's Share dialog shows for `name`. */
async function shareLinkOf(name: string): Promise<string> {
  await sharer.getByRole('button', { name: `Share ${name}` }).click();
  const dialog = sharer.getByRole('dialog', { name: `Share ${name}` });
  const link = await dialog.getByRole('textbox').inputValue();
  await dialog.getByRole('button', { name: 'Close' }).click();
  return link;
}

function openerDialog() {
  return opener.getByRole('dialog', { name: 'Open a shared link' });
}

async function openLink(text: string): Promise<void> {
  const dialog = openerDialog();
  await dialog.getByLabel('Shared link or read cap').fill(text);
  // keyboard: Enter in the field opens it
  await dialog.getByLabel('Shared link or read cap').press('Enter');
}

async function downloaded(page: Page, button: string): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), openerDialog().getByRole('button', { name: button }).click()]);
  return readFile((await download.path())!);
}

describe.skipIf(!present)('opening a shared link in a second node\'s web UI', () => {
  beforeAll(async () => {
    const started = await startUiGrid(2, { needed: 1, happy: 2, total: 3 });
    ({ grid } = started);
    const { node0, api: api0 } = started;
    const node1 = grid.storageNodes[1]!;
    await grid.waitForServers(node1, 3, cairn);
    const root = await rootCapOf(node0);
    await put(api0, root, ['report.bin'], report);
    expect((await api0.call('PUT', `${uriPath(root, 'Album')}?t=mkdir`)).status).toBe(200);
    expect((await api0.call('PUT', `${uriPath(root, 'Album', 'Day 1')}?t=mkdir`)).status).toBe(200);
    await put(api0, root, ['Album', 'Day 1', 'notes – día 1.txt'], dayNote);
    await put(api0, root, ['Album', 'empty.txt'], new Uint8Array());
    shots = await screenshotDir('shared-link');
    browser = await launchChromium();
    sharer = await logIn(api0);
    opener = await logIn(await webApiOf(node1));
  });

  afterAll(async () => {
    await browser?.close();
    await grid?.destroy();
  });

  it('opens the dialog by keyboard, shows its empty state, and refuses garbage in one line', async () => {
    const button = opener.getByRole('button', { name: 'Open a shared link' });
    await button.focus();
    await opener.keyboard.press('Enter');
    const dialog = openerDialog();
    await expect.poll(() => dialog.count()).toBe(1);
    // the field has the focus, and the empty state says what to paste
    expect(await dialog.getByLabel('Shared link or read cap').evaluate((input) => input === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
    expect(await dialog.getByText('Nothing opened yet').count()).toBe(1);
    await screenshot(opener, shots, 'open-link-empty');

    await openLink('hello, this is not a link');
    const alert = dialog.getByRole('alert');
    await expect.poll(() => alert.textContent()).toBe('not a Cairn link: paste a link that starts with "cairn:open?" or a read cap (URI:CHK:, URI:LIT:, URI:SSK-ED25519-RO: or URI:DIR2-…)');
    expect(await dialog.getByLabel('Shared link or read cap').getAttribute('aria-invalid')).toBe('true');
    await screenshot(opener, shots, 'open-link-error');
    await openLink('cairn:open?cap=URI%3ACHK%3Agarbage&name=x');
    await expect.poll(() => alert.textContent()).toMatch(/^the cap in the link is damaged: /);
    expect((await alert.textContent())!.includes('\n')).toBe(false);

    // Escape closes it and gives the focus back to the button
    await opener.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await button.evaluate((b) => b === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
  });

  it('opens a shared file: its name and size, and a download with equal bytes', async () => {
    const link = await shareLinkOf('report.bin');
    expect(link).toMatch(/^cairn:open\?cap=URI%3ACHK%3A/);
    await opener.getByRole('button', { name: 'Open a shared link' }).click();
    // the browser holds the node's answer back a moment, to show the loading state
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await opener.route(/\/uri\/URI%3ACHK%3A[^?]*\?t=json$/, async (route) => {
      await held;
      await route.continue();
    });
    await openLink(link);
    await expect.poll(() => openerDialog().getByRole('status').textContent()).toBe('Opening the link…');
    expect(await openerDialog().getByRole('button', { name: 'Open' }).isDisabled()).toBe(true);
    await screenshot(opener, shots, 'open-link-loading');
    release();
    const entry = openerDialog().getByTestId('shared-entry');
    await expect.poll(() => entry.getAttribute('data-kind')).toBe('file');
    await opener.unrouteAll({ behavior: 'wait' });
    expect(await entry.getByTestId('shared-name').textContent()).toBe('report.bin');
    expect(await entry.getByTestId('shared-size').textContent()).toBe('293 KiB');
    await screenshot(opener, shots, 'open-link-file');
    expect((await downloaded(opener, 'Download report.bin')).equals(report)).toBe(true);
  });

  it('opens a shared folder read-only, browses into it, downloads from it and saves it into its own files', async () => {
    const link = await shareLinkOf('Album');
    await openLink(link);
    const dialog = openerDialog();
    const rows = dialog.locator('tr[data-shared-path]');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-shared-path')))).toEqual(['Day 1', 'empty.txt']);
    // read-only: no rename, delete or share here
    expect(await dialog.getByRole('button', { name: /^(Rename|Delete|Share) / }).count()).toBe(0);
    expect((await downloaded(opener, 'Download empty.txt')).length).toBe(0);
    await dialog.getByRole('button', { name: 'Day 1' }).click();
    await expect.poll(() => dialog.getByRole('navigation', { name: 'Shared folder breadcrumbs' }).textContent()).toBe('AlbumDay 1');
    await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-shared-path')))).toEqual(['Day 1/notes – día 1.txt']);
    await screenshot(opener, shots, 'open-link-folder');
    expect((await downloaded(opener, 'Download notes – día 1.txt')).equals(dayNote)).toBe(true);

    // saved into node-1's cairn: under a name of its own; a name that exists is refused in one line
    const name = dialog.getByLabel(/^Save to my files/);
    expect(await name.inputValue()).toBe('Album');
    await dialog.getByRole('button', { name: 'Save to my files' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/already has a child named "Album"/);
    await screenshot(opener, shots, 'open-link-save-error');
    await name.fill('Album from node-0');
    await dialog.getByRole('button', { name: 'Save to my files' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => opener.locator('tr[data-path="Album from node-0"]').count()).toBe(1);
  });

  it('says in one line when what a valid cap names cannot be read', async () => {
    const nowhere = formatCap({ kind: 'dir', file: { kind: 'ssk-ed25519-ro', readkey: randomBytes(16), fingerprint: randomBytes(32) } });
    await opener.getByRole('button', { name: 'Open a shared link' }).click();
    await openLink(nowhere);
    const failure = openerDialog().getByRole('alert').locator('.error-text');
    await expect.poll(() => failure.textContent(), { timeout: 30_000 }).toMatch(/^no share of this mutable file was found/);
    expect((await failure.textContent())!.includes('\n')).toBe(false);
    expect(await openerDialog().getByRole('button', { name: 'Try again' }).count()).toBe(1);
    await screenshot(opener, shots, 'open-link-failed');
    await opener.keyboard.press('Escape');
  });
});
