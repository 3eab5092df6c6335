// check, verify, repair and deep-check of mutable files and directories through the web API
// and the CLI of real `cairn run` processes; HEAD, ETags and `cairn put -`. An introducer
// and four storage nodes (five servers), encoding 2/4/5: every server holds one share.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Encode } from '../src-shared/base32.js';
import { formatCap, mutableStorageIndexOf, parseAnyCap, parseChkReadCap, readOnlyCapOf, verifyCapOf, type MutableFileCap } from '../src-shared/caps/index.js';
import { layoutOf } from '../src-main/core/mutable/share-layout.js';
import { MUTABLE_DATA_OFFSET } from '../src-main/storage/mutable-container.js';
import type { CheckResponse } from '../src-main/frontends/cli/node/check-report.js';
import { sameBytes } from './support/chk.js';
import { cairn, cairnBin, type CliResult } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';
import { uriPath, webApiOf, type WebApi } from './support/web-api.js';

let grid: GridHarness;
let aliceNode: NodeProcess;
let alice: WebApi;

beforeAll(async () => {
  grid = await GridHarness.create(4, { needed: 2, happy: 4, total: 5 });
  await grid.startAll();
  aliceNode = grid.storageNodes[0]!;
  await grid.waitForServers(aliceNode, 5, cairn);
  alice = await webApiOf(aliceNode);
}, 90_000);

afterAll(async () => {
  await grid?.destroy();
});

async function ok(response: Response): Promise<string> {
  const body = await response.text();
  if (!response.ok) throw new Error(`expected 2xx, got ${response.status}: ${body}`);
  return body;
}

async function errorOf(response: Response, status: number): Promise<string> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  return (JSON.parse(body) as { error: string }).error;
}

async function restCheck(path: string, query = ''): Promise<CheckResponse> {
  return JSON.parse(await ok(await alice.call('POST', `${path}?t=check${query}`))) as CheckResponse;
}

function storageIndexOf(cap: string): string {
  const parsed = parseAnyCap(cap);
  return base32Encode(mutableStorageIndexOf((parsed.kind === 'dir' ? parsed.file : parsed) as MutableFileCap));
}

/** Stops `node`, deletes its shares of these caps from its storage directory, starts it again. */
async function deleteSharesWhileStopped(node: NodeProcess, caps: readonly string[]): Promise<void> {
  await grid.stop(node);
  for (const cap of caps) {
    const si = storageIndexOf(cap);
    const files = await grid.shareFiles(node, si);
    expect(files.length, `${node.name} holds a share of each`).toBe(1);
    await rm(join(node.dir, 'storage', 'shares', si.slice(0, 2), si), { recursive: true });
  }
  await grid.start(node);
  await grid.waitForServers(aliceNode, 5, cairn);
}

