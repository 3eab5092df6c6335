// What the web UI's e2e files start from: a real grid of `cairn run` processes, node-0's web
// API, a login URL for a browser, and moving between the UI's screens.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ShareEncoding } from '../../src-main/node/grid-link.js';
import { cairn } from '../../test/support/cli.js';
import { GridHarness, type NodeProcess } from '../../test/support/grid-processes.js';
import { webApiOf, type WebApi } from '../../test/support/web-api.js';

export interface UiGrid {
  readonly grid: GridHarness;
  /** the node whose web UI the browser uses */
  readonly node0: NodeProcess;
  /** node-0's web API, with its token */
  readonly api: WebApi;
}

/** An introducer and `storageNodes` storage nodes, started; resolves once node-0 sees every server. */
export async function startUiGrid(storageNodes: number, encoding: ShareEncoding): Promise<UiGrid> {
  const grid = await GridHarness.create(storageNodes, encoding);
  await grid.startAll();
  const node0 = grid.storageNodes[0]!;
  await grid.waitForServers(node0, storageNodes + 1, cairn);
  return { grid, node0, api: await webApiOf(node0) };
}

/** A fresh one-time login URL for the web UI of `api`'s node. */
export async function loginUrl(api: WebApi): Promise<string> {
  const response = await api.call('POST', '/ui/login-code');
  expect(response.status).toBe(200);
  return ((await response.json()) as { url: string }).url;
}

/** Moves `page` to the screen `screen` by its navigation button, and waits until it shows. */
export async function showScreen(page: Page, screen: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
  await expect.poll(() => page.locator('#screen-title').textContent()).toBe(screen);
}
