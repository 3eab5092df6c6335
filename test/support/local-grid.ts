import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageBackend } from '../../src-main/storage/backend.js';
import type { GridServer } from '../../src-main/grid/grid-server.js';

export interface LocalServer extends GridServer {
  readonly backend: StorageBackend;
  readonly dir: string;
}

/** Real storage backends in temp dirs, seen by the grid client as servers (no network). */
export async function localServers(count: number, options: { reservedSpace?: (i: number) => number } = {}): Promise<{ servers: LocalServer[]; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'cairn-grid-'));
  const servers: LocalServer[] = [];
  for (let i = 0; i < count; i++) {
    const dir = join(root, `server-${i}`);
    const backend = await StorageBackend.open({ dir, reservedSpace: options.reservedSpace?.(i) ?? 0 });
    const id = `server-${i}-${randomBytes(4).toString('hex')}`;
    servers.push({
      id,
      nickname: `s${i}`,
      permutationSeed: createHash('sha256').update(id).digest(),
      leaseSeed: createHash('sha256').update(id).digest().subarray(0, 20),
      api: backend,
      backend,
      dir,
    });
  }
  return {
    servers,
    cleanup: async () => {
      await Promise.all(servers.map((s) => s.backend.close().catch(() => undefined)));
      await rm(root, { recursive: true, force: true });
    },
  };
}
