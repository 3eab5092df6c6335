import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckResult } from '../src-main/frontends/web/node-api.js';
import { base32Encode } from '../src-shared/base32.js';
import { parseChkReadCap, storageIndexOfKey } from '../src-shared/caps/index.js';
import { sameBytes } from './support/chk.js';
import { cairn } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';

// Repair of a corrupt-but-present share between real processes: five storage servers
// (an introducer and four nodes), encoding 2/4/5, so every server holds one share.
let grid: GridHarness;
let work: string;

beforeAll(async () => {
  grid = await GridHarness.create(4, { needed: 2, happy: 4, total: 5 });
  work = join(grid.root, 'work');
  await mkdir(work);
  await grid.startAll();
  for (const node of grid.nodes) await grid.waitForServers(node, 5, cairn);
}, 120_000);

afterAll(async () => {
  await grid?.destroy();
});

async function check(node: NodeProcess, cap: string, ...flags: string[]): Promise<CheckResult> {
  const result = await cairn(['check', '--node-dir', node.dir, '--json', ...flags, cap]);
  if (result.code !== 0) throw new Error(`check failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as CheckResult;
}

describe('check --verify --repair with a corrupt share on disk', () => {
  it('reports the share, advises its server, regenerates it elsewhere, and the file is fully healthy again', async () => {
    const client = grid.storageNodes[0]!;
    const data = randomBytes(700_000);
    const file = join(work, 'file');
    await writeFile(file, data);
    const put = await cairn(['put', '--node-dir', client.dir, file]);
    expect(put.stderr).toBe('');
    const cap = put.stdout.trim();
    const si = base32Encode(storageIndexOfKey(parseChkReadCap(cap).key));
    const placement = await Promise.all(grid.nodes.map(async (node) => (await grid.shareFiles(node, si)).map((path) => Number(path.split('/').pop()))));
    expect(placement.map((shares) => shares.length)).toEqual([1, 1, 1, 1, 1]);

    // Flip a byte inside share 0's first block, on disk.
    const holder = grid.nodes[placement.findIndex((shares) => shares[0] === 0)]!;
    const [sharePath] = await grid.shareFiles(holder, si);
    const bytes = await readFile(sharePath!);
    bytes[12 + 0x24 + 10]! ^= 0xff;
    await writeFile(sharePath!, bytes);

    const repair = await check(client, cap, '--verify', '--repair');
    expect(repair.corruptShares).toHaveLength(1);
    expect(repair.corruptShares[0]).toMatch(new RegExp(`^share 0 on ${holder.name} \\(\\w{8}\\): `));
    expect(repair.repaired).toBe(true);
    expect(repair.summary).toBe('repaired; now healthy: 5 of 5 shares found on 4 servers (2 needed); happiness 4 of 4');

    // (b) the holder received a corruption advisory for that share.
    const advisories = await readdir(join(holder.dir, 'storage', 'corruption-advisories'));
    expect(advisories).toHaveLength(1);
    expect(advisories[0]).toMatch(new RegExp(`--${si}-0$`));

    // (c) share 0 was regenerated on another server; the corrupt copy stays where it was.
    const after = await Promise.all(grid.nodes.map(async (node) => (await grid.shareFiles(node, si)).map((path) => Number(path.split('/').pop())).sort()));
    expect(after.filter((shares) => shares.includes(0))).toHaveLength(2);
    expect(after.flat().sort()).toEqual([0, 0, 1, 2, 3, 4]);
    const head = 12 + 0x24 + 4096; // container and share headers, and the start of the corrupted block
    expect((await readFile(sharePath!)).subarray(0, head)).toEqual(bytes.subarray(0, head));

    // A fresh verify from another node: all five distinct shares good; the corrupt copy is
    // reported and not counted, so happiness is over the four servers with good shares.
    const verify = await check(grid.storageNodes[3]!, cap, '--verify');
    expect(verify.healthy).toBe(true);
    expect(verify.sharesFound).toBe(5);
    expect(verify.serversWithShares).toBe(4);
    expect(verify.happiness).toBe(4);
    expect(verify.corruptShares).toHaveLength(1);
    expect(verify.corruptShares[0]).toMatch(new RegExp(`^share 0 on ${holder.name} `));
    expect(verify.summary).toBe('healthy: 5 of 5 shares found on 4 servers (2 needed); happiness 4 of 4; 1 corrupt share');

    const out = join(work, 'out');
    const get = await cairn(['get', '--node-dir', grid.storageNodes[2]!.dir, cap, out]);
    expect(get.stderr).toBe('');
    expect(sameBytes(await readFile(out), data)).toBe('same');
  }, 120_000);
});
