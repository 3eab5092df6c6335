// Retention and leases between real processes, with a 25-second lease and a crawler every
// 2 s on every server: a file only a removed snapshot referenced expires; a file a kept
// snapshot references is renewed by the durability passes and never does.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Encode } from '../src-shared/base32.js';
import { parseChkReadCap, storageIndexOfKey } from '../src-shared/caps/index.js';
import { cairn } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';

const LEASE_SECONDS = 25;

let grid: GridHarness;
let alice: NodeProcess;
let work: string;

async function on(node: NodeProcess, ...args: string[]): Promise<string> {
  const result = await cairn([...args, '--node-dir', node.dir]);
  if (result.code !== 0) throw new Error(`cairn ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** The read cap of `name` in the grid folder `path`. */
async function capOf(path: string, name: string): Promise<string> {
  const [, listing] = JSON.parse(await on(alice, 'ls', '--json', path)) as [string, { children: Record<string, [string, { ro_uri: string }]> }];
  return listing.children[name]![1].ro_uri;
}

/** How many shares of the file all servers hold. */
async function sharesOf(cap: string): Promise<number> {
  const si = base32Encode(storageIndexOfKey(parseChkReadCap(cap).key));
  return (await Promise.all(grid.nodes.map((node) => grid.shareFiles(node, si)))).flat().length;
}

beforeAll(async () => {
  grid = await GridHarness.create(3, { needed: 2, happy: 3, total: 4 });
  for (const node of grid.nodes) {
    await grid.editConfig(node, (c) => ({ ...c, storage: { ...c.storage, leaseExpiry: { enabled: true, overrideLeaseDuration: `${LEASE_SECONDS}s`, crawlInterval: '2s' } } }));
  }
  work = join(grid.root, 'work');
  await mkdir(join(work, 'source'), { recursive: true });
  await grid.startAll();
  alice = grid.storageNodes[0]!;
  await grid.waitForServers(alice, 4, cairn);
  await on(alice, 'create-alias', 'b');
}, 120_000);

afterAll(async () => {
  await grid?.destroy();
});

describe('leases of kept and removed snapshots', () => {
  it('what only a removed snapshot held expires; what a kept one holds never does', async () => {
    const source = join(work, 'source');
    await writeFile(join(source, 'keep.bin'), randomBytes(100_000));
    await writeFile(join(source, 'old.bin'), randomBytes(100_000));
    await on(alice, 'backup-job', 'pause');
    await on(alice, 'backup-job', 'add', 'j', source, 'b:j', '--every', '1d', '--keep-last', '1');
    const first = /snapshot (\S+):/.exec(await on(alice, 'backup-job', 'run', 'j'))![1]!;
    const oldCap = await capOf(`b:j/Archives/${first}`, 'old.bin');
    const keepCap = await capOf(`b:j/Archives/${first}`, 'keep.bin');
    await rm(join(source, 'old.bin'));
    const second = await on(alice, 'backup-job', 'run', 'j');
    expect(second).toMatch(/1 snapshots kept, 1 removed\n$/);
    expect(await on(alice, 'ls', 'b:j/Archives')).not.toContain(first);
    expect(await sharesOf(oldCap)).toBe(4);
    expect(await sharesOf(keepCap)).toBe(4);

    // Durability passes (as the schedule would run them) renew the kept snapshot's leases.
    const started = Date.now();
    let oldShares = 4;
    while (Date.now() - started < (LEASE_SECONDS + 30) * 1000) {
      const report = JSON.parse(await on(alice, 'backup-job', 'check', '--json')) as { jobs: Array<{ files: number; snapshots: number }> };
      expect(report.jobs[0]).toMatchObject({ snapshots: 1 });
      expect(await sharesOf(keepCap), `after ${Math.round((Date.now() - started) / 1000)} s`).toBe(4);
      oldShares = await sharesOf(oldCap);
      if (oldShares === 0 && Date.now() - started > (LEASE_SECONDS + 5) * 1000) break;
      await new Promise((r) => setTimeout(r, 4000));
    }
    expect(oldShares).toBe(0);
    expect(await sharesOf(keepCap)).toBe(4);
    const restored = join(work, 'keep.out');
    await on(alice, 'get', keepCap, restored);
  }, 150_000);
});
