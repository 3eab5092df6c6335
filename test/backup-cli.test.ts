// `cairn backup` and `cairn restore` against real `cairn run` processes: an introducer and
// three storage nodes, encoding 2/3/4. The node runs the backup; the CLI shows it.
import { execFileSync } from 'node:child_process';
import { appendFile, chmod, mkdir, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupSummary, RestoreSummary } from '../src-main/backup/backup-request.js';
import { cairn, type CliResult } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';
import { describeTree, generateTree, treeDifferences } from './support/backup-trees.js';
import { rootCapOf, webApiOf } from './support/web-api.js';

let grid: GridHarness;
let alice: NodeProcess;
let work: string;
let source: string;
let fileCount: number;

async function on(node: NodeProcess, ...args: string[]): Promise<string> {
  const result = await cairn([...args, '--node-dir', node.dir]);
  if (result.code !== 0) throw new Error(`cairn ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

async function backup(...args: string[]): Promise<BackupSummary> {
  return JSON.parse(await on(alice, 'backup', '--json', ...args)) as BackupSummary;
}

async function restore(...args: string[]): Promise<RestoreSummary> {
  return JSON.parse(await on(alice, 'restore', '--json', ...args)) as RestoreSummary;
}

async function ls(path: string): Promise<string[]> {
  return (await on(alice, 'ls', path)).split('\n').filter((line) => line !== '');
}

function expectOneLineError(result: CliResult, message: RegExp): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
}

const SNAPSHOT_NAME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

beforeAll(async () => {
  grid = await GridHarness.create(3, { needed: 2, happy: 3, total: 4 });
  work = join(grid.root, 'work');
  source = join(work, 'source');
  await mkdir(source, { recursive: true });
  fileCount = await generateTree(source);
  await grid.startAll();
  alice = grid.storageNodes[0]!;
  await grid.waitForServers(alice, 4, cairn);
  await on(alice, 'create-alias', 'backups');
}, 90_000);

afterAll(async () => {
  await grid?.destroy();
});

describe('cairn backup and cairn restore', () => {
  let first: BackupSummary;

  it('backs up a tree as Archives/<UTC time> and Latest, and restores it exactly', async () => {
    first = await backup(source, 'backups:home');
    expect(first.filesUploaded).toBe(fileCount);
    expect(first.filesReused).toBe(0);
    expect(first.symlinks).toBe(1);
    expect(first.filesSkipped + first.filesFailed).toBe(0);
    expect(first.bytesSent).toBeGreaterThan(20 * 1024 * 1024);
    expect(first.snapshot).toMatch(SNAPSHOT_NAME);
    expect(await ls('backups:home')).toEqual(['Archives', 'Latest']);
    expect(await ls('backups:home/Archives')).toEqual([first.snapshot]);

    const out = join(work, 'restored');
    const restored = await restore('backups:home/Latest', out);
    expect(restored.files).toBe(fileCount);
    expect(restored.symlinks).toBe(1);
    expect(treeDifferences(await describeTree(source), await describeTree(out))).toEqual([]);
  }, 180_000);

  it('a re-run with nothing changed uploads nothing and says so; one changed file is the only upload', async () => {
    const again = await cairn(['backup', source, 'backups:home', '--node-dir', alice.dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/nothing changed: 0 files uploaded, 8 reused/);
    expect(again.stderr).toMatch(/^files 8\/8 · 21 MB\/21 MB/m); // progress, as plain lines when not a terminal
    // unchanged folders are reused too: the second snapshot is the first one's cap
    const archives = JSON.parse(await on(alice, 'ls', '--json', 'backups:home/Archives')) as [string, { children: Record<string, [string, { ro_uri: string }]> }];
    const caps = Object.values(archives[1].children).map(([, fields]) => fields.ro_uri);
    expect(caps).toHaveLength(2);
    expect(caps[1]).toBe(caps[0]);
    await appendFile(join(source, 'a', 'small.bin'), 'one more line\n');
    const changed = await backup(source, 'backups:home');
    expect(changed.filesUploaded).toBe(1);
    expect(changed.filesReused).toBe(fileCount - 1);
    expect(changed.bytesSent).toBe(3_000 + 14);
    expect(await ls('backups:home/Archives')).toHaveLength(3);

    // the first snapshot still has the old bytes; a single file and a folder restore from it
    const one = join(work, 'one');
    await mkdir(one);
    await restore(`backups:home/Archives/${first.snapshot}/a/small.bin`, one);
    expect((await readFile(join(one, 'small.bin'))).length).toBe(3_000);
    await restore('backups:home/Latest/link to deep', join(one, 'new', 'link'));
    expect(await readlink(join(one, 'new', 'link'))).toBe('a/b/c/deep.txt');
    const refused = await cairn(['restore', 'backups:home/Latest/a/small.bin', one, '--node-dir', alice.dir]);
    expectOneLineError(refused, /small\.bin already exists: pass --force/);
    expect((await readFile(join(one, 'small.bin'))).length).toBe(3_000);
    const folder = await restore(`backups:home/Archives/${first.snapshot}/café`, join(work, 'café-only'));
    expect(folder.files).toBe(3);
    expect((await readdir(join(work, 'café-only'))).sort()).toEqual(['de\u0301ja\u0300 NFD.txt', 'emoji 🎉.bin', 'naïve – 日本語.txt']);
  }, 180_000);

  it('never writes into a non-empty folder without --force', async () => {
    const target = join(work, 'busy');
    await mkdir(target);
    await writeFile(join(target, 'top.txt'), 'mine');
    const refused = await cairn(['restore', 'backups:home/Latest', target, '--node-dir', alice.dir]);
    expectOneLineError(refused, /is a folder that is not empty: .*--force/);
    expect(await readdir(target)).toEqual(['top.txt']);
    expect(await readFile(join(target, 'top.txt'), 'utf8')).toBe('mine');
    await restore('--force', 'backups:home/Latest', target);
    expect(await readFile(join(target, 'top.txt'), 'utf8')).toBe('top level\n');
  }, 120_000);

  it('leaves out --exclude patterns, .cairnignore entries and, with --exclude-vcs, .git', async () => {
    const tree = join(work, 'excludes');
    await mkdir(join(tree, '.git', 'objects'), { recursive: true });
    await mkdir(join(tree, 'project', 'build'), { recursive: true });
    await mkdir(join(tree, 'project', 'src'), { recursive: true });
    await writeFile(join(tree, '.git', 'objects', 'x'), 'git object');
    await writeFile(join(tree, 'keep.txt'), 'keep');
    await writeFile(join(tree, 'scratch.tmp'), 'temporary');
    await writeFile(join(tree, 'project', 'src', 'main.c'), 'int main;');
    await writeFile(join(tree, 'project', 'src', 'old.tmp'), 'temporary');
    await writeFile(join(tree, 'project', 'build', 'main.o'), 'object');
    await writeFile(join(tree, 'project', 'secret-key.pem'), 'secret');
    await writeFile(join(tree, 'project', '.cairnignore'), '# built and secret files\nbuild/\nsecret*\n');
    const summary = await backup('--exclude', '*.tmp', '--exclude-vcs', tree, 'backups:excludes');
    expect(summary.filesUploaded).toBe(3); // keep.txt, main.c, .cairnignore
    const out = join(work, 'excludes-restored');
    await restore('backups:excludes/Latest', out);
    const names = [...(await describeTree(out)).keys()].sort();
    expect(names).toEqual(['keep.txt', 'project', 'project/.cairnignore', 'project/src', 'project/src/main.c']);
  }, 120_000);

  it('reports and skips what it cannot read, and goes on', async () => {
    const tree = join(work, 'unreadable');
    await mkdir(tree);
    await writeFile(join(tree, 'fine.txt'), 'fine');
    execFileSync('mkfifo', [join(tree, 'pipe')]);
    await writeFile(join(tree, 'locked.txt'), 'locked');
    await chmod(join(tree, 'locked.txt'), 0o000);
    const runsAsRoot = process.getuid?.() === 0;
    const result = await cairn(['backup', tree, 'backups:unreadable', '--node-dir', alice.dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/skipped: pipe: a FIFO/);
    expect(result.stdout).toMatch(/skipped pipe: a FIFO/);
    if (runsAsRoot) {
      console.log('running as root: chmod 000 does not stop reads, so only the FIFO is unreadable here');
      expect(result.stdout).toMatch(/2 files uploaded/);
    } else {
      expect(result.stdout).toMatch(/skipped locked\.txt: permission denied/);
      expect(result.stdout).toMatch(/1 files uploaded/);
    }
    expect(await ls('backups:unreadable/Latest')).toEqual(runsAsRoot ? ['fine.txt', 'locked.txt'] : ['fine.txt']);
  }, 120_000);

  it('bad input gets one clear line and changes nothing', async () => {
    const before = await ls('backups:home/Archives');
    expectOneLineError(await cairn(['backup', join(work, 'no-such-folder'), 'backups:home', '--node-dir', alice.dir]), /no-such-folder: no such folder/);
    expectOneLineError(await cairn(['backup', source, 'nosuchalias:home', '--node-dir', alice.dir]), /unknown alias "nosuchalias:"/);
    await writeFile(join(work, 'plain.txt'), 'a file');
    await on(alice, 'put', join(work, 'plain.txt'), 'backups:plain.txt');
    expectOneLineError(await cairn(['backup', source, 'backups:plain.txt', '--node-dir', alice.dir]), /"plain\.txt" is a file, not a directory/);
    expectOneLineError(await cairn(['backup', join(work, 'plain.txt'), 'backups:home', '--node-dir', alice.dir]), /is not a folder/);
    expectOneLineError(await cairn(['restore', 'backups:home/Archives/1999-01-01T00:00:00Z', join(work, 'never'), '--node-dir', alice.dir]), /no child named "1999-01-01T00:00:00Z"/);
    expectOneLineError(await cairn(['restore', 'backups:home', join(work, 'never'), '--node-dir', alice.dir]), /not in a backup snapshot/);
    expect(await ls('backups:home/Archives')).toEqual(before);
    await expect(readdir(join(work, 'never'))).rejects.toThrow(/ENOENT/);
  }, 120_000);

  it('POST /backup and POST /restore answer JSON lines: progress, then the summary; bad requests get a 400', async () => {
    const api = await webApiOf(alice);
    const root = await rootCapOf(alice);
    const tree = join(work, 'rest');
    await mkdir(join(tree, 'docs'), { recursive: true });
    await writeFile(join(tree, 'docs', 'one.txt'), 'one');
    await writeFile(join(tree, 'two.bin'), Buffer.alloc(100_000, 2));
    const post = (path: string, body: unknown) => api.call('POST', path, { body: typeof body === 'string' ? body : JSON.stringify(body) });

    for (const [body, message] of [
      ['not json', /must be a JSON object/],
      [{ source: 'relative/dir', target: root }, /"source" must be an absolute path/],
      [{ source: tree, target: 'URI:LIT:' }, /"target" must be a directory cap/],
      [{ source: tree, target: root, exclude: 'x' }, /"exclude" must be a list/],
    ] as const) {
      const response = await post('/backup', body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
    expect((await api.call('GET', '/backup')).status).toBe(405);

    const response = await post('/backup', { source: tree, target: root, path: 'rest-backups/tree' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(lines.at(0)?.type).toBe('progress');
    const summary = lines.at(-1) as BackupSummary;
    expect(summary).toMatchObject({ type: 'summary', filesUploaded: 2, filesReused: 0, bytesSent: 100_003 });
    expect(lines.filter((line) => line.type === 'progress').at(-1)).toMatchObject({ filesDone: 2, filesTotal: 2, bytesDone: 100_003, bytesTotal: 100_003 });

    const out = join(work, 'rest-restored');
    const restored = await post('/restore', { source: root, path: 'rest-backups/tree/Latest', destination: out });
    expect(restored.status).toBe(200);
    expect((await restored.text()).trim().split('\n').map((line) => JSON.parse(line) as unknown).at(-1)).toMatchObject({ type: 'summary', files: 2, directories: 2, bytes: 100_003 });
    expect(treeDifferences(await describeTree(tree), await describeTree(out))).toEqual([]);

    const statistics = (await (await api.call('GET', '/statistics?t=json')).json()) as { operations: Record<string, { done: number }> };
    expect(statistics.operations.backup!.done).toBeGreaterThanOrEqual(1);
    expect(statistics.operations.restore!.done).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
