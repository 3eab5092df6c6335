// The backup engine against an in-memory grid, for faults that cannot be timed with real
// processes: a file that changes while it is uploaded, and a grid failure in the middle of
// a run. (The real-process tests are backup-cli.test.ts and backup-resume.test.ts.)
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatCap, type Cap, type DirectoryCap } from '../src-shared/caps/index.js';
import type { BackupContext, BackupEvent } from '../src-main/backup/backup-request.js';
import { runBackup } from '../src-main/backup/backup-run.js';
import { NoSuchChildError } from '../src-main/grid/vdrive/index.js';

let dir: string;
let source: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-backup-engine-'));
  source = join(dir, 'source');
  await mkdir(join(source, 'sub'), { recursive: true });
  await writeFile(join(source, 'a.txt'), 'a');
  await writeFile(join(source, 'sub', 'growing.log'), 'log line\n');
  await writeFile(join(source, 'sub', 'b.txt'), 'b');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A grid in memory: files become literal caps; links are kept in a map. `onUpload` may fail an upload. */
function memoryGrid(onUpload: (path: string) => Promise<void>): { context: BackupContext; links: Map<string, Cap>; target: DirectoryCap } {
  const links = new Map<string, Cap>();
  const newDirectory = (): DirectoryCap => ({ kind: 'dir', file: { kind: 'ssk-ed25519', writekey: randomBytes(16), fingerprint: randomBytes(32) } });
  const key = (dirCap: DirectoryCap, path: string) => `${formatCap(dirCap)}/${path}`;
  const context: BackupContext = {
    databaseDir: join(dir, 'db'),
    uploadFile: async (path) => {
      await onUpload(path);
      return { kind: 'lit', data: await readFile(path) };
    },
    uploadBytes: async (bytes) => ({ kind: 'lit', data: bytes }),
    createImmutableDirectory: async (children) => ({ kind: 'dir', file: { kind: 'lit', data: Buffer.from(JSON.stringify(children)) } }),
    resolve: async (dirCap, path) => {
      const cap = links.get(key(dirCap, path));
      if (cap === undefined) throw new NoSuchChildError(path, `no child named ${JSON.stringify(path)}`);
      return { cap, names: [path] };
    },
    list: async () => [],
    mkdir: async (dirCap, path) => {
      const made = newDirectory();
      links.set(key(dirCap, path), made);
      return made;
    },
    link: async (dirCap, path, cap) => {
      links.set(key(dirCap, path), cap);
    },
    download: () => {
      throw new Error('not used');
    },
  };
  return { context, links, target: newDirectory() };
}

describe('the backup engine', () => {
  it('a file that changes while it is uploaded is listed as failed; the rest makes a snapshot', async () => {
    const grid = memoryGrid(async (path) => {
      if (!path.endsWith('growing.log')) return;
      await appendFile(path, 'another line\n');
      throw new Error('the input is longer than its declared size of 9 bytes');
    });
    const events: BackupEvent[] = [];
    const summary = await runBackup({ source, target: { cap: grid.target, path: 'docs' } }, grid.context, (event) => events.push(event));
    expect(summary.filesUploaded).toBe(2);
    expect(summary.failed).toEqual([{ path: 'sub/growing.log', reason: 'it changed while it was read (the next backup will take it)' }]);
    expect(events).toContainEqual({ type: 'problem', kind: 'failed', path: 'sub/growing.log', reason: expect.stringMatching(/changed while it was read/) as unknown as string });
    expect([...grid.links.keys()].filter((k) => k.endsWith('/Latest'))).toHaveLength(1);

    // the next run takes it, and only it
    const next = await runBackup({ source, target: { cap: grid.target, path: 'docs' } }, memoryGrid(async () => undefined).context, () => undefined);
    expect(next.filesUploaded).toBe(1);
    expect(next.filesReused).toBe(2);
  });

  it('a grid failure fails the run and links no snapshot; what finished is kept for the next run', async () => {
    let uploads = 0;
    const grid = memoryGrid(async (path) => {
      uploads++;
      if (path.endsWith('b.txt')) throw new Error('upload failed: only 1 server could take shares (happiness 3 needed)');
    });
    await expect(runBackup({ source, target: { cap: grid.target, path: 'docs' } }, grid.context, () => undefined)).rejects.toThrow(/only 1 server/);
    expect(uploads).toBe(3);
    expect([...grid.links.keys()].some((k) => k.endsWith('/Latest') || k.includes('/Archives/'))).toBe(false);

    const healthy = memoryGrid(async () => undefined);
    const next = await runBackup({ source, target: { cap: grid.target, path: 'docs' } }, healthy.context, () => undefined);
    expect(next.filesReused).toBe(2);
    expect(next.filesUploaded).toBe(1);
  });
});
