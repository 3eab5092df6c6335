// Folder backup on the benchmark grid (introducer + 5 storage nodes + client, 3/5/10, real
// processes): a 10 000-file tree (mostly small files, a few large), backed up with
// `cairn backup`, backed up again unchanged, and restored with `cairn restore`. Each figure is
// a whole CLI command, start-up included. The reference is this run's raw node:crypto
// AES-128-CTR + SHA-256 rate, the work every byte of a first backup needs at least.
//   node bench/run.js backup
//   CAIRN_BENCH_BACKUP_FILES=2000 node bench/run.js backup     a smaller tree
import '../src-shared/polyfills/promise-with-resolvers.js';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cryptoRate } from './crypto-rate.js';
import { GridHarness, cairn } from './grid-harness.js';

const MiB = 1024 * 1024;
const LARGE_FILES = 10;
const LARGE_SIZE = 4 * MiB;
const FILES_PER_FOLDER = 100;
const TARGET_RERUN_SECONDS = 2;
const LABEL_WIDTH = 70;

function line(label: string, value: number, unit: string, digits = 1): void {
  console.log(`${label.padEnd(LABEL_WIDTH)} ${value.toFixed(digits).padStart(8)} ${unit}`);
}

/** Writes the tree: `files` files in folders of 100, LARGE_FILES of them 4 MiB, the rest 100 B to 16 KiB. Returns its bytes. */
async function makeTree(root: string, files: number): Promise<number> {
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const folder = join(root, `folder-${String(Math.floor(i / FILES_PER_FOLDER)).padStart(3, '0')}`);
    if (i % FILES_PER_FOLDER === 0) await mkdir(folder, { recursive: true });
    const size = i < LARGE_FILES ? LARGE_SIZE : 100 + Math.floor(Math.random() * 16_284);
    await writeFile(join(folder, `file-${String(i).padStart(5, '0')}.dat`), randomBytes(size));
    bytes += size;
  }
  return bytes;
}

async function countFiles(root: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) if (entry.isFile()) count++;
  return count;
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await run();
  return [result, (performance.now() - start) / 1000];
}

interface Summary {
  readonly filesUploaded: number;
  readonly filesReused: number;
  readonly filesFailed: number;
  readonly files?: number;
}

export async function main(): Promise<void> {
  const files = Number(process.env.CAIRN_BENCH_BACKUP_FILES ?? 10_000);
  const root = await mkdtemp(join(tmpdir(), 'cairn-bench-backup-'));
  const grid = await GridHarness.create(join(root, 'grid'), 5, { needed: 3, happy: 5, total: 10 });
  try {
    console.log('');
    console.log(`Cairn backup bench: ${files} files (${LARGE_FILES} of 4 MiB, the rest 100 B-16 KiB), introducer + 5 storage nodes + client (3/5/10), real processes`);
    const aes = cryptoRate('aes-128-ctr', 256);
    const sha = cryptoRate('sha-256', 256);
    const reference = 1 / (1 / aes + 1 / sha);
    const source = join(root, 'source');
    const bytes = await makeTree(source, files);
    await grid.startAll();
    await grid.waitForServers(grid.client, 5);
    const node = ['--node-dir', grid.client.dir];
    await cairn(['create-alias', 'bench', ...node]);

    const [first, firstSeconds] = await timed(async () => JSON.parse((await cairn(['backup', '--json', ...node, source, 'bench:tree'])).stdout) as Summary);
    if (first.filesUploaded + first.filesReused !== files || first.filesFailed !== 0) throw new Error(`the first backup did not take every file: ${JSON.stringify(first)}`);
    const [again, againSeconds] = await timed(async () => JSON.parse((await cairn(['backup', '--json', ...node, source, 'bench:tree'])).stdout) as Summary);
    if (again.filesUploaded !== 0) throw new Error(`the unchanged re-run uploaded ${again.filesUploaded} files`);
    const destination = join(root, 'restored');
    const [, restoreSeconds] = await timed(() => cairn(['restore', '--json', ...node, 'bench:tree/Latest', destination]));
    const restored = await countFiles(destination);
    if (restored !== files) throw new Error(`the restore made ${restored} files, not ${files}`);
    const largeBack = (await stat(join(destination, 'folder-000', 'file-00000.dat'))).size;
    if (largeBack !== LARGE_SIZE) throw new Error('a restored large file has the wrong size');

    const mib = bytes / MiB;
    line(`tree: ${files} files in ${Math.ceil(files / FILES_PER_FOLDER)} folders`, mib, 'MiB');
    line('first backup (cairn backup)', firstSeconds, 's');
    line('first backup throughput', mib / firstSeconds, 'MiB/s');
    line('first backup, files per second', files / firstSeconds, 'files/s', 0);
    line('re-run with nothing changed', againSeconds, 's', 2);
    line('restore (cairn restore of Latest)', restoreSeconds, 's');
    line('restore throughput', mib / restoreSeconds, 'MiB/s');
    line('reference: raw node:crypto AES-128-CTR + SHA-256, one thread', reference, 'MiB/s');
    console.log(`no-change re-run = ${againSeconds.toFixed(2)} s (target ≤ ${TARGET_RERUN_SECONDS} s): ${againSeconds <= TARGET_RERUN_SECONDS ? 'met' : 'NOT met'}`);
  } finally {
    await grid.stopAll();
    await rm(root, { recursive: true, force: true });
  }
}
