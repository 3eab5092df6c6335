import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export type ElectronBinary = { readonly found: true; readonly path: string } | { readonly found: false; readonly why: string };

/** The executable inside an Electron dist folder (what ELECTRON_OVERRIDE_DIST_PATH names). */
function executableIn(dist: string): string {
  if (process.platform === 'darwin') return join(dist, 'Electron.app', 'Contents', 'MacOS', 'Electron');
  return join(dist, process.platform === 'win32' ? 'electron.exe' : 'electron');
}

/**
 * A working Electron binary: ELECTRON_OVERRIDE_DIST_PATH, else the electron package's own
 * download (absent when installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); it must answer
 * --version (a binary that cannot start, e.g. for missing system libraries, does not count).
 */
export function findElectronBinary(): ElectronBinary {
  let path: string;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override !== undefined && override !== '') {
    path = executableIn(override);
    if (!existsSync(path)) return { found: false, why: `ELECTRON_OVERRIDE_DIST_PATH=${override} has no Electron executable` };
  } else {
    try {
      // the electron package exports its binary's path, and throws when it was never downloaded
      path = createRequire(import.meta.url)('electron') as string;
    } catch {
      return { found: false, why: 'no Electron binary (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1; set ELECTRON_OVERRIDE_DIST_PATH to an Electron dist folder to run it)' };
    }
    if (typeof path !== 'string' || !existsSync(path)) return { found: false, why: 'no Electron binary (set ELECTRON_OVERRIDE_DIST_PATH to an Electron dist folder to run it)' };
  }
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  if (probe.error !== undefined || probe.status !== 0) {
    const reason = probe.error?.message ?? (probe.stderr.trim().split('\n')[0] || `exit code ${probe.status}`);
    return { found: false, why: `the Electron binary ${path} does not run here (${reason})` };
  }
  return { found: true, path };
}
