// Files on the node's machine, named instead of sent (web/local-files.ts): `PUT /uri?local-file=…`
// (cairn put FILE: the node reads the file) and `POST /uri/<cap>?t=download-to&local-file=…`
// (cairn get CAP OUTFILE: the node writes the bytes into the CLI's empty temporary file), with
// real `cairn run` processes: an introducer and three storage nodes, encoding 2/3/4. The CLI's
// fall-back to sending or receiving the bytes is checked against a stand-in node that cannot
// see its files (another file system: a fault not made here).
import { createHash, randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCap } from '../src-shared/caps/index.js';
import { localFileIdentity, localFileQuery } from '../src-main/frontends/web/local-files.js';
import { CONFIG_FILE } from '../src-main/node/node-dir.js';
import { cairn } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';
import { uriPath, webApiOf, type WebApi } from './support/web-api.js';
import { sameBytes } from './support/chk.js';

let grid: GridHarness;
let node: NodeProcess;
let api: WebApi;
let work: string;

beforeAll(async () => {
  grid = await GridHarness.create(3, { needed: 2, happy: 3, total: 4 });
  await grid.startAll();
  node = grid.storageNodes[0]!;
  await grid.waitForServers(node, 4, cairn);
  api = await webApiOf(node);
  work = await mkdtemp(join(tmpdir(), 'cairn-local-file-'));
}, 60_000);

afterAll(async () => {
  await grid?.destroy();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

async function errorOf(response: Response, status: number): Promise<string> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  return (JSON.parse(body) as { error: string }).error;
}

async function download(cap: string, ...names: string[]): Promise<Uint8Array> {
  const response = await api.call('GET', uriPath(cap, ...names));
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

describe('an upload of a file the node reads itself', () => {
  it('gives the cap an upload of the same bytes gives, with no request body', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const path = join(work, 'three-mib.bin');
    await writeFile(path, data);
    const query = localFileQuery(await localFileIdentity(path));
    const local = await api.call('PUT', `/uri?${query}`);
    expect(local.status).toBe(200);
    const cap = (await local.text()).trim();
    expect(cap).toMatch(/^URI:CHK:/);
    const sent = await api.call('PUT', '/uri', { body: data });
    expect((await sent.text()).trim()).toBe(cap); // convergent: the same bytes, the same cap
    expect(sameBytes(await download(cap), data)).toBe('same');
  }, 60_000);

  it('refuses what it must: a relative path, a body too, a missing file, another file, a directory', async () => {
    const path = join(work, 'small.bin');
    await writeFile(path, randomBytes(1000));
    const identity = await localFileIdentity(path);
    const relative = new URLSearchParams({ 'local-file': 'small.bin', size: '1000', 'mtime-ns': '1', ino: '1' });
    expect(await errorOf(await api.call('PUT', `/uri?${relative}`), 400)).toMatch(/absolute path/);
    expect(await errorOf(await api.call('PUT', `/uri?${localFileQuery(identity)}`, { body: 'bytes' }), 400)).toMatch(/has no body/);
    const noSize = new URLSearchParams({ 'local-file': path, 'mtime-ns': '1', ino: '1' });
    expect(await errorOf(await api.call('PUT', `/uri?${noSize}`), 400)).toMatch(/needs size=/);

    const missing = localFileQuery({ ...identity, path: join(work, 'no-such-file') });
    expect(await errorOf(await api.call('PUT', `/uri?${missing}`), 422)).toMatch(/cannot use .*no-such-file \(ENOENT\): send the bytes instead/);
    const otherSize = localFileQuery({ ...identity, size: identity.size + 1n });
    expect(await errorOf(await api.call('PUT', `/uri?${otherSize}`), 422)).toMatch(/is not the file the request describes/);
    await utimes(path, new Date(), new Date(Date.now() - 60_000)); // changed since the request was made
    expect(await errorOf(await api.call('PUT', `/uri?${localFileQuery(identity)}`), 422)).toMatch(/is not the file the request describes/);
    const dir = join(work, 'a-directory');
    await mkdir(dir);
    const info = await stat(dir, { bigint: true });
    const directory = localFileQuery({ path: dir, size: info.size, mtimeNs: info.mtimeNs, ino: info.ino });
    expect(await errorOf(await api.call('PUT', `/uri?${directory}`), 422)).toMatch(/not a regular file/);
  });

  it('cairn put FILE: the same cap, and linked at a PATH too', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    const path = join(work, 'cli.bin');
    await writeFile(path, data);
    const spooled: string[] = []; // an upload of bytes goes through a spool file in DIR/tmp
    const watcher = watch(join(node.dir, 'tmp'), (_event, name) => spooled.push(String(name)));
    const put = await cairn(['put', '--node-dir', node.dir, path]).finally(() => watcher.close());
    expect(put.stderr).toBe('');
    expect(spooled).toEqual([]);
    const cap = put.stdout.trim();
    const sent = await api.call('PUT', '/uri', { body: data });
    expect((await sent.text()).trim()).toBe(cap);

    const dir = (await (await api.call('POST', '/uri?t=mkdir')).text()).trim();
    const linked = await cairn(['put', '--node-dir', node.dir, 'cli.bin', `${dir}/copy.bin`], work); // a relative FILE
    expect(linked.stderr).toBe('');
    expect(linked.stdout.trim()).toBe(cap);
    expect(sameBytes(await download(dir, 'copy.bin'), data)).toBe('same');
  }, 60_000);
});