/** `cairn put` with `stdin` piped in. */
function cairnWithStdin(args: string[], stdin: Uint8Array): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cairnBin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('a mutable directory and file with shares deleted from a stopped server', () => {
  it('are reported unhealthy; a read cap cannot repair; repair and deep-check --repair restore happiness', async () => {
    const dir = await ok(await alice.call('POST', '/uri?t=mkdir'));
    const fileCap = await ok(await alice.call('PUT', `${uriPath(dir, 'notes.txt')}?format=mutable`, { body: 'first notes' }));
    await ok(await alice.call('PUT', uriPath(dir, 'photo.bin'), { body: new Uint8Array(randomBytes(3000)) }));
    expect(await restCheck(uriPath(dir))).toMatchObject({ checked: { kind: 'mutable directory', path: '' }, healthy: true, sharesFound: 5, sharesTotal: 5 });
    expect(await restCheck(uriPath(dir, 'notes.txt'))).toMatchObject({ checked: { kind: 'mutable file', path: 'notes.txt' }, healthy: true });

    await deleteSharesWhileStopped(grid.storageNodes[2]!, [dir, fileCap]);

    const dirHealth = await restCheck(uriPath(dir));
    expect(dirHealth).toMatchObject({ healthy: false, recoverable: true, sharesFound: 4, sharesNeeded: 2, serversWithShares: 4 });
    expect(dirHealth.versions).toEqual([expect.objectContaining({ seqnum: 3, sharesFound: 4, recoverable: true })]);
    const cli = await cairn(['check', '--node-dir', aliceNode.dir, `${dir}/notes.txt`]);
    expect(cli.stderr).toBe('');
    const lines = cli.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^not healthy \(recoverable\): 4 of 5 shares of version 1 found on 4 servers \(2 needed\); happiness 4 of 4$/);
    expect(lines).toContain('checked: mutable file');
    expect(lines).toContain('shares: 4 of 5 found, 2 needed');
    expect(lines).toContain(`storage index: ${storageIndexOf(fileCap)}`);
    expect(lines.filter((line) => /^ {2}node-\d \(\w{8}\): share \d$|^ {2}introducer \(\w{8}\): share \d$/.test(line))).toHaveLength(4);
    expect(lines).toContainEqual(expect.stringMatching(/^version: seqnum 1, root hash [0-9a-f]{16}…, 4 shares$/));

    // A read cap checks but cannot repair: one clear error, nothing written.
    const readCap = formatCap(readOnlyCapOf(parseAnyCap(dir)));
    expect(await errorOf(await alice.call('POST', `${uriPath(readCap)}?t=check&repair=true`), 400)).toMatch(/^repair of a mutable file needs its write cap/);
    const readOnly = await cairn(['check', '--node-dir', aliceNode.dir, '--repair', `${readCap}/notes.txt`]);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr.trim().split('\n')).toEqual([expect.stringMatching(/repair of a mutable file needs its write cap/)]);
    // deep-check --repair through the read cap checks everything, repairs nothing, and says why.
    const lines2 = (await ok(await alice.call('POST', `${uriPath(readCap)}?t=stream-deep-check&repair=true`))).trim().split('\n');
    const entries = lines2.map((line) => JSON.parse(line) as { path: string[]; results: CheckResponse });
    expect(entries.map((entry) => [entry.path.join('/'), entry.results.healthy, entry.results.repair])).toEqual([
      ['', false, 'not possible from here: repair of a mutable file needs its write cap'],
      ['notes.txt', false, 'not possible from here: repair of a mutable file needs its write cap'],
      ['photo.bin', true, 'nothing to do: the file is healthy'],
    ]);
    expect((await restCheck(uriPath(dir))).sharesFound).toBe(4);

    const repaired = await restCheck(uriPath(dir, 'notes.txt'), '&repair=true');
    expect(repaired).toMatchObject({ repaired: true, healthy: true, sharesFound: 5 });
    expect(repaired.repair).toMatch(/^wrote version 1 again \(same seqnum and root hash\)/);
    expect(await ok(await alice.call('GET', uriPath(dir, 'notes.txt')))).toBe('first notes');

    const deep = await cairn(['deep-check', '--node-dir', aliceNode.dir, '--repair', dir]);
    expect(deep.stderr).toBe('');
    // Counted after repair: the directory was the one repaired.
    expect(deep.stdout.trim()).toBe('done: 3 objects checked, 3 healthy, 0 not healthy (0 not recoverable); 1 repaired');
    const again = await cairn(['deep-check', '--node-dir', aliceNode.dir, '--verify', dir]);
    expect(again.stdout.trim()).toBe('done: 3 objects checked, 3 healthy, 0 not healthy (0 not recoverable)');
  }, 120_000);
});

