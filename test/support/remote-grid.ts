// Storage servers as separate processes on 127.0.0.1, and grid clients (each its own libp2p
// host in this process) that see them as GridServers over /cairn/storage/1.0.0.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaseSeedOfPeer } from '../../src-main/core/lease-secrets.js';
import type { GridServer } from '../../src-main/grid/grid-server.js';
import { createCairnHost, type CairnHost } from '../../src-main/net/host.js';
import { generateNodeKey } from '../../src-main/net/keys.js';
import { RemoteStorageServer } from '../../src-main/net/storage-protocol/client.js';
import { startStorageServerProcess, type StorageServerProcess } from './storage-process.js';

export interface RemoteGrid {
  readonly gridKey: Uint8Array;
  readonly servers: readonly StorageServerProcess[];
  /** A new client host; its GridServers name the servers s0, s1, … */
  client(): Promise<GridServer[]>;
  /** Stops the client hosts and the server processes, and deletes the storage. */
  stop(): Promise<void>;
}

export async function startRemoteGrid(count: number): Promise<RemoteGrid> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-remote-grid-'));
  const gridKey = new Uint8Array(randomBytes(32));
  const servers = await Promise.all(Array.from({ length: count }, (_, i) => startStorageServerProcess({ gridKey, dir: join(root, `server-${i}`) })));
  const hosts: CairnHost[] = [];
  return {
    gridKey,
    servers,
    async client() {
      const host = await createCairnHost({ privateKey: await generateNodeKey(), listen: ['/ip4/127.0.0.1/tcp/0'], gridKey, loopbackLimits: true });
      hosts.push(host);
      return servers.map((server, i) => {
        const seed = server.peerId.toMultihash().bytes;
        const api = new RemoteStorageServer(host, server.peerId, server.addrs, { name: `s${i}` });
        return { id: server.peerId.toString(), nickname: `s${i}`, permutationSeed: seed, leaseSeed: leaseSeedOfPeer(seed), api };
      });
    },
    async stop() {
      await Promise.all(hosts.map((host) => host.stop()));
      await Promise.all(servers.map((server) => server.stop()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
