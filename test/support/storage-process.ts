// Starts test/support/storage-server-peer.ts as a separate Node process and stops it by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';

const serverScript = join(dirname(fileURLToPath(import.meta.url)), 'storage-server-peer.ts');

export interface StorageServerProcess {
  readonly pid: number;
  readonly peerId: PeerId;
  readonly addrs: Multiaddr[];
  /** the storage directory it serves */
  readonly dir: string;
  /** What the process wrote on stderr (its log) so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

export interface StorageServerProcessOptions {
  readonly gridKey: Uint8Array;
  readonly dir: string;
  readonly reservedSpace?: number;
  readonly startupMs?: number;
}

export async function startStorageServerProcess(options: StorageServerProcessOptions): Promise<StorageServerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CAIRN_TEST_GRID_KEY: Buffer.from(options.gridKey).toString('hex'),
    CAIRN_TEST_STORAGE_DIR: options.dir,
  };
  if (options.reservedSpace !== undefined) env.CAIRN_TEST_RESERVED_SPACE = String(options.reservedSpace);
  const child = spawn(process.execPath, ['--import', 'tsx', serverScript], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not start the storage server process');
  const pid = child.pid;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const line = await firstLine(child, options.startupMs ?? 30_000, () => stderr);
    const info = JSON.parse(line) as { peerId: string; addrs: string[] };
    return {
      pid,
      peerId: peerIdFromString(info.peerId),
      addrs: info.addrs.map((a) => multiaddr(a)),
      dir: options.dir,
      stderr: () => stderr,
      stop: () => stopProcess(child, exited),
    };
  } catch (err) {
    await stopProcess(child, exited);
    throw err;
  }
}

function firstLine(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => finish(new Error(`storage server did not start within ${timeoutMs} ms: ${stderr()}`)), timeoutMs);
    const onData = (text: string): void => {
      out += text;
      const newline = out.indexOf('\n');
      if (newline >= 0) finish(undefined, out.slice(0, newline));
    };
    const onExit = (code: number | null): void => finish(new Error(`storage server exited (${code}) before starting: ${stderr()}`));
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

async function stopProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(child.pid, 'SIGTERM');
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