describe('cairn check --verify on a mutable file with a corrupt share', () => {
  it('finds the share only with --verify, and --repair rewrites it', async () => {
    const contents = new Uint8Array(randomBytes(20_000));
    const cap = await ok(await alice.call('PUT', '/uri?format=mutable', { body: contents }));
    const si = storageIndexOf(cap);
    const holder = grid.nodes.find((node) => node !== aliceNode && node !== grid.introducer)!;
    const [path] = await grid.shareFiles(holder, si);
    const bytes = await readFile(path!);
    bytes[MUTABLE_DATA_OFFSET + layoutOf(2, 5, contents.length).shareData + 1234]! ^= 0x01;
    await writeFile(path!, bytes);

    const counted = await cairn(['check', '--node-dir', aliceNode.dir, cap]);
    expect(counted.stdout).toMatch(/^healthy: 5 of 5 shares of version 1/);
    const verified = await cairn(['check', '--node-dir', aliceNode.dir, '--verify', cap]);
    expect(verified.stdout).toMatch(/^not healthy \(recoverable\): 4 of 5 shares of version 1 .*; 1 corrupt share\n/);
    expect(verified.stdout).toMatch(new RegExp(`\\ncorrupt: share \\d on ${holder.name} \\(\\w{8}\\): .*block`));

    const repaired = JSON.parse((await cairn(['check', '--node-dir', aliceNode.dir, '--verify', '--repair', '--json', cap])).stdout) as CheckResponse;
    expect(repaired).toMatchObject({ repaired: true, healthy: true });
    expect(repaired.corruptShares).toHaveLength(1);
    expect((await cairn(['check', '--node-dir', aliceNode.dir, '--verify', cap])).stdout.split('\n')[0]).toMatch(/^healthy: 5 of 5 shares/);
    expect(sameBytes(Buffer.from(await (await alice.call('GET', uriPath(cap))).arrayBuffer()), contents)).toBe('same');
  }, 60_000);
});

describe('check from verify caps through the web API', () => {
  it('an immutable file is checked, verified and repaired from its URI:CHK-Verifier: cap; a mutable one is checked from its verify cap', async () => {
    const data = new Uint8Array(randomBytes(100_000));
    const cap = await ok(await alice.call('PUT', '/uri', { body: data }));
    const verifier = formatCap(verifyCapOf(parseChkReadCap(cap)));
    const checked = await restCheck(uriPath(verifier), '&verify=true');
    expect(checked).toMatchObject({ checked: { kind: 'immutable file', path: '', verifycap: verifier }, healthy: true, sharesFound: 5, corruptShares: [] });
    expect(checked.checked?.['storage-index']).toMatch(/^[a-z2-7]{26}$/);

    const victim = grid.storageNodes[3]!;
    const si = base32Encode(verifyCapOf(parseChkReadCap(cap)).storageIndex);
    await grid.stop(victim);
    await rm(join(victim.dir, 'storage', 'shares', si.slice(0, 2), si), { recursive: true });
    await grid.start(victim);
    await grid.waitForServers(aliceNode, 5, cairn);
    expect(await restCheck(uriPath(verifier))).toMatchObject({ healthy: false, sharesFound: 4 });
    expect(await restCheck(uriPath(verifier), '&repair=true')).toMatchObject({ repaired: true, healthy: true, sharesFound: 5 });
    expect(await grid.shareFiles(victim, si)).toHaveLength(1);

    const mutable = await ok(await alice.call('PUT', '/uri?format=mutable', { body: 'checked from afar' }));
    const mutableVerifier = formatCap(verifyCapOf(parseAnyCap(mutable) as MutableFileCap));
    expect(mutableVerifier).toMatch(/^URI:SSK-ED25519-Verifier:/);
    expect(await restCheck(uriPath(mutableVerifier), '&verify=true&add-lease=true')).toMatchObject({ checked: { kind: 'mutable file' }, healthy: true, sharesFound: 5 });
    expect(await errorOf(await alice.call('POST', `${uriPath(mutableVerifier)}?t=check&repair=true`), 400)).toMatch(/^repair of a mutable file needs its write cap/);
  }, 60_000);
});

describe('check of the shared root before its first write', () => {
  it('is healthy: it reads as empty until then', async () => {
    const result = await cairn(['check', '--node-dir', aliceNode.dir, 'cairn:']);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe("healthy: the grid's shared directory is not published yet (it reads as empty until its first write)");
    const deep = await cairn(['deep-check', '--node-dir', aliceNode.dir, '--repair', 'cairn:']);
    expect(deep.stdout.trim()).toBe('done: 1 objects checked, 1 healthy, 0 not healthy (0 not recoverable); 0 repaired');
    const repair = await cairn(['check', '--node-dir', aliceNode.dir, '--repair', 'cairn:']);
    expect(repair.stdout).toMatch(/\nrepair: nothing to do: there is nothing to repair before the first write\n/);
  }, 30_000);
});

