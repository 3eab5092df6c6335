// Starts test/support/introducer-peer.ts as a separate Node process, collects its JSON event
// lines, and stops it by PID.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTestScript } from './child-process.js';
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
  const env: NodeJS.ProcessEnv = { CAIRN_TEST_GRID_KEY: Buffer.from(options.gridKey).toString('hex') };
  if (options.nodeKey !== undefined) env.CAIRN_TEST_NODE_KEY = Buffer.from(options.nodeKey).toString('hex');
  const test = spawnTestScript(peerScript, [JSON.stringify(config)], env, 'peer');
  const { child, pid } = test;
  const stderr = test.stderr;
  const events: PeerEvent[] = [];
  const waiters = new Set<() => void>();
  let first: ((line: string) => void) | undefined;
  let unparsed = '';
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
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
        unparsed += `(unparsed stdout) ${line}\n`;
      }
      for (const wake of [...waiters]) wake();
    }
  });

  const startupMs = options.startupMs ?? 30_000;
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`peer did not start within ${startupMs} ms: ${stderr()}`)), startupMs);
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`peer exited (${code}) before starting: ${stderr()}`));
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
      stderr: () => stderr() + unparsed,
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
        child.stdin!.write(`${l}\n`);
      },
      stop: () => test.stop('SIGTERM'),
      kill: () => test.stop('SIGKILL'),
    };
  } catch (err) {
    await test.stop('SIGKILL');
    throw err;
  }
}
