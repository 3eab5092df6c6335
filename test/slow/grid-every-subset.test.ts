import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { base32Encode } from '../../src-shared/base32.js';
import { parseChkReadCap, storageIndexOfKey } from '../../src-shared/caps/index.js';
import { sameBytes } from '../support/chk.js';
import { cairn } from '../support/cli.js';
import { GridHarness, type NodeProcess } from '../support/grid-processes.js';
import { revolvingDoor } from '../support/revolving-door.js';

// "10 servers with 3/7/10: kill any 7, and get still returns the exact bytes", for every
// one of the C(10,3) = 120 sets of 3 survivors, with real `cairn run` processes.
// The client is the introducer, with its own storage off, so the 10 storage nodes hold
// exactly one share each. The survivor sets are visited in revolving-door order: from one
// set to the next, one survivor is SIGKILLed and one killed node restarts, so at every get
// exactly the 7 other storage processes are dead, killed with SIGKILL.
let grid: GridHarness;
let work: string;

beforeAll(async () => {
  grid = await GridHarness.create(10, { needed: 3, happy: 7, total: 10 });
  work = join(grid.root, 'work');
  await mkdir(work);
  await grid.editConfig(grid.introducer, (config) => ({ ...config, storage: { ...config.storage, enabled: false } }));
  await grid.startAll();
  await grid.waitForServers(grid.introducer, 10, cairn);
}, 120_000);

afterAll(async () => {
  await grid?.destroy();
});

const isRunning = (node: NodeProcess) => node.child !== undefined && node.child.exitCode === null && node.child.signalCode === null;

/** Waits until the client sees exactly these storage nodes connected. */
async function untilConnected(client: NodeProcess, expected: readonly NodeProcess[], timeoutMs = 30_000): Promise<void> {
  const want = expected.map((n) => n.name).sort().join(',');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await grid.status(client);
    const connected = status.peers.filter((p) => p.connected).map((p) => p.nickname).sort().join(',');
    if (connected === want) return;
    if (Date.now() > deadline) throw new Error(`the client sees [${connected}] connected, not [${want}]`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('every 3 survivors of 10 storage servers (3/7/10)', () => {
  it('get returns the exact bytes with each of the 120 sets of 7 servers SIGKILLed', async () => {
    const client = grid.introducer;
    const servers = grid.storageNodes;
    const data = randomBytes(2 * 1024 * 1024 + 17);
    const file = join(work, 'file');
    await writeFile(file, data);
    const put = await cairn(['put', '--node-dir', client.dir, file]);
    expect(put.stderr).toBe('');
    const cap = put.stdout.trim();
    const si = base32Encode(storageIndexOfKey(parseChkReadCap(cap).key));
    const shares = await Promise.all(servers.map(async (node) => (await grid.shareFiles(node, si)).map((p) => Number(p.split('/').pop()))));
    expect(shares.map((s) => s.length)).toEqual(Array(10).fill(1));
    expect(shares.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const order = revolvingDoor(10, 3);
    const covered = new Set<string>();
    let previous: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    for (const [step, survivors] of order.entries()) {
      const leaving = previous.filter((i) => !survivors.includes(i));
      const entering = survivors.filter((i) => !previous.includes(i));
      await Promise.all(leaving.map((i) => grid.stop(servers[i]!, 'SIGKILL')));
      await Promise.all(entering.map((i) => grid.start(servers[i]!)));
      const alive = survivors.map((i) => servers[i]!);
      expect(servers.filter(isRunning).map((n) => n.name)).toEqual(alive.map((n) => n.name));
      await untilConnected(client, alive);

      const out = join(work, 'out');
      await rm(out, { force: true });
      const get = await cairn(['get', '--node-dir', client.dir, cap, out]);
      expect(get.stderr, `survivors ${survivors.join(',')} (step ${step})`).toBe('');
      expect(sameBytes(await readFile(out), data), `survivors ${survivors.join(',')}`).toBe('same');
      covered.add([...survivors].sort((a, b) => a - b).join(','));
      previous = survivors;
    }
    expect(covered.size).toBe(120);
  }, 60 * 60_000);
});
