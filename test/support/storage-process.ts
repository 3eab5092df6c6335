// Starts test/support/storage-server-peer.ts as a separate Node process and stops it by PID.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PeerId } from '@libp2p/interface';
import { firstLine, spawnTestScript } from './child-process.js';
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
    CAIRN_TEST_GRID_KEY: Buffer.from(options.gridKey).toString('hex'),
    CAIRN_TEST_STORAGE_DIR: options.dir,
  };
  if (options.reservedSpace !== undefined) env.CAIRN_TEST_RESERVED_SPACE = String(options.reservedSpace);
  const test = spawnTestScript(serverScript, [], env, 'storage server');
  try {
    const info = JSON.parse(await firstLine(test, options.startupMs ?? 30_000, 'storage server')) as { peerId: string; addrs: string[] };
    return {
      pid: test.pid,
      peerId: peerIdFromString(info.peerId),
      addrs: info.addrs.map((a) => multiaddr(a)),
      dir: options.dir,
      stderr: test.stderr,
      stop: () => test.stop(),
    };
  } catch (err) {
    await test.stop();
    throw err;
  }
}
