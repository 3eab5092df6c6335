// The restore engine against an in-memory snapshot whose downloads the test holds back, to
// fix the order files finish in (which real processes cannot): several files download at
// once, yet every file and folder gets its mtime and mode, and a failure leaves no partial
// file. (The real-process tests are in backup-cli.test.ts.)
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatCap, type DirectoryCap, type FileCap } from '../src-shared/caps/index.js';
import type { BackupContext, BackupEvent, BackupProgress } from '../src-main/backup/backup-request.js';
import { ProgressMeter } from '../src-main/backup/progress-meter.js';
import { runRestore } from '../src-main/backup/restore-run.js';
import type { DirectoryEntry } from '../src-main/grid/vdrive/index.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-restore-engine-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

type Node = { kind: 'file'; content: string; mtime: number; mode: number } | { kind: 'symlink'; target: string; mtime: number } | { kind: 'dir'; mtime: number; mode: number; children: Record<string, Node> };

const ROOT_MTIME = 1_600_000_000;
const SUB_MTIME = 1_600_000_100;

/** root: a.txt, b.txt, link → a.txt, sub/ (slow.bin, c.txt, d.txt, e.txt) */
const snapshot: Node = {
  kind: 'dir',
  mtime: ROOT_MTIME,
  mode: 0o750,
  children: {
    'a.txt': { kind: 'file', content: 'alpha', mtime: 1_500_000_001, mode: 0o644 },
    'b.txt': { kind: 'file', content: 'bravo!', mtime: 1_500_000_002, mode: 0o600 },
    link: { kind: 'symlink', target: 'a.txt', mtime: 1_500_000_003 },
    sub: {
      kind: 'dir',
      mtime: SUB_MTIME,
      mode: 0o700,
      children: {
        'slow.bin': { kind: 'file', content: 'the slowest file of all', mtime: 1_500_000_004, mode: 0o640 },
        'c.txt': { kind: 'file', content: 'charlie', mtime: 1_500_000_005, mode: 0o644 },
        'd.txt': { kind: 'file', content: 'delta', mtime: 1_500_000_006, mode: 0o644 },
        'e.txt': { kind: 'file', content: 'echo', mtime: 1_500_000_007, mode: 0o644 },
      },
    },
  },
};
const FILES = 6;
const BYTES = 'alpha'.length + 'bravo!'.length + 'the slowest file of all'.length + 'charlie'.length + 'delta'.length + 'echo'.length;

/** Holds each download until `release(content)` says it may finish; counts downloads in flight. */
class Downloads {
  inFlight = 0;
  maxInFlight = 0;
  readonly started: string[] = [];
  readonly finished: string[] = [];
  failed = false;
  private readonly gates = new Map<string, () => void>();
  private readonly waiting = new Map<string, Promise<void>>();
  /** Called whenever a download starts or finishes, to release others. */
  onChange: () => void = () => undefined;

  private allOpen = false;

  gate(content: string): Promise<void> {
    if (this.allOpen) return Promise.resolve();
    let open = this.waiting.get(content);
    if (open === undefined) {
      open = new Promise((resolve) => this.gates.set(content, resolve));
      this.waiting.set(content, open);
    }
    return open;
  }

  release(content: string): void {
    void this.gate(content);
    this.gates.get(content)?.();
  }

  /** Lets every download, started or not, finish. */
  releaseAll(): void {
    this.allOpen = true;
    for (const open of this.gates.values()) open();
  }

  async *download(content: string, fail: boolean): AsyncIterable<Uint8Array> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.started.push(content);
    this.onChange();
    try {
      const bytes = Buffer.from(content);
      yield bytes.subarray(0, 3);
      if (fail) {
        this.failed = true;
        throw new Error('download failed: not enough shares (2 of 3 found)');
      }
      await this.gate(content);
      yield bytes.subarray(3);
      this.finished.push(content);
    } finally {
      this.inFlight--;
      this.onChange();
    }
  }
}

/** A context that serves `snapshot` from memory; files named in `failing` fail after their first bytes. */
function memorySnapshot(downloads: Downloads, failing: ReadonlySet<string> = new Set()): { context: BackupContext; root: DirectoryCap } {
  const listings = new Map<string, DirectoryEntry[]>();
  let serial = 0;
  const capOf = (node: Node): DirectoryCap | FileCap => {
    if (node.kind === 'file') return { kind: 'lit', data: Buffer.from(node.content) };
    if (node.kind === 'symlink') return { kind: 'lit', data: Buffer.from(node.target) };
    const cap: DirectoryCap = { kind: 'dir', file: { kind: 'lit', data: Buffer.from(`directory ${serial++}`) } };
    listings.set(
      formatCap(cap),
      Object.entries(node.children).map(([name, child]) => {
        const readCap = formatCap(capOf(child));
        const backup = child.kind === 'symlink' ? { mode: 0o777, symlink: child.target } : { mode: child.mode };
        return { name, cap: readCap, readCap, isDirectory: child.kind === 'dir', metadata: { mtime: child.mtime, backup } };
      }),
    );
    return cap;
  };
  const root = capOf(snapshot) as DirectoryCap;
  const unused = () => Promise.reject(new Error('not used by a restore'));
  const context: BackupContext = {
    databaseDir: join(dir, 'db'),
    uploadFile: unused,
    uploadBytes: unused,
    createImmutableDirectory: unused,
    mkdir: unused,
    link: unused,
    resolve: async () => ({ cap: root, names: ['Latest'], metadata: { mtime: ROOT_MTIME, backup: { mode: 0o750 } } }),
    list: async (cap) => listings.get(formatCap(cap)) ?? [],
    download: (cap) => {
      const content = Buffer.from((cap as { data: Uint8Array }).data).toString();
      return downloads.download(content, failing.has(content));
    },
  };
  return { context, root };
}

