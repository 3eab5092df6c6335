import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { base32Encode } from '../src-shared/base32.js';
import { parseChkReadCap, storageIndexOfKey } from '../src-shared/caps/index.js';
import { cairn } from './support/cli.js';
import { loadNodeDirectory } from '../src-main/node/node-dir.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';
import { sameBytes } from './support/chk.js';

// Real processes on 127.0.0.1: an introducer and 10 storage nodes, each `cairn run`, with
// the CLI talking to them through their web API. Encoding 3/7/10.
let grid: GridHarness;
let work: string;

async function put(node: NodeProcess, file: string): Promise<string> {
  const result = await cairn(['put', '--node-dir', node.dir, file]);
  if (result.code !== 0) throw new Error(`put failed: ${result.stderr}`);
  return result.stdout.trim();
}

async function get(node: NodeProcess, cap: string, out: string): Promise<{ code: number; stderr: string }> {
  await rm(out, { force: true });
  return cairn(['get', '--node-dir', node.dir, cap, out]);
}

beforeAll(async () => {
  grid = await GridHarness.create(10, { needed: 3, happy: 7, total: 10 });
  work = join(grid.root, 'work');
  await mkdir(work);
  await grid.startAll();
  await grid.waitForServers(grid.storageNodes[0]!, 11, cairn);
}, 120_000);

afterAll(async () => {
  await grid?.destroy();
});

