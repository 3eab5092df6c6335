import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What the desktop app itself remembers (the node keeps its own cairn.json). */
export interface DesktopSettings {
  readonly launchAtLogin: boolean;
  readonly backupsPaused: boolean;
}

export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = { launchAtLogin: false, backupsPaused: false };
const FILE = 'desktop.json';

/** Reads DATA_DIR/desktop.json; a missing or damaged file gives the defaults (it holds no secrets). */
export async function loadDesktopSettings(dataDir: string): Promise<DesktopSettings> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dataDir, FILE), 'utf8'));
  } catch {
    return DEFAULT_DESKTOP_SETTINGS;
  }
  const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    launchAtLogin: typeof fields.launchAtLogin === 'boolean' ? fields.launchAtLogin : DEFAULT_DESKTOP_SETTINGS.launchAtLogin,
    backupsPaused: typeof fields.backupsPaused === 'boolean' ? fields.backupsPaused : DEFAULT_DESKTOP_SETTINGS.backupsPaused,
  };
}

export async function saveDesktopSettings(dataDir: string, settings: DesktopSettings): Promise<void> {
  const path = join(dataDir, FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(settings, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}
