// The vdrive CLI verbs (ls, mkdir, put, get, rm, ln, mv, cp, create-alias) against real
// `cairn run` processes: an introducer and three storage nodes, encoding 2/3/4.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairn, cairnBin, type CliResult } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';
import { sameBytes } from './support/chk.js';

let grid: GridHarness;
let alice: NodeProcess;
let bob: NodeProcess;
let work: string;

/** Runs a CLI command on a node; it must succeed. */
async function on(node: NodeProcess, ...args: string[]): Promise<string> {
  const result = await cairn([...args, '--node-dir', node.dir]);
  if (result.code !== 0) throw new Error(`cairn ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

async function ls(node: NodeProcess, path: string): Promise<string[]> {
  return (await on(node, 'ls', path)).split('\n').filter((line) => line !== '');
}

/** A failure: non-zero exit and one line on stderr. */
function expectOneLineError(result: CliResult, message: RegExp, what = ''): void {
  expect(result.code, `${what}: ${result.stderr}`).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
}

beforeAll(async () => {
  grid = await GridHarness.create(3, { needed: 2, happy: 3, total: 4 });
  work = join(grid.root, 'work');
  await mkdir(work);
  await grid.startAll();
  [alice, bob] = grid.storageNodes as [NodeProcess, NodeProcess];
  await Promise.all([grid.waitForServers(alice, 4, cairn), grid.waitForServers(bob, 4, cairn)]);
}, 60_000);

afterAll(async () => {
  await grid?.destroy();
});

describe('vdrive verbs through the CLI', () => {
  it('every verb has --help', async () => {
    for (const verb of ['ls', 'mkdir', 'put', 'get', 'rm', 'ln', 'mv', 'cp', 'create-alias', 'manifest', 'deep-check']) {
      const result = await cairn([verb, '--help']);
      expect(result.code, verb).toBe(0);
      expect(result.stdout, verb).toMatch(new RegExp(`^usage: cairn ${verb} `));
    }
  });

  it('the shared root "cairn:": one member puts, another lists and gets', async () => {
    expect(await ls(bob, 'cairn:')).toEqual([]);
    const data = randomBytes(70_000);
    await writeFile(join(work, 'shared.bin'), data);
    expect(await on(alice, 'put', join(work, 'shared.bin'), 'cairn:shared.bin')).toMatch(/^URI:CHK:/);
    expect(await ls(bob, 'cairn:')).toEqual(['shared.bin']);
    expect(await ls(bob, '')).toEqual(['shared.bin']); // a path with no alias is under "cairn:"
    await on(bob, 'get', 'shared.bin', join(work, 'shared.out'));
    expect(sameBytes(await readFile(join(work, 'shared.out')), data)).toBe('same');
  }, 60_000);

  it('create-alias, mkdir, put, ls, get, mv, ln and rm round trip', async () => {
    expect(await on(alice, 'create-alias', 'photos')).toMatch(/Alias "photos" created/);
    expect(await on(alice, 'mkdir', 'photos:2024')).toMatch(/^URI:DIR2-ED25519:/);
    const data = randomBytes(300_000);
    await writeFile(join(work, 'a.bin'), data);
    const cap = (await on(alice, 'put', join(work, 'a.bin'), 'photos:2024/a.bin')).trim();
    expect(await ls(alice, 'photos:2024')).toEqual(['a.bin']);
    const long = await ls(alice, 'photos:');
    expect(long).toEqual(['2024']);
    // an immutable file is read-only wherever it is linked; the link time is the put's
    expect(await on(alice, 'ls', '-l', 'photos:2024')).toMatch(/^-r- +300 kB \d{4}-\d\d-\d\d \d\d:\d\d:\d\d a\.bin\n$/);
    expect(await on(alice, 'ls', '-l', 'photos:')).toMatch(/^drw +- \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 2024\n$/);
    const json = JSON.parse(await on(alice, 'ls', '--json', 'photos:2024')) as [string, { children: Record<string, [string, { ro_uri: string }]> }];
    expect(json[1].children['a.bin']![1].ro_uri).toBe(cap);

    await on(alice, 'get', 'photos:2024/a.bin', join(work, 'a.out'));
    expect(sameBytes(await readFile(join(work, 'a.out')), data)).toBe('same');
    await writeFile(join(work, 'hello.txt'), 'hello, grid\n');
    await on(alice, 'put', join(work, 'hello.txt'), 'photos:2024/hello.txt');
    expect(await on(alice, 'get', 'photos:2024/hello.txt', '-')).toBe('hello, grid\n');
    await on(alice, 'rm', 'photos:2024/hello.txt');

    await on(alice, 'mv', 'photos:2024/a.bin', 'photos:b.bin');
    expect(await ls(alice, 'photos:')).toEqual(['2024', 'b.bin']);
    expect(await ls(alice, 'photos:2024')).toEqual([]);
    await on(alice, 'mv', 'photos:b.bin', 'photos:2024'); // into a directory, under its own name
    expect(await ls(alice, 'photos:2024')).toEqual(['b.bin']);
    await on(alice, 'ln', 'photos:2024/b.bin', 'photos:linked.bin');
    expect(await ls(alice, 'photos:')).toEqual(['2024', 'linked.bin']);
    await on(alice, 'ln', cap, 'cairn:by-cap.bin');
    expect(await ls(bob, 'cairn:')).toContain('by-cap.bin');

    await on(alice, 'rm', 'photos:linked.bin');
    expect(await ls(alice, 'photos:')).toEqual(['2024']);
    // Unlinked, not deleted: the cap still reads.
    await on(bob, 'get', cap, join(work, 'a.again'));
    expect(sameBytes(await readFile(join(work, 'a.again')), data)).toBe('same');
  }, 90_000);

  it('cp copies files and directory trees both ways', async () => {
    const tree = join(work, 'tree');
    await mkdir(join(tree, 'sub', 'deeper'), { recursive: true });
    const files: Record<string, Buffer> = { 'top.txt': Buffer.from('top\n'), 'sub/mid.bin': randomBytes(100_000), 'sub/deeper/low.bin': randomBytes(10) };
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(tree, name), bytes);
    await on(alice, 'mkdir', 'cairn:backup');
    await on(alice, 'cp', '-r', tree, 'cairn:backup');
    expect(await ls(bob, 'cairn:backup/tree')).toEqual(['sub', 'top.txt']);
    expect(await ls(bob, 'cairn:backup/tree/sub/deeper')).toEqual(['low.bin']);

    const back = join(work, 'back');
    await mkdir(back);
    await on(bob, 'cp', '-r', 'cairn:backup/tree', back);
    for (const [name, bytes] of Object.entries(files)) expect(sameBytes(await readFile(join(back, 'tree', name)), bytes), name).toBe('same');

    await on(bob, 'cp', 'cairn:backup/tree/top.txt', join(work, 'one.txt'));
    expect(await readFile(join(work, 'one.txt'), 'utf8')).toBe('top\n');
    await on(bob, 'cp', join(work, 'one.txt'), join(work, 'a.bin'), 'cairn:backup/');
    expect(await ls(bob, 'cairn:backup')).toEqual(['a.bin', 'one.txt', 'tree']);
    await on(bob, 'cp', 'cairn:backup/one.txt', 'cairn:backup/tree/copy.txt');
    expect(await ls(bob, 'cairn:backup/tree')).toEqual(['copy.txt', 'sub', 'top.txt']);

    expectOneLineError(await cairn(['cp', tree, 'cairn:backup/x', '--node-dir', bob.dir]), /is a directory: copy it with "cp -r"/);
  }, 90_000);

  it('a read-only alias lists, and refuses writes with one clear line', async () => {
    const readonly = (await on(alice, 'list-aliases', '--readonly-uri')).split('\n').find((l) => l.startsWith('photos:'))!.slice('photos: '.length);
    await on(bob, 'add-alias', 'ro', readonly);
    expect(await ls(bob, 'ro:')).toEqual(['2024']);
    expect(await on(bob, 'ls', '--json', 'ro:')).not.toMatch(/URI:(DIR2-ED25519|SSK-ED25519):|rw_uri/);
    await writeFile(join(work, 'x.txt'), 'x');
    const attempts = [
      ['put', join(work, 'x.txt'), 'ro:x.txt'],
      ['mkdir', 'ro:new'],
      ['rm', 'ro:2024'],
      ['mv', 'ro:2024', 'ro:2025'],
      ['ln', 'cairn:shared.bin', 'ro:2024/shared.bin'],
      ['cp', join(work, 'x.txt'), 'ro:2024/'],
    ];
    for (const args of attempts) expectOneLineError(await cairn([...args, '--node-dir', bob.dir]), /read-only/, args.join(' '));
    expect(await ls(bob, 'ro:')).toEqual(['2024']);
    expect(await ls(bob, 'ro:2024')).toEqual(['b.bin']);
  }, 60_000);

  it('manifest lists a tree; deep-check finds a file with missing shares and --repair restores it', async () => {
    await on(alice, 'mkdir', 'cairn:tree');
    await on(alice, 'mkdir', 'cairn:tree/sub');
    await writeFile(join(work, 'big.bin'), randomBytes(150_000));
    const bigCap = (await on(alice, 'put', join(work, 'big.bin'), 'cairn:tree/sub/big.bin')).trim();
    const smallCap = (await on(alice, 'put', join(work, 'hello.txt'), 'cairn:tree/small.txt')).trim();
    const manifest = (await on(bob, 'manifest', 'cairn:tree')).trim().split('\n');
    expect(manifest).toHaveLength(4);
    expect(manifest[0]).toMatch(/^URI:DIR2-ED25519:\S+$/);
    expect(manifest.slice(1)).toEqual([`${smallCap} small.txt`, expect.stringMatching(/^URI:DIR2-ED25519:\S+ sub$/), `${bigCap} sub/big.bin`]);
    const storageIndex = (await on(bob, 'manifest', '--storage-index', 'cairn:tree')).split('\n').find((l) => l.endsWith(' sub/big.bin'))!.split(' ')[0]!;

    expect(await on(bob, 'deep-check', 'cairn:tree')).toBe('done: 4 objects checked, 4 healthy, 0 not healthy (0 not recoverable)\n');
    // Two of the four servers lose their share of big.bin: still recoverable (k = 2), not healthy.
    let removed = 0;
    for (const node of grid.nodes) {
      if (removed === 2) break;
      const shares = await grid.shareFiles(node, storageIndex);
      for (const share of shares) await rm(share);
      if (shares.length > 0) removed++;
    }
    expect(removed).toBe(2);
    const unhealthy = await on(bob, 'deep-check', '-v', 'cairn:tree');
    expect(unhealthy).toMatch(/^sub\/big\.bin: not healthy \(recoverable\): 2 of 4 shares found on 2 servers \(2 needed\); happiness 2 of 3$/m);
    expect(unhealthy).toMatch(/^<root>: healthy: 4 of 4 shares of version \d+ found on 4 servers/m);
    expect(unhealthy).toMatch(/done: 4 objects checked, 3 healthy, 1 not healthy \(0 not recoverable\)\n$/);
    expect(await on(bob, 'deep-check', '--repair', 'cairn:tree')).toBe('done: 4 objects checked, 4 healthy, 0 not healthy (0 not recoverable); 1 repaired\n');
    expect(await on(alice, 'deep-check', '--verify', 'cairn:tree')).toBe('done: 4 objects checked, 4 healthy, 0 not healthy (0 not recoverable)\n');
  }, 90_000);

  it('bad input: one clear line, non-zero exit, nothing changes', async () => {
    const aliases = await readFile(join(alice.dir, 'private', 'aliases'), 'utf8');
    const before = await ls(alice, 'photos:');
    const cases: Array<[string[], RegExp]> = [
      [['ls', 'nope:'], /unknown alias "nope:"/],
      [['mkdir', 'nope:x'], /unknown alias "nope:"/],
      [['ls', 'URI:DIR2-ED25519:abc/x'], /cap/],
      [['get', 'URI:CHK:nonsense'], /cap has 1 field/],
      [['mkdir', 'photos:a//b'], /empty name/],
      [['mkdir', 'photos:..'], /cannot be named ".."/],
      [['mkdir', 'photos:missing/x'], /no child named "missing"/],
      [['mkdir', 'photos:2024'], /already has a child named "2024"/],
      [['rm', 'photos:ghost'], /no child named "ghost"/],
      [['mv', 'photos:ghost', 'photos:x'], /no child named "ghost"/],
      [['put', join(work, 'x.txt'), 'photos:2024/b.bin/inside'], /is a file, not a directory/],
      [['get', 'photos:'], /is a directory/],
      [['create-alias', 'photos'], /exists already/],
      [['create-alias', 'bad/name'], /not a usable alias name/],
    ];
    for (const [args, message] of cases) expectOneLineError(await cairn([...args, '--node-dir', alice.dir]), message, args.join(' '));
    const usage = await cairn(['rm', 'photos:', '--node-dir', alice.dir]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/not a name in a directory/);
    expect(await readFile(join(alice.dir, 'private', 'aliases'), 'utf8')).toBe(aliases);
    expect(await ls(alice, 'photos:')).toEqual(before);
  }, 60_000);

  it('get to standard output stops quietly when its reader goes away (| head), and the node stays up', async () => {
    const data = randomBytes(8 * 1024 * 1024);
    await writeFile(join(work, 'long.bin'), data);
    const cap = (await on(alice, 'put', join(work, 'long.bin'))).trim();
    const child = spawn(process.execPath, [cairnBin, 'get', '--node-dir', alice.dir, cap, '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // read the first bytes, then close the pipe: the next write fails with EPIPE
    const first = await new Promise<Buffer>((resolve) => child.stdout.once('data', resolve));
    expect(first.length).toBeGreaterThan(0);
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(141);
    // the node is still there, and still serves the file whole
    await on(alice, 'get', cap, join(work, 'long.out'));
    expect(sameBytes(await readFile(join(work, 'long.out')), data)).toBe('same');
  }, 60_000);
});
