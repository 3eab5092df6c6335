import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cairnBin = join(repoRoot, 'bin', 'cairn.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node ARGS…` as a separate process; its exit code and output. */
export function runNode(args: string[], cwd?: string): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Runs the built `cairn` command as a separate process, as a user would. */
export function cairn(args: string[], cwd?: string): Promise<CliResult> {
  if (!existsSync(join(repoRoot, 'dist', 'src-main', 'frontends', 'cli', 'main.js'))) {
    throw new Error('the CLI is not built: run "npm run build" (npm test does it first)');
  }
  return runNode([cairnBin, ...args], cwd);
}
