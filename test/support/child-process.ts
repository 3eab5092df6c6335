// Test helpers shared by the child-process harnesses: start a TypeScript script as a
// separate Node process, read its first stdout line, and stop it by PID.
import { spawn, type ChildProcess } from 'node:child_process';

export interface TestChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** resolves when the process has exited */
  readonly exited: Promise<void>;
  /** what the process wrote on stderr so far */
  stderr(): string;
  /** `signal` (default SIGTERM), then SIGKILL if it has not exited within 5 s */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs `script` (TypeScript, through tsx) with `args` and extra `env`. */
export function spawnTestScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv, what: string): TestChild {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start the ${what} process`);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, pid: child.pid, exited, stderr: () => stderr, stop: (signal = 'SIGTERM') => stopProcess(child, exited, signal) };
}

/** The process's first stdout line; rejects if it exits or stays silent for `timeoutMs`. */
export function firstLine(test: TestChild, timeoutMs: number, what: string): Promise<string> {
  const { child } = test;
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => finish(new Error(`${what} did not start within ${timeoutMs} ms: ${test.stderr()}`)), timeoutMs);
    const onData = (text: string): void => {
      out += text;
      const newline = out.indexOf('\n');
      if (newline >= 0) finish(undefined, out.slice(0, newline));
    };
    const onExit = (code: number | null): void => finish(new Error(`${what} exited (${code}) before starting: ${test.stderr()}`));
    function finish(err: Error | undefined, line?: string): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err !== undefined) reject(err);
      else resolve(line ?? '');
    }
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function stopProcess(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(child.pid, signal);
      const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref());
      if (!(await Promise.race([exited.then(() => true), timeout]))) {
        process.kill(child.pid, 'SIGKILL');
        await exited;
      }
    } catch {
      // already gone
    }
  }
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
}
