// Debian's Chromium through playwright-core (no browser download): headless, no sandbox (CI
// runs as root), no GPU.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumPresent(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--headless', '--disable-gpu'] });
}

/** Where screenshots go (gitignored): test-artifacts/NAME/. */
export async function screenshotDir(name: string): Promise<string> {
  const dir = join(process.cwd(), 'test-artifacts', name);
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** Whether Chromium is there to run the e2e file `what`; if not, says in one line that it is skipped and why. */
export function chromiumOrSkipNote(what: string): boolean {
  const present = chromiumPresent();
  if (!present) console.log(`${what} e2e skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CAIRN_CHROMIUM)`);
  return present;
}
