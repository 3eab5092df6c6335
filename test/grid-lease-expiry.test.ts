import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { base32Encode } from '../src-shared/base32.js';
import { mutableStorageIndexOf, parseChkReadCap, parseMutableCap, storageIndexOfKey } from '../src-shared/caps/index.js';
import { sameBytes } from './support/chk.js';
import { cairn } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';
import { webApiOf } from './support/web-api.js';

// Lease expiry set in the nodes' cairn.json, run by real `cairn run` processes: three of
// the four storage servers expire leases 6 s after their grant or last renewal and crawl
// every second; the fourth keeps the default (expiry off).
const LEASE_SECONDS = 6;
let grid: GridHarness;
let work: string;
let expiring: NodeProcess[];
let keeping: NodeProcess;

beforeAll(async () => {
  grid = await GridHarness.create(3, { needed: 2, happy: 4, total: 4 });
  work = join(grid.root, 'work');
  await mkdir(work);
  expiring = grid.nodes.slice(0, 3);
  keeping = grid.nodes[3]!;
  for (const node of expiring) {
    await grid.editConfig(node, (config) => ({
      ...config,
      storage: { ...config.storage, leaseExpiry: { enabled: true, mode: 'age', overrideLeaseDuration: `${LEASE_SECONDS}s`, crawlInterval: 1 } },
    }));
  }
  await grid.startAll();
  await grid.waitForServers(grid.introducer, 4, cairn);
}, 120_000);

afterAll(async () => {
  await grid?.destroy();
});

const storageIndexOf = (cap: string) => base32Encode(cap.startsWith('URI:SSK') ? mutableStorageIndexOf(parseMutableCap(cap)) : storageIndexOfKey(parseChkReadCap(cap).key));

async function put(node: NodeProcess, data: Uint8Array, name: string): Promise<string> {
  const file = join(work, name);
  await writeFile(file, data);
  const result = await cairn(['put', '--node-dir', node.dir, file]);
  if (result.code !== 0) throw new Error(`put failed: ${result.stderr}`);
  return result.stdout.trim();
}

async function sharesOnEach(cap: string): Promise<number[]> {
  return Promise.all(grid.nodes.map(async (node) => (await grid.shareFiles(node, storageIndexOf(cap))).length));
}

describe('lease expiry configured in cairn.json', () => {
  it('deletes the shares whose lease nobody renewed and keeps those renewed with check --add-lease', async () => {
    const client = grid.introducer;
    const forgotten = randomBytes(300_000);
    const kept = randomBytes(300_000);
    // The kept file goes first: without its renewals it would expire before the other.
    const keptCap = await put(client, kept, 'kept');
    // A mutable file renewed the same way (its shares' leases come from its writes).
    const keptMutable = await (await (await webApiOf(client)).call('PUT', '/uri?format=mutable', { body: 'keep me' })).text();
    expect(await sharesOnEach(keptMutable)).toEqual([1, 1, 1, 1]);
    // Before the upload: its leases cannot be older than this, so expiry must come > 6 s after it.
    const uploadedAt = Date.now();
    const forgottenCap = await put(client, forgotten, 'forgotten');
    expect(await sharesOnEach(forgottenCap)).toEqual([1, 1, 1, 1]);
    expect(await sharesOnEach(keptCap)).toEqual([1, 1, 1, 1]);

    // Renew the kept file's leases every second until the other file's expire (> 6 s after upload).
    const deadline = uploadedAt + 60_000;
    let renewals = 0;
    while ((await sharesOnEach(forgottenCap)).some((n, i) => n > 0 && i < 3)) {
      if (Date.now() > deadline) throw new Error(`the expiring servers still hold ${await sharesOnEach(forgottenCap)} shares after 60 s`);
      const renew = await cairn(['check', '--node-dir', client.dir, '--add-lease', keptCap]);
      expect(renew.stdout.split('\n')[0]).toBe('healthy: 4 of 4 shares found on 4 servers (2 needed); happiness 4 of 4');
      const renewMutable = await cairn(['check', '--node-dir', client.dir, '--add-lease', keptMutable]);
      expect(renewMutable.stdout.split('\n')[0]).toMatch(/^healthy: 4 of 4 shares of version 1/);
      renewals++;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(Date.now() - uploadedAt).toBeGreaterThan(LEASE_SECONDS * 1000);
    expect(renewals).toBeGreaterThan(2);

    // The three expiring servers deleted the unrenewed file's shares; the fourth keeps its own.
    expect(await sharesOnEach(forgottenCap)).toEqual([0, 0, 0, 1]);
    expect(await sharesOnEach(keptCap)).toEqual([1, 1, 1, 1]);
    expect(await sharesOnEach(keptMutable)).toEqual([1, 1, 1, 1]);
    for (const node of expiring) {
      expect(await readFile(join(node.dir, 'logs', 'cairn.log'), 'utf8')).toMatch(/lease expiry on \(leases older than 6 s\), crawl every 1 s/);
      expect(await readFile(join(node.dir, 'logs', 'cairn.log'), 'utf8')).toMatch(/lease crawler: 1 expired leases removed, 1 shares deleted/);
    }
    expect(await readFile(join(keeping.dir, 'logs', 'cairn.log'), 'utf8')).toMatch(/lease expiry off \(the crawler only counts\), crawl every 3600 s/);

    const check = await cairn(['check', '--node-dir', client.dir, forgottenCap]);
    expect(check.stdout.split('\n')[0]).toBe('NOT recoverable: 1 of 4 shares found on 1 servers (2 needed); happiness 1 of 4');
    const lost = await cairn(['get', '--node-dir', client.dir, forgottenCap, join(work, 'forgotten-out')]);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(/found 1 of the 2 shares needed/);
    const got = await cairn(['get', '--node-dir', grid.nodes[2]!.dir, keptCap, join(work, 'kept-out')]);
    expect(got.stderr).toBe('');
    expect(sameBytes(await readFile(join(work, 'kept-out')), kept)).toBe('same');
  }, 120_000);
});
