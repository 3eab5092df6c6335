// Starts test/support/net-peer.ts as a separate Node process and stops it by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import type { PeerId } from '@libp2p/interface';

const peerScript = join(dirname(fileURLToPath(import.meta.url)), 'net-peer.ts');

export interface PeerProcess {
  readonly pid: number;
  readonly peerId: PeerId;
  readonly addrs: Multiaddr[];
  /** What the process wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

export async function startPeerProcess(gridKey: Uint8Array, startupMs = 30_000): Promise<PeerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', peerScript], {
    env: { ...process.env, CAIRN_TEST_GRID_KEY: Buffer.from(gridKey).toString('hex') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('could not start the peer process');
  const pid = child.pid;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  try {
    const line = await firstLine(child, startupMs, () => stderr);
    const info = JSON.parse(line) as { peerId: string; addrs: string[] };
    return {
      pid,
      peerId: peerIdFromString(info.peerId),
      addrs: info.addrs.map((a) => multiaddr(a)),
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
    const timer = setTimeout(() => finish(new Error(`peer did not start within ${timeoutMs} ms: ${stderr()}`)), timeoutMs);
    const onData = (text: string): void => {
      out += text;
      const newline = out.indexOf('\n');
      if (newline >= 0) finish(undefined, out.slice(0, newline));
    };
    const onExit = (code: number | null): void => finish(new Error(`peer exited (${code}) before starting: ${stderr()}`));
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
  if (child.exitCode !== null || child.signalCode !== null) return;
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref());
  const done = await Promise.race([exited.then(() => true), timeout]);
  if (!done) {
    process.kill(pid, 'SIGKILL');
    await exited;
  }
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
}
