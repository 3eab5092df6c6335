// The Settings screen in Debian's Chromium against a real grid (an introducer and 2 storage
// nodes, encoding 1/2/3): the browser edits node-0's nickname and reserved space, sees them
// saved to cairn.json and still there after a reload, is refused a bad encoding with one
// line (nothing changes), and exports the debug log with no secret in it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GridHarness, NodeProcess } from '../test/support/grid-processes.js';
import type { WebApi } from '../test/support/web-api.js';
import { CONFIG_FILE } from '../src-main/node/node-dir.js';
import { chromiumOrSkipNote, launchChromium, screenshot, screenshotDir } from './support/chromium.js';
import { loginUrl, showScreen, startUiGrid } from './support/ui-grid.js';

const present = chromiumOrSkipNote('settings');

let grid: GridHarness;
let node0: NodeProcess;
let api: WebApi;
let browser: Browser;
let page: Page;
let shots: string;

async function configOf(node: NodeProcess): Promise<{ nickname: string; storage: { reservedSpace: number }; shares?: unknown }> {
  return JSON.parse(await readFile(join(node.dir, CONFIG_FILE), 'utf8')) as { nickname: string; storage: { reservedSpace: number }; shares?: unknown };
}

describe.skipIf(!present)('the Settings screen in the browser', () => {
  beforeAll(async () => {
    ({ grid, node0, api } = await startUiGrid(2, { needed: 1, happy: 2, total: 3 }));
    shots = await screenshotDir('settings-ui');
    browser = await launchChromium();
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await grid?.destroy();
  });

  it('edits the nickname and reserved space; they are saved and still there after a reload', async () => {
    await page.goto(await loginUrl(api));
    await expect.poll(() => page.url()).not.toContain('login=');
    await showScreen(page, 'Settings');
    await expect.poll(() => page.getByLabel('Nickname').inputValue()).toBe('node-0');
    // launch at login is the desktop app's: not shown in the browser
    expect(await page.getByText('Launch Cairn when I log in').count()).toBe(0);
    await page.getByLabel('Nickname').fill('living-room');
    await page.getByLabel('Kept free on disk (GB)').fill('2.5');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved' }).count()).toBe(1);
    await screenshot(page, shots, 'settings-saved');
    const config = await configOf(node0);
    expect(config.nickname).toBe('living-room');
    expect(config.storage.reservedSpace).toBe(2_500_000_000);

    await page.reload();
    await showScreen(page, 'Settings');
    await expect.poll(() => page.getByLabel('Nickname').inputValue()).toBe('living-room');
    expect(await page.getByLabel('Kept free on disk (GB)').inputValue()).toBe('2.5');
  });

  it('refuses K above N with one line, and changes nothing', async () => {
    const before = await readFile(join(node0.dir, CONFIG_FILE), 'utf8');
    await page.getByLabel('K (shares needed)').fill('4');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^K \(shares needed\) must be a whole number from 1 to 3/);
    await screenshot(page, shots, 'settings-error');
    expect(await readFile(join(node0.dir, CONFIG_FILE), 'utf8')).toBe(before);
    const settings = (await (await api.call('GET', '/settings')).json()) as { encoding: unknown };
    expect(settings.encoding).toEqual({ needed: 1, happy: 2, total: 3 });
  });

  it('exports the debug log as a file with no secret in it', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export debug log' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^cairn-debug-log-.*\.txt$/);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).toContain('settings changed');
    const token = (await readFile(join(node0.dir, 'private', 'api_auth_token'), 'utf8')).trim();
    expect(text).not.toContain(token);
    expect(text).not.toMatch(/login=[A-Za-z0-9_-]{8}/);
  });
});
