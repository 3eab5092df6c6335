import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
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

  it('the web API serves byte ranges (206), file info (t=json) and clear JSON errors', async () => {
    const node = await loadNodeDirectory(grid.storageNodes[2]!.dir);
    const base = `http://127.0.0.1:${node.config.web.port}`;
    const auth = { authorization: `Bearer ${node.apiToken}` };
    const data = randomBytes(3 * 1024 * 1024 + 12345);
    const file = join(work, 'ranges.bin');
    await writeFile(file, data);
    const cap = await put(grid.storageNodes[1]!, file);
    const url = `${base}/uri/${encodeURIComponent(cap)}`;
    const cases: Array<[string, number, number]> = [
      ['bytes=0-0', 0, 1],
      ['bytes=1048570-1048580', 1048570, 1048581], // across a segment boundary
      ['bytes=2097152-', 2097152, data.length], // from a segment start to the end
      ['bytes=-100', data.length - 100, data.length],
      [`bytes=5-${data.length + 100}`, 5, data.length], // an end past the file is cut
    ];
    for (const [header, start, end] of cases) {
      const response = await fetch(url, { headers: { ...auth, range: header } });
      expect(response.status, header).toBe(206);
      expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end - 1}/${data.length}`);
      expect(sameBytes(new Uint8Array(await response.arrayBuffer()), data.subarray(start, end)), header).toBe('same');
    }
    const past = await fetch(url, { headers: { ...auth, range: `bytes=${data.length}-` } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${data.length}`);
    const ignored = await fetch(url, { headers: { ...auth, range: 'bytes=9-3' } });
    expect(ignored.status).toBe(200);
    expect((await ignored.arrayBuffer()).byteLength).toBe(data.length);

    const info = (await (await fetch(`${url}?t=json`, { headers: auth })).json()) as [string, Record<string, unknown>];
    expect(info[0]).toBe('filenode');
    expect(info[1]).toMatchObject({ mutable: false, format: 'CHK', ro_uri: cap, size: data.length });
    expect(String(info[1].verify_uri)).toMatch(/^URI:CHK-Verifier:/);

    const literal = await fetch(`${base}/uri/${encodeURIComponent('URI:LIT:nbswy3dpeb3w64tmmq')}`, { headers: { ...auth, range: 'bytes=6-' } });
    expect(literal.status).toBe(206);
    expect(await literal.text()).toBe('world');

    const badCap = await fetch(`${base}/uri/URI:CHK:nonsense`, { headers: auth });
    expect(badCap.status).toBe(400);
    expect(((await badCap.json()) as { error: string }).error).toMatch(/CHK/);
    const noToken = await fetch(url);
    expect(noToken.status).toBe(401);
    expect(((await noToken.json()) as { error: string }).error).toMatch(/API token/);
  }, 60_000);

  it('the event stream reports an upload\'s start, progress and end; statistics count it', async () => {
    const nodeProcess = grid.storageNodes[3]!;
    const node = await loadNodeDirectory(nodeProcess.dir);
    const base = `http://127.0.0.1:${node.config.web.port}`;
    const auth = { authorization: `Bearer ${node.apiToken}` };
    const before = (await (await fetch(`${base}/statistics?t=json`, { headers: auth })).json()) as { operations: { upload: { done: number; bytes: number } } };
    const controller = new AbortController();
    const events = await fetch(`${base}/events`, { headers: auth, signal: controller.signal });
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const seen: Array<{ event: string; data: { kind?: string; state?: string; bytesDone?: number; bytesTotal?: number } }> = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let text = '';
      try {
        for await (const chunk of events.body!) {
          text += decoder.decode(chunk as Uint8Array, { stream: true });
          let end: number;
          while ((end = text.indexOf('\n\n')) >= 0) {
            const block = text.slice(0, end);
            text = text.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event !== undefined && data !== undefined) seen.push({ event, data: JSON.parse(data) as never });
          }
        }
      } catch {
        // aborted at the end of the test
      }
    })();
    const size = 6 * 1024 * 1024 + 7;
    const file = join(work, 'events.bin');
    await writeFile(file, randomBytes(size));
    await put(nodeProcess, file);
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    await reading;
    const uploads = seen.filter((e) => e.event === 'operation' && e.data.kind === 'upload');
    expect(uploads[0]?.data).toMatchObject({ state: 'running', bytesDone: 0, bytesTotal: size });
    expect(uploads.at(-1)?.data).toMatchObject({ state: 'done', bytesDone: size, bytesTotal: size });
    const after = (await (await fetch(`${base}/statistics?t=json`, { headers: auth })).json()) as typeof before;
    expect(after.operations.upload.done).toBe(before.operations.upload.done + 1);
    expect(after.operations.upload.bytes).toBe(before.operations.upload.bytes + size);
    const status = (await (await fetch(`${base}/status?t=json`, { headers: auth })).json()) as { operations: unknown[] };
    expect(status.operations).toEqual([]);
  }, 60_000);

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
    // Corrupt N - K = 7 shares, the primary ones among them, so that any K shares a download
    // starts with include a corrupt one, whichever servers answer first; 3 good shares remain.
    const si = base32Encode(storageIndexOfKey(parseChkReadCap(cap).key));
    const victims: NodeProcess[] = [];
    for (const node of grid.nodes) {
      for (const share of await grid.shareFiles(node)) {
        const shareNumber = Number(share.split('/').at(-1));
        if (!share.includes(`/${si}/`) || shareNumber >= 7) continue;
        victims.push(node);
        const bytes = await readFile(share);
        bytes[12 + 0x24 + 10]! ^= 0xff;
        await writeFile(share, bytes);
      }
    }
    expect(victims.length).toBe(7);
    const reader = grid.storageNodes[2]!;
    await grid.waitForServers(reader, 11, cairn);
    const out = join(work, 'corrupt-out');
    const result = await get(reader, cap, out);
    expect(result.code).toBe(0);
    expect(sameBytes(await readFile(out), data)).toBe('same');
    const advised = async (node: NodeProcess) => (await readdir(join(node.dir, 'storage', 'corruption-advisories')).catch(() => [])).length > 0;
    await waitFor(async () => (await Promise.all(victims.map(advised))).some(Boolean));
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
    expect(check.stdout.split('\n')[0]).toBe('healthy: 10 of 10 shares found on 10 servers (3 needed); happiness 10 of 7');
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

  it('a node whose web port is taken stops at once with a clear error, not half started', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const dir = join(work, 'port-taken');
      const link = (await readFile(join(grid.introducer.dir, 'private', 'introducer.link'), 'utf8')).trim();
      const created = await cairn(['create-node', dir, '--introducer', link, '--listen', '/ip4/127.0.0.1/tcp/0', '--web-port', String(port)]);
      expect(created.code).toBe(0);
      // Before the fix the node logged the error and went on running, connected to the grid,
      // so `cairn run` never returned: the test timed out.
      const started = Date.now();
      const run = await cairn(['run', dir, '--fast-timers']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`the web API cannot listen on 127.0.0.1:${port}: the port is in use`);
      expect(run.stdout).not.toContain('ready:');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      blocker.close();
    }
  }, 60_000);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
