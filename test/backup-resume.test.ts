// A backup whose node is killed (SIGKILL) part-way: no snapshot appears, and the next run
// finishes without uploading again the files the killed run had finished. Real `cairn run`
// processes: an introducer and three storage nodes, encoding 2/3/4.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BackupSummary } from '../src-main/backup/backup-request.js';
import { cairn, cairnBin } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';
import { describeTree, treeDifferences } from './support/backup-trees.js';

const FILES = 40;
const FILE_BYTES = 512 * 1024;

let grid: GridHarness;
let alice: NodeProcess;
let source: string;

async function on(...args: string[]): Promise<string> {
  const result = await cairn([...args, '--node-dir', alice.dir]);
  if (result.code !== 0) throw new Error(`cairn ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** Lines in the backup database's journal: one per file whose upload finished. */
async function journalLines(): Promise<number> {
  const dir = join(alice.dir, 'private', 'backups');
  const journals = (await readdir(dir).catch(() => [])).filter((name) => name.endsWith('.journal'));
  let lines = 0;
  for (const name of journals) lines += (await readFile(join(dir, name), 'utf8')).split('\n').filter((line) => line.endsWith('}')).length;
  return lines;
}

beforeAll(async () => {
  grid = await GridHarness.create(3, { needed: 2, happy: 3, total: 4 });
  source = join(grid.root, 'work', 'source');
  await mkdir(join(source, 'photos'), { recursive: true });
  for (let i = 0; i < FILES; i++) await writeFile(join(source, 'photos', `img-${String(i).padStart(2, '0')}.raw`), randomBytes(FILE_BYTES));
  await grid.startAll();
  alice = grid.storageNodes[0]!;
  await grid.waitForServers(alice, 4, cairn);
  await on('create-alias', 'backups');
}, 90_000);

afterAll(async () => {
  await grid?.destroy();
});

it('a node killed mid-backup leaves no snapshot, and the next run does not upload finished files again', async () => {
  const client = spawn(process.execPath, [cairnBin, 'backup', source, 'backups:home', '--node-dir', alice.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let clientErr = '';
  client.stderr!.on('data', (chunk: Buffer) => (clientErr += chunk.toString()));
  const clientExit = new Promise<number | null>((resolve) => client.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while ((await journalLines()) < 3) {
    if (Date.now() > deadline) throw new Error(`the backup did not get going: ${clientErr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await grid.stop(alice, 'SIGKILL');
  const finished = await journalLines();
  expect(finished, 'the kill came after the run had finished: make the tree bigger').toBeLessThan(FILES);
  expect(await clientExit).not.toBe(0);
  expect(clientErr).toMatch(/cairn: /);

  await grid.start(alice);
  await grid.waitForServers(alice, 4, cairn);
  // the target folder was made, but nothing was linked in it
  expect((await on('ls', 'backups:home')).trim()).toBe('');

  const summary = JSON.parse(await on('backup', '--json', source, 'backups:home')) as BackupSummary;
  expect(summary.filesReused).toBe(finished);
  expect(summary.filesUploaded).toBe(FILES - finished);
  expect((await on('ls', 'backups:home/Archives')).trim().split('\n')).toEqual([summary.snapshot]);
  const out = join(grid.root, 'work', 'restored');
  await on('restore', 'backups:home/Latest', out);
  expect(treeDifferences(await describeTree(source), await describeTree(out))).toEqual([]);
}, 240_000);

it('a backup that loses the grid part-way fails with no snapshot, and the next run goes on where it stopped', async () => {
  const tree = join(grid.root, 'work', 'second');
  await mkdir(tree, { recursive: true });
  for (let i = 0; i < FILES; i++) await writeFile(join(tree, `part-${String(i).padStart(2, '0')}.bin`), randomBytes(FILE_BYTES));
  const client = spawn(process.execPath, [cairnBin, 'backup', tree, 'backups:net', '--node-dir', alice.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let clientErr = '';
  client.stderr!.on('data', (chunk: Buffer) => (clientErr += chunk.toString()));
  const clientExit = new Promise<number | null>((resolve) => client.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while ((await journalLines()) < 3) {
    if (Date.now() > deadline) throw new Error(`the backup did not get going: ${clientErr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // two of the four storage servers go away: too few for happiness 3
  const [, bob, carol] = grid.storageNodes as [NodeProcess, NodeProcess, NodeProcess];
  await Promise.all([grid.stop(bob, 'SIGKILL'), grid.stop(carol, 'SIGKILL')]);
  expect(await clientExit).not.toBe(0);
  expect(clientErr.trim().split('\n').at(-1)).toMatch(/^cairn: /);
  const finished = await journalLines();
  expect(finished).toBeLessThan(FILES);
  expect((await on('ls', 'backups:net')).trim()).toBe('');

  await Promise.all([grid.start(bob), grid.start(carol)]);
  await grid.waitForServers(alice, 4, cairn);
  const summary = JSON.parse(await on('backup', '--json', tree, 'backups:net')) as BackupSummary;
  expect(summary.filesReused).toBe(finished);
  expect(summary.filesUploaded).toBe(FILES - finished);
  expect((await on('ls', 'backups:net/Archives')).trim().split('\n')).toEqual([summary.snapshot]);
}, 240_000);
