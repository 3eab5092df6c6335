// Starts test/support/introducer-peer.ts as a separate Node process, collects its JSON event
// lines, and stops it by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackoffOptions, IntroducerAddress, IntroducerServiceOptions } from '../../src-main/net/introducer/index.js';

const peerScript = join(dirname(fileURLToPath(import.meta.url)), 'introducer-peer.ts');

export interface PeerConfig {
  readonly role: 'introducer' | 'server' | 'client';
  /** Fixed listen port (a restarted process reuses its predecessor's); default 0. */
  readonly port?: number;
  readonly introducer?: IntroducerAddress;
  readonly nickname?: string;
  readonly freeSpace?: number;
  /** IntroducerService options (role introducer). */
  readonly service?: Omit<IntroducerServiceOptions, 'log' | 'now'>;
  /** IntroducerClient timing options (roles server and client). */
  readonly client?: {
    readonly subscribe?: boolean;
    readonly connectToServers?: boolean;
    readonly refreshIntervalMs?: number;
    readonly changeCheckIntervalMs?: number;
    readonly introducerBackoff?: BackoffOptions;
    readonly serverBackoff?: BackoffOptions;
    readonly dialTimeoutMs?: number;
    readonly requestTimeoutMs?: number;
  };
  readonly debug?: boolean;
}

export interface PeerEvent {
  readonly event: string;
  readonly at: number;
  readonly [field: string]: unknown;
}

export interface IntroducerPeerProcess {
  readonly pid: number;
  readonly peerId: string;
  readonly addrs: string[];
  /** The listen port (to restart on the same one). */
  readonly port: number;
  /** Every event line so far, in order. */
  readonly events: PeerEvent[];
  stderr(): string;
  /** Resolves with the first event at index ≥ since that matches; rejects after timeoutMs. */
  waitFor(match: (event: PeerEvent) => boolean, options?: { since?: number; timeoutMs?: number }): Promise<PeerEvent>;
  /** Writes a command line to the process's stdin. */
  send(line: string): void;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
  /** SIGKILL (a crash): no goodbye to anyone. */
  kill(): Promise<void>;
}

export interface StartOptions {
  readonly gridKey: Uint8Array;
  /** libp2p protobuf private key bytes; a fresh key if absent. */
  readonly nodeKey?: Uint8Array;
  readonly startupMs?: number;
}

export async function startIntroducerPeer(config: PeerConfig, options: StartOptions): Promise<IntroducerPeerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_TEST_GRID_KEY: Buffer.from(options.gridKey).toString('hex') };
  if (options.nodeKey !== undefined) env.CAIRN_TEST_NODE_KEY = Buffer.from(options.nodeKey).toString('hex');
  const child = spawn(process.execPath, ['--import', 'tsx', peerScript, JSON.stringify(config)], {
    env,
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
  const events: PeerEvent[] = [];
  const waiters = new Set<() => void>();
  let first: ((line: string) => void) | undefined;
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    out += text;
    let newline: number;
    while ((newline = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, newline);
      out = out.slice(newline + 1);
      if (first !== undefined) {
        const f = first;
        first = undefined;
        f(line);
        continue;
      }
      try {
        events.push(JSON.parse(line) as PeerEvent);
      } catch {
        stderr += `(unparsed stdout) ${line}\n`;
      }
      for (const wake of [...waiters]) wake();
    }
  });

  const startupMs = options.startupMs ?? 30_000;
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`peer did not start within ${startupMs} ms: ${stderr}`)), startupMs);
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`peer exited (${code}) before starting: ${stderr}`));
      };
      child.once('exit', onExit);
      first = (l) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(l);
      };
    });
    const info = JSON.parse(line) as { peerId: string; addrs: string[] };
    const port = Number(/\/tcp\/(\d+)/.exec(info.addrs[0] ?? '')?.[1] ?? NaN);
    return {
      pid,
      peerId: info.peerId,
      addrs: info.addrs,
      port,
      events,
      stderr: () => stderr,
      waitFor: (match, waitOptions = {}) =>
        new Promise<PeerEvent>((resolve, reject) => {
          const since = waitOptions.since ?? 0;
          const timeoutMs = waitOptions.timeoutMs ?? 20_000;
          let checked = since;
          const check = (): void => {
            for (; checked < events.length; checked++) {
              const event = events[checked];
              if (event !== undefined && match(event)) {
                finish();
                resolve(event);
                return;
              }
            }
          };
          const timer = setTimeout(() => {
            finish();
            reject(
              new Error(
                `no matching event within ${timeoutMs} ms; events since ${since}:\n` +
                  events.slice(since).map((e) => JSON.stringify(e)).join('\n'),
              ),
            );
          }, timeoutMs);
          const finish = (): void => {
            clearTimeout(timer);
            waiters.delete(check);
          };
          waiters.add(check);
          check();
        }),
      send: (l) => {
        child.stdin.write(`${l}\n`);
      },
      stop: () => stopProcess(child, exited, 'SIGTERM'),
      kill: () => stopProcess(child, exited, 'SIGKILL'),
    };
  } catch (err) {
    await stopProcess(child, exited, 'SIGKILL');
    throw err;
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(child.pid, signal);
    } catch {
      // already gone
    }
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000).unref());
    const done = await Promise.race([exited.then(() => true), timeout]);
    if (!done) {
      process.kill(child.pid, 'SIGKILL');
      await exited;
    }
  }
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
}
