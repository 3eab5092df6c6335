// `npm run e2e` without a usable Electron binary: one clear line, exit 0.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function runSmoke(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join('e2e', 'electron-smoke.ts')], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('the Electron smoke test without Electron', () => {
  it('prints exactly one line saying why it was skipped, and exits 0', async () => {
    const result = await runSmoke({ ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent/electron-dist' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('e2e electron smoke test skipped: ELECTRON_OVERRIDE_DIST_PATH=/nonexistent/electron-dist has no Electron executable\n');
  });
});