describe('a grid of real processes', () => {
  it('put and get round trips: 0 B, 1 B, 55 B, 56 B, 1 MiB ± 1, 50 MiB', async () => {
    const client = grid.storageNodes[0]!;
    const reader = grid.storageNodes[5]!;
    for (const size of [0, 1, 55, 56, 1024 * 1024 - 1, 1024 * 1024 + 1, 50 * 1024 * 1024]) {
      const data = randomBytes(size);
      const file = join(work, `in-${size}`);
      await writeFile(file, data);
      const cap = await put(client, file);
      expect(cap).toMatch(size <= 55 ? /^URI:LIT:/ : /^URI:CHK:.*:3:10:\d+$/);
      const result = await get(reader, cap, join(work, `out-${size}`));
      expect(result.stderr).toBe('');
      expect(sameBytes(await readFile(join(work, `out-${size}`)), data)).toBe('same');
    }
  }, 240_000);

  it('with any 7 of the 10 storage servers stopped, get still returns the exact bytes', async () => {
    const client = grid.introducer;
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const file = join(work, 'survivor');
    await writeFile(file, data);
    const cap = await put(client, file);
    for (let trial = 0; trial < 2; trial++) {
      const victims = [...grid.storageNodes].sort(() => Math.random() - 0.5).slice(0, 7);
      await Promise.all(victims.map((n) => grid.stop(n, 'SIGKILL')));
      const out = join(work, `survivor-out-${trial}`);
      const result = await get(client, cap, out);
      expect(result.stderr).toBe('');
      expect(sameBytes(await readFile(out), data)).toBe('same');
      await Promise.all(victims.map((n) => grid.start(n)));
    }
    await grid.waitForServers(client, 11, cairn);
  }, 240_000);

  it('a corrupt share on disk: get returns the right bytes and the server gets an advisory', async () => {
    const client = grid.storageNodes[1]!;
    const data = randomBytes(600_000);
    const file = join(work, 'corrupt-me');
    await writeFile(file, data);
    const cap = await put(client, file);
    // Corrupt this file's primary share 0 (the downloader reads it first).
    const si = base32Encode(storageIndexOfKey(parseChkReadCap(cap).key));
    let victim: NodeProcess | undefined;
    for (const node of grid.nodes) {
      for (const share of await grid.shareFiles(node)) {
        if (!share.endsWith(`/${si}/0`)) continue;
        victim = node;
        const bytes = await readFile(share);
        bytes[12 + 0x24 + 10]! ^= 0xff;
        await writeFile(share, bytes);
      }
    }
    expect(victim).toBeDefined();
    const out = join(work, 'corrupt-out');
    const result = await get(grid.storageNodes[2]!, cap, out);
    expect(result.code).toBe(0);
    expect(sameBytes(await readFile(out), data)).toBe('same');
    await waitFor(async () => (await readdir(join(victim!.dir, 'storage', 'corruption-advisories')).catch(() => [])).length > 0);
  }, 120_000);

  it('a restarted storage server still has its shares, and check finds them', async () => {
    const client = grid.storageNodes[3]!;
    const file = join(work, 'keep');
    await writeFile(file, randomBytes(400_000));
    const cap = await put(client, file);
    const restarted = grid.storageNodes[4]!;
    const before = (await grid.shareFiles(restarted)).length;
    expect(before).toBeGreaterThan(0);
    await grid.stop(restarted, 'SIGTERM');
    await grid.start(restarted);
    expect((await grid.shareFiles(restarted)).length).toBe(before);
    await grid.waitForServers(client, 11, cairn);
    const check = await cairn(['check', '--node-dir', client.dir, cap]);
    expect(check.stdout.trim()).toBe('healthy: 10 of 10 shares found on 10 servers (3 needed); happiness 10 of 7');
    const verify = await cairn(['check', '--node-dir', client.dir, '--verify', cap]);
    expect(verify.stdout).toMatch(/^healthy: 10 of 10 shares/);
  }, 120_000);

  it('a storage server SIGKILLed mid-upload leaves no share that looks complete; the upload finishes elsewhere', async () => {
    const client = grid.storageNodes[6]!;
    const data = randomBytes(40 * 1024 * 1024);
    const file = join(work, 'killed-mid-upload');
    await writeFile(file, data);
    const victim = grid.storageNodes[7]!;
    const upload = cairn(['put', '--node-dir', client.dir, file]);
    await waitFor(async () => existsSync(join(victim.dir, 'storage', 'shares', 'incoming')) && (await readdir(join(victim.dir, 'storage', 'shares', 'incoming'))).length > 0, 30_000);
    await grid.stop(victim, 'SIGKILL');
    const result = await upload;
    expect(result.stderr).toBe('');
    const cap = result.stdout.trim();
    expect(cap).toMatch(/^URI:CHK:/);
    await grid.start(victim);
    // Restart wiped incoming/; nothing of this file looks complete on the victim.
    expect(existsSync(join(victim.dir, 'storage', 'shares', 'incoming'))).toBe(false);
    const out = join(work, 'killed-out');
    expect((await get(grid.storageNodes[8]!, cap, out)).code).toBe(0);
    expect(sameBytes(await readFile(out), data)).toBe('same');
  }, 180_000);

  it('no secret reaches any log: grid key, API tokens, node secrets, the link, caps', async () => {
    const client = grid.storageNodes[0]!;
    const file = join(work, 'secret-check');
    await writeFile(file, randomBytes(200_000));
    const cap = await put(client, file);
    await cairn(['check', '--node-dir', client.dir, '--verify', cap]);
    const secrets = [cap.split(':')[2]!];
    for (const node of grid.nodes) {
      for (const name of ['api_auth_token', 'convergence', 'secret', 'introducer.link', 'node.key']) {
        secrets.push((await readFile(join(node.dir, 'private', name), 'utf8')).trim());
      }
    }
    const link = await loadNodeDirectory(client.dir);
    secrets.push(base32Encode(link.gridLink.gridKey));
    for (const node of grid.nodes) {
      const logs = (await readFile(join(node.dir, 'logs', 'cairn.log'), 'utf8')) + node.stderr;
      expect(logs.length).toBeGreaterThan(0);
      for (const secret of secrets) expect(logs.includes(secret), `${node.name}'s log holds a secret`).toBe(false);
    }
  }, 60_000);

  it('status lists the peers, and a stopped node is reported clearly', async () => {
    const status = await cairn(['status', '--node-dir', grid.storageNodes[0]!.dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/11 storage servers known/);
    for (const n of grid.nodes) expect(status.stdout).toContain(n.name);
    const lone = grid.storageNodes[9]!;
    await grid.stop(lone);
    const stopped = await cairn(['status', '--node-dir', lone.dir]);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/is not running/);
    await grid.start(lone);
  }, 60_000);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