async function partialFiles(folder: string): Promise<string[]> {
  const names = await readdir(folder, { recursive: true });
  return names.filter((name) => name.endsWith('.partial'));
}

describe('restoring with several downloads at once', () => {
  it('restores every mtime and mode when files finish in another order than they started', async () => {
    const downloads = new Downloads();
    // slow.bin finishes last of all; every other file as soon as it starts, so later files
    // overtake it and it is the last write into sub/.
    downloads.onChange = () => {
      for (const content of downloads.started) if (content !== 'the slowest file of all') downloads.release(content);
      if (downloads.finished.length === FILES - 1) downloads.release('the slowest file of all');
    };
    // (a restore that downloads one file at a time would wait for it forever: let it go then)
    const fallback = setTimeout(() => downloads.release('the slowest file of all'), 10_000);
    const { context, root } = memorySnapshot(downloads);
    const destination = join(dir, 'restored');
    const events: BackupEvent[] = [];
    const summary = await runRestore({ source: { cap: root, path: 'Latest' }, destination }, context, (event) => events.push(event));

    clearTimeout(fallback);
    expect(summary).toMatchObject({ files: FILES, directories: 2, symlinks: 1, bytes: BYTES });
    expect(downloads.maxInFlight).toBeGreaterThan(1);
    expect(downloads.maxInFlight).toBeLessThanOrEqual(4);
    expect(downloads.finished.at(-1)).toBe('the slowest file of all');

    expect(await readFile(join(destination, 'sub', 'slow.bin'), 'utf8')).toBe('the slowest file of all');
    expect(await readFile(join(destination, 'b.txt'), 'utf8')).toBe('bravo!');
    expect(await readlink(join(destination, 'link'))).toBe('a.txt');
    expect(await partialFiles(destination)).toEqual([]);
    const expectTimes = async (path: string, mtime: number, mode?: number) => {
      const info = await lstat(path);
      expect(info.mtimeMs / 1000, path).toBe(mtime);
      if (mode !== undefined) expect(info.mode & 0o777, path).toBe(mode);
    };
    await expectTimes(destination, ROOT_MTIME, 0o750);
    await expectTimes(join(destination, 'sub'), SUB_MTIME, 0o700);
    await expectTimes(join(destination, 'sub', 'slow.bin'), 1_500_000_004, 0o640);
    await expectTimes(join(destination, 'sub', 'e.txt'), 1_500_000_007, 0o644);
    await expectTimes(join(destination, 'b.txt'), 1_500_000_002, 0o600);
    await expectTimes(join(destination, 'link'), 1_500_000_003);

    const last = events.filter((event): event is BackupProgress => event.type === 'progress').at(-1);
    expect(last).toEqual({ type: 'progress', filesDone: FILES, filesTotal: FILES, bytesDone: BYTES, bytesTotal: BYTES });
  });

  it('a failed download fails the restore once the others have stopped, leaving no partial file', async () => {
    const downloads = new Downloads();
    const { context, root } = memorySnapshot(downloads, new Set(['charlie']));
    const destination = join(dir, 'restored');
    // The others are held mid-download until c.txt has failed and its temporary file is
    // gone (so the run has seen the failure); then they get their next bytes.
    let releasing = false;
    // (a restore that downloads one file at a time would wait for the first forever: let them go then)
    const fallback = setTimeout(() => downloads.releaseAll(), 10_000);
    downloads.onChange = () => {
      if (!downloads.failed || releasing) return;
      releasing = true;
      const poll = async (): Promise<void> => {
        const left = (await readdir(join(destination, 'sub'))).filter((name) => name.startsWith('c.txt'));
        if (left.length > 0) return void setTimeout(() => void poll(), 5);
        for (const content of downloads.started) downloads.release(content);
      };
      void poll();
    };
    await expect(runRestore({ source: { cap: root, path: 'Latest' }, destination }, context, () => undefined)).rejects.toThrow(
      'download failed: not enough shares (2 of 3 found)',
    );
    clearTimeout(fallback);
    expect(downloads.inFlight).toBe(0);
    expect(downloads.finished).toEqual([]);
    expect(downloads.started).not.toContain('echo'); // no lane took more after the failure
    expect(await partialFiles(destination)).toEqual([]);
    for (const name of ['a.txt', 'b.txt', 'sub/slow.bin', 'sub/c.txt']) await expect(stat(join(destination, name))).rejects.toThrow(/ENOENT/);
  });
});

describe('the progress meter with several files at once', () => {
  it('names a file still moving when another one ends', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const events: BackupProgress[] = [];
    const meter = new ProgressMeter(2, 10, (event) => events.push(event as BackupProgress));
    meter.startFile('a.txt');
    meter.startFile('b.txt');
    vi.advanceTimersByTime(300);
    meter.endFile('b.txt');
    expect(events.at(-1)).toMatchObject({ filesDone: 1, currentFile: 'a.txt' });
    vi.advanceTimersByTime(300);
    meter.endFile('a.txt');
    expect(events.at(-1)).toMatchObject({ filesDone: 2 });
    expect(events.at(-1)).not.toHaveProperty('currentFile');
  });
});