describe('bad input to check', () => {
  it('a malformed cap, a missing child and an unknown alias each get one clear error', async () => {
    const dir = await ok(await alice.call('POST', '/uri?t=mkdir'));
    const badCap = await cairn(['check', '--node-dir', aliceNode.dir, 'URI:SSK-ED25519:nonsense']);
    expect(badCap.code).toBe(1);
    expect(badCap.stderr.trim().split('\n')).toHaveLength(1);
    const missing = await cairn(['check', '--node-dir', aliceNode.dir, `${dir}/nothing-here`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toMatch(/no child named "nothing-here"/);
    const alias = await cairn(['check', '--node-dir', aliceNode.dir, 'nosuchalias:file']);
    expect(alias.code).toBe(1);
    expect(alias.stderr.trim()).toMatch(/unknown alias "nosuchalias:"/);
    expect(await errorOf(await alice.call('POST', `${uriPath(dir, 'nothing-here')}?t=check`), 404)).toMatch(/no child named "nothing-here"/);
    expect(await errorOf(await alice.call('POST', '/uri/URI%3ACHK%3Abad?t=check'), 400)).not.toBe('');
  }, 60_000);
});

describe('HEAD, ETag and If-None-Match; cairn put -', () => {
  it('put - uploads standard input; an immutable file has its verify cap as a strong ETag; HEAD sends only headers', async () => {
    const dir = await ok(await alice.call('POST', '/uri?t=mkdir'));
    const data = new Uint8Array(randomBytes(200_000));
    const put = await cairnWithStdin(['put', '--node-dir', aliceNode.dir, '-', `${dir}/from-stdin.bin`], data);
    expect(put.stderr).toBe('');
    const cap = put.stdout.trim();
    expect(cap).toMatch(/^URI:CHK:/);
    const verifier = formatCap(verifyCapOf(parseChkReadCap(cap)));

    const got = await alice.call('GET', uriPath(dir, 'from-stdin.bin'));
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe(`"${verifier}"`);
    expect(got.headers.get('cache-control')).toMatch(/immutable/);
    expect(sameBytes(Buffer.from(await got.arrayBuffer()), data)).toBe('same');

    const cached = await alice.call('GET', uriPath(cap), { headers: { 'if-none-match': `"${verifier}"` } });
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe('');
    const other = await alice.call('GET', uriPath(cap), { headers: { 'if-none-match': '"something-else"' } });
    expect(other.status).toBe(200);
    await other.arrayBuffer();

    const head = await alice.call('HEAD', uriPath(dir, 'from-stdin.bin'));
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('200000');
    expect(head.headers.get('content-type')).toBe('application/octet-stream');
    expect(head.headers.get('etag')).toBe(`"${verifier}"`);
    expect(await head.text()).toBe('');

    // A mutable file's ETag is its version: it changes when the file does.
    const mutable = await ok(await alice.call('PUT', '/uri?format=mutable', { body: 'v1' }));
    const headMutable = await alice.call('HEAD', uriPath(mutable));
    expect(headMutable.headers.get('content-length')).toBe('2');
    const version = headMutable.headers.get('etag')!;
    expect((await alice.call('GET', uriPath(mutable), { headers: { 'if-none-match': version } })).status).toBe(304);
    await ok(await alice.call('PUT', uriPath(mutable), { body: 'v2!' }));
    const changed = await alice.call('GET', uriPath(mutable), { headers: { 'if-none-match': version } });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toBe('v2!');

    const headMissing = await alice.call('HEAD', uriPath(dir, 'nothing-here'));
    expect(headMissing.status).toBe(404);
    const headBad = await alice.call('HEAD', '/uri/URI%3ACHK%3Abad');
    expect(headBad.status).toBe(400);
  }, 60_000);
});