describe('a download the node writes into a file on its machine', () => {
  it('fills the empty file the request names, and says how many bytes', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 3);
    const cap = (await (await api.call('PUT', '/uri', { body: data })).text()).trim();
    const target = join(work, 'download.partial');
    await writeFile(target, '');
    const response = await api.call('POST', `${uriPath(cap)}?t=download-to&${localFileQuery(await localFileIdentity(target))}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ bytes: data.length });
    expect(sameBytes(await readFile(target), data)).toBe('same');
  }, 60_000);

  it('refuses what it must: no local-file, a file not empty, another file, a missing one, a directory cap', async () => {
    const cap = (await (await api.call('PUT', '/uri', { body: randomBytes(5000) })).text()).trim();
    const target = join(work, 'refused.partial');
    await writeFile(target, '');
    const identity = await localFileIdentity(target);
    const at = (query: string) => `${uriPath(cap)}?t=download-to${query === '' ? '' : `&${query}`}`;
    expect(await errorOf(await api.call('POST', at('')), 400)).toMatch(/needs local-file=/);
    expect(await errorOf(await api.call('POST', at(localFileQuery({ ...identity, ino: identity.ino + 1n }))), 422)).toMatch(/is not the file the request describes/);
    expect(await errorOf(await api.call('POST', at(localFileQuery({ ...identity, path: join(work, 'nowhere', 'x') }))), 422)).toMatch(/cannot use .*\(ENOENT\)/);
    await writeFile(target, 'already here');
    expect(await errorOf(await api.call('POST', at(localFileQuery(await localFileIdentity(target)))), 400)).toMatch(/must be empty/);
    expect((await readFile(target, 'utf8'))).toBe('already here');
    const dir = (await (await api.call('POST', '/uri?t=mkdir')).text()).trim();
    await writeFile(target, '');
    expect(await errorOf(await api.call('POST', `${uriPath(dir)}?t=download-to&${localFileQuery(await localFileIdentity(target))}`), 400)).toMatch(/names a directory/);
  });

  it('cairn get CAP OUTFILE and cairn cp: the right bytes, no temporary file left', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 1);
    const cap = (await (await api.call('PUT', '/uri', { body: data })).text()).trim();
    const out = join(work, 'got', 'file.bin');
    await mkdir(join(work, 'got'));
    const got = await cairn(['get', '--node-dir', node.dir, cap, join('got', 'file.bin')], work); // a relative OUTFILE
    expect(got.code, got.stderr).toBe(0);
    expect(sameBytes(await readFile(out), data)).toBe('same');
    const dir = (await (await api.call('POST', '/uri?t=mkdir')).text()).trim();
    await api.call('PUT', `${uriPath(dir, 'f.bin')}?t=uri`, { body: cap });
    const copied = await cairn(['cp', '--node-dir', node.dir, `${dir}/f.bin`, join(work, 'got', 'copy.bin')]);
    expect(copied.code, copied.stderr).toBe(0);
    expect(sameBytes(await readFile(join(work, 'got', 'copy.bin')), data)).toBe('same');
    expect((await readdir(join(work, 'got'))).sort()).toEqual(['copy.bin', 'file.bin']);
  }, 60_000);
});

describe('cairn put FILE to a node that cannot see the file', () => {
  let server: Server;
  let nodeDir: string;
  const requests: Array<{ url: string; bodySha256: string; bodyBytes: number }> = [];
  const served = randomBytes(70_000);

  beforeAll(async () => {
    // a stand-in node on another file system: it answers 422 to local-file, and takes bytes
    server = createServer((req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
      });
      req.on('end', () => {
        const bodySha256 = hash.digest('hex');
        requests.push({ url: req.url ?? '', bodySha256, bodyBytes: bytes });
        if (req.url?.includes('local-file=') === true) {
          res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'the node cannot use it (ENOENT): send the bytes instead' }));
        } else if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': served.length }).end(served);
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' }).end(`URI:LIT:${bodySha256}\n`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    nodeDir = join(work, 'stand-in-node');
    await mkdir(join(nodeDir, 'private'), { recursive: true });
    await writeFile(join(nodeDir, CONFIG_FILE), JSON.stringify({ web: { port } }));
    await writeFile(join(nodeDir, 'private', 'api_auth_token'), 'token\n');
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('names the file first, then sends its bytes', async () => {
    const data = randomBytes(300_000);
    const path = join(work, 'fallback.bin');
    await writeFile(path, data);
    const put = await cairn(['put', '--node-dir', nodeDir, path]);
    expect(put.code, put.stderr).toBe(0);
    const sha = createHash('sha256').update(data).digest('hex');
    expect(put.stdout.trim()).toBe(`URI:LIT:${sha}`);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.url).toContain(`local-file=${encodeURIComponent(path)}`);
    expect(requests[0]!.bodyBytes).toBe(0);
    expect(requests[1]).toEqual({ url: '/uri', bodySha256: sha, bodyBytes: data.length });
  });

  it('cairn get: names an empty temporary file first, then takes the bytes', async () => {
    requests.length = 0;
    const cap = formatCap({ kind: 'lit', data: new Uint8Array(10) }); // any cap: the stand-in serves the same bytes for all
    const out = join(work, 'from-stand-in.bin');
    const got = await cairn(['get', '--node-dir', nodeDir, cap, out]);
    expect(got.code, got.stderr).toBe(0);
    expect(sameBytes(await readFile(out), served)).toBe('same');
    expect(requests).toHaveLength(2);
    expect(requests[0]!.url).toMatch(/\?t=download-to&local-file=/);
    expect(decodeURIComponent(requests[0]!.url)).toContain(`${out}.`); // the temporary file beside OUTFILE
    expect(requests[1]!.url).toBe(`/uri/${encodeURIComponent(cap)}`);
    expect((await readdir(work)).filter((name) => name.startsWith('from-stand-in'))).toEqual(['from-stand-in.bin']);
  });
});
