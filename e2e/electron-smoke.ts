// The desktop app's smoke test through Playwright's _electron: launch the built app on a
// data folder holding a one-node grid, see the Status screen, check the window's security
// settings and the tray state, then quit (the node stops cleanly). Run: npm run e2e:electron.
// Without a working Electron binary it prints one line saying so and exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The little of playwright-core's _electron API this test uses. */
interface ElectronApplication {
  firstWindow(): Promise<{ getByText(text: string): { first(): { waitFor(o: { timeout: number }): Promise<void> } }; evaluate<T>(f: () => T): Promise<T> }>;
  evaluate<T>(f: (electron: typeof import('electron')) => T): Promise<T>;
  close(): Promise<void>;
}
interface PlaywrightElectron {
  _electron: { launch(options: { executablePath: string; args: string[]; cwd: string; env: Record<string, string> }): Promise<ElectronApplication> };
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

async function main(): Promise<number> {
  const binary = findElectronBinary();
  if (!binary.found) {
    process.stdout.write(`e2e electron smoke test skipped: ${binary.why}\n`);
    return 0;
  }
  let playwright: PlaywrightElectron;
  try {
    const name = 'playwright-core';
    playwright = (await import(name)) as PlaywrightElectron;
  } catch {
    process.stdout.write('e2e electron smoke test skipped: playwright-core is not installed\n');
    return 0;
  }
  if (spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' }).status !== 0) throw new Error('npm run build failed');
  check(existsSync(join(repoRoot, 'dist', 'renderer', 'index.html')), 'the renderer is not built (dist/renderer/index.html)');

  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-electron-'));
  const { createIntroducerDirectory } = await import('../src-main/node/node-dir.js');
  await createIntroducerDirectory(join(dataDir, 'node'), { listen: '/ip4/127.0.0.1/tcp/0', nickname: 'smoke', gridName: 'smoke-grid', encoding: { needed: 1, happy: 1, total: 1 } });
  const env = Object.fromEntries(Object.entries({ ...process.env, CAIRN_APP_DATA_DIR: dataDir }).filter((e): e is [string, string] => e[1] !== undefined));
  const electronApp = await playwright._electron.launch({ executablePath: binary.path, args: ['.'], cwd: repoRoot, env });
  try {
    const page = await electronApp.firstWindow();
    await page.getByText('smoke-grid').first().waitFor({ timeout: 30_000 });
    // sandboxed, isolated, no Node: the page sees neither require nor process, only window.cairn
    check((await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)) === 'undefined', 'the page can reach require()');
    check((await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)) === 'undefined', 'the page can reach process');
    check((await page.evaluate(() => typeof (globalThis as { cairn?: { status?: unknown } }).cairn?.status)) === 'function', 'window.cairn is missing');
    const windows = await electronApp.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.webContents.getURL()));
    check(windows.length === 1 && windows[0] === 'app://cairn/index.html', `windows ${JSON.stringify(windows)}`);
    let tray: { kind: string; tooltip: string } | undefined;
    for (let i = 0; i < 60 && (tray === undefined || tray.kind === 'error' || tray.kind === 'offline'); i++) {
      await new Promise((r) => setTimeout(r, 500));
      tray = await electronApp.evaluate(() => (globalThis as { cairnTrayState?: { kind: string; tooltip: string } }).cairnTrayState);
    }
    check(tray?.kind === 'healthy', `tray state ${JSON.stringify(tray)}`);
    check(tray!.tooltip.startsWith('Cairn: '), `tray tooltip ${tray!.tooltip}`);
  } finally {
    await electronApp.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  process.stdout.write('e2e electron smoke test passed: launch, status, window security, tray state\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`e2e electron smoke test failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
