// Starts test/support/net-peer.ts as a separate Node process and stops it by PID.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import type { PeerId } from '@libp2p/interface';
import type { GridMembership } from '../../src-main/net/host.js';
import { firstLine, spawnTestScript } from './child-process.js';

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

export async function startPeerProcess(gridKey: Uint8Array, startupMs = 30_000, membership: GridMembership = 'noise-prologue'): Promise<PeerProcess> {
  const env = { CAIRN_TEST_GRID_KEY: Buffer.from(gridKey).toString('hex'), CAIRN_TEST_MEMBERSHIP: membership };
  const test = spawnTestScript(peerScript, [], env, 'peer');
  try {
    const info = JSON.parse(await firstLine(test, startupMs, 'peer')) as { peerId: string; addrs: string[] };
    return {
      pid: test.pid,
      peerId: peerIdFromString(info.peerId),
      addrs: info.addrs.map((a) => multiaddr(a)),
      stderr: test.stderr,
      stop: () => test.stop(),
    };
  } catch (err) {
    await test.stop();
    throw err;
  }
}
