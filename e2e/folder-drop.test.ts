// A folder dropped on the Files screen, in Debian's Chromium against a real grid (an
// introducer and 2 storage nodes, encoding 1/2/3). A page script cannot put a folder in a
// DataTransfer, so the drop is the browser's own: Chromium's DevTools protocol
// (Input.dispatchDragEvent) drags a local folder's path, which the page receives as a
// directory entry (webkitGetAsEntry), as from a file manager. The tree must arrive whole:
// nested folders (an empty one too), an empty file and Unicode names, with equal bytes.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GridHarness } from '../test/support/grid-processes.js';
import { rootCapOf, uriPath, type WebApi } from '../test/support/web-api.js';
import { chromiumOrSkipNote, launchChromium, screenshot, screenshotDir } from './support/chromium.js';
import { loginUrl, showScreen, startUiGrid } from './support/ui-grid.js';

const present = chromiumOrSkipNote('folder-drop');

let grid: GridHarness;
let api: WebApi;
let root: string;
let browser: Browser;
let page: Page;
let local: string;

/** The dropped tree: paths below the dropped folder "Trip" and their bytes (undefined: a folder). */
const tree: ReadonlyArray<[string, Buffer | undefined]> = [
  ['photo.bin', randomBytes(400_000)],
  ['empty.txt', Buffer.alloc(0)],
  ['Día 1', undefined],
  ['Día 1/ünïcödé 🌄.txt', Buffer.from('a Unicode name, and a line\n')],
  ['Día 1/deeper', undefined],
  ['Día 1/deeper/nothing yet', undefined],
];

/** Drags the local `paths` onto the middle of `selector` and drops them there (the browser's own drop). */
async function dropLocalPaths(selector: string, paths: string[]): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!;
  const at = { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + Math.min(box.height / 2, 200)) };
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
  await cdp.detach();
}

async function listing(path: string[]): Promise<Record<string, [string, { size?: number }]>> {
  const response = await api.call('GET', `${uriPath(root, ...path)}?t=json`);
  expect(response.status).toBe(200);
  return ((await response.json()) as [string, { children: Record<string, [string, { size?: number }]> }])[1].children;
}

describe.skipIf(!present)('a folder dropped on the Files screen', () => {
  beforeAll(async () => {
    local = await mkdtemp(join(tmpdir(), 'cairn-e2e-drop-'));
    await mkdir(join(local, 'Trip'));
    for (const [path, bytes] of tree) {
      if (bytes === undefined) await mkdir(join(local, 'Trip', path), { recursive: true });
      else await writeFile(join(local, 'Trip', path), bytes);
    }
    const started = await startUiGrid(2, { needed: 1, happy: 2, total: 3 });
    ({ grid, api } = started);
    root = await rootCapOf(started.node0);
    browser = await launchChromium();
    page = await (await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } })).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await grid?.destroy();
    if (local !== undefined) await rm(local, { recursive: true, force: true });
  });

  it('uploads the whole tree: nested and empty folders, an empty file, Unicode names, equal bytes', async () => {
    await page.goto(await loginUrl(api));
    await expect.poll(() => page.url()).not.toContain('login=');
    await showScreen(page, 'Files');
    await expect.poll(() => page.getByText('This folder is empty').count()).toBe(1);

    await dropLocalPaths('[data-testid="drop-zone"]', [join(local, 'Trip')]);
    const files = tree.filter(([, bytes]) => bytes !== undefined);
    const uploads = page.locator('[data-upload]');
    await expect.poll(() => uploads.count()).toBe(files.length);
    await expect.poll(() => page.locator('[data-upload][data-state="done"]').count(), { timeout: 60_000 }).toBe(files.length);
    await expect.poll(() => page.locator('tr[data-path="Trip"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Expand Trip' }).click();
    await page.getByRole('button', { name: 'Expand Día 1' }).click();
    await expect.poll(() => page.locator('tr[data-path="Trip/Día 1/ünïcödé 🌄.txt"]').count()).toBe(1);
    await screenshot(page, await screenshotDir('folder-drop'), 'files-folder-dropped');

    // on the grid: every folder and file, with its bytes
    expect(Object.keys(await listing(['Trip'])).sort()).toEqual(['Día 1', 'empty.txt', 'photo.bin']);
    expect(Object.keys(await listing(['Trip', 'Día 1'])).sort()).toEqual(['deeper', 'ünïcödé 🌄.txt']);
    expect(Object.keys(await listing(['Trip', 'Día 1', 'deeper']))).toEqual(['nothing yet']);
    expect(await listing(['Trip', 'Día 1', 'deeper', 'nothing yet'])).toEqual({});
    for (const [path, bytes] of files) {
      const body = await api.call('GET', uriPath(root, 'Trip', ...path.split('/')));
      expect(body.status, path).toBe(200);
      expect(Buffer.from(await body.arrayBuffer()).equals(bytes!), path).toBe(true);
    }
  });
});
