// The renderer's zustand stores, against an in-memory CairnApi (the real one is exercised in
// Chromium by e2e/web-ui.test.ts): what they hold while loading, after success and after errors.
import { describe, expect, it } from 'vitest';
import type { BackupJobInput, BackupJobView, CairnApi, CairnEventListener, DirectoryListing, StatusView, UploadFile, UploadProgress } from '../src-shared/ipc/index.js';
import { createBackupsStore } from '../src-renderer/stores/backups-store.js';
import { createFilesStore } from '../src-renderer/stores/files-store.js';
import { createStatusStore } from '../src-renderer/stores/status-store.js';
import { createUploadsStore } from '../src-renderer/stores/uploads-store.js';
import { createSharedLinkStore, sharedName } from '../src-renderer/stores/shared-link-store.js';

interface PendingUpload {
  readonly directoryPath: string;
  readonly file: UploadFile;
  readonly onProgress: (progress: UploadProgress) => void;
  resolve(): void;
  reject(error: Error): void;
  cancelled: boolean;
}

/** A vdrive of folders and files in memory, with uploads the test finishes by hand. */
class MemoryApi {
  readonly folders = new Map<string, Set<string>>([['', new Set()]]);
  readonly uploads: PendingUpload[] = [];
  readonly listeners = new Set<CairnEventListener>();
  status: StatusView | Error = new Error('connection refused');
  statusCalls = 0;

  api(): CairnApi {
    const api: Partial<CairnApi> = {
      status: async () => {
        this.statusCalls++;
        if (this.status instanceof Error) throw this.status;
        return this.status;
      },
      onEvent: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
      listDirectory: async (path): Promise<DirectoryListing> => {
        const names = this.folders.get(path);
        if (names === undefined) throw new Error(`no folder "${path}"`);
        const entries = [...names].sort().map((name) => {
          const child = path === '' ? name : `${path}/${name}`;
          return { name, path: child, kind: this.folders.has(child) ? ('directory' as const) : ('file' as const), size: undefined, modifiedAt: undefined, writable: true };
        });
        return { path, writable: true, entries };
      },
      makeDirectory: async (path) => {
        const slash = path.lastIndexOf('/');
        const parent = slash < 0 ? '' : path.slice(0, slash);
        const name = path.slice(slash + 1);
        const siblings = this.folders.get(parent);
        if (siblings === undefined) throw new Error(`no folder "${parent}"`);
        if (siblings.has(name)) throw new Error(`the directory already has a child named "${name}"`);
        siblings.add(name);
        this.folders.set(path, new Set());
      },
      rename: async (path, newName) => {
        const slash = path.lastIndexOf('/');
        const parent = slash < 0 ? '' : path.slice(0, slash);
        const siblings = this.folders.get(parent)!;
        if (siblings.has(newName)) throw new Error(`the directory already has a child named "${newName}"`);
        siblings.delete(path.slice(slash + 1));
        siblings.add(newName);
      },
      remove: async (path) => {
        const slash = path.lastIndexOf('/');
        this.folders.get(slash < 0 ? '' : path.slice(0, slash))!.delete(path.slice(slash + 1));
      },
      upload: (directoryPath, file, onProgress) => {
        let pending!: PendingUpload;
        const done = new Promise<void>((resolve, reject) => {
          pending = { directoryPath, file, onProgress, cancelled: false, resolve, reject };
        });
        this.uploads.push(pending);
        return {
          done: done.then(() => void this.folders.get(directoryPath)!.add(file.name)),
          cancel: () => {
            pending.cancelled = true;
            pending.reject(new Error('cancelled'));
          },
        };
      },
    };
    return api as CairnApi;
  }

  emit(event: Parameters<CairnEventListener>[0]): void {
    for (const listener of this.listeners) listener(event);
  }
}

const healthy: StatusView = {
  gridName: 'friends',
  nickname: 'ann',
  peerId: 'p0',
  introducer: { connected: true, runsHere: false },
  encoding: { needed: 3, happy: 5, total: 6 },
  storage: undefined,
  peers: [],
  operations: [],
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const file = (name: string, size = 10): UploadFile => ({ name, size, lastModified: 0 });

describe('status store', () => {
  it('keeps the error of a failed refresh, and the status once one succeeds', async () => {
    const memory = new MemoryApi();
    const store = createStatusStore(memory.api());
    await store.getState().refresh();
    expect(store.getState()).toMatchObject({ status: undefined, loading: false, error: 'connection refused' });
    memory.status = healthy;
    await store.getState().refresh();
    expect(store.getState()).toMatchObject({ status: healthy, loading: false, error: undefined });
  });

  it('refreshes on status events, tracks the link, and applies operation events in place', async () => {
    const memory = new MemoryApi();
    memory.status = healthy;
    const store = createStatusStore(memory.api());
    const stop = store.getState().start(60_000);
    await settle();
    expect(memory.statusCalls).toBe(1);
    memory.emit({ type: 'connection', state: 'lost' });
    expect(store.getState().link).toBe('lost');
    memory.emit({ type: 'operation', operation: { id: 7, kind: 'upload', state: 'running', bytesDone: 5, bytesTotal: 10, startedAt: 0 } });
    memory.emit({ type: 'operation', operation: { id: 7, kind: 'upload', state: 'running', bytesDone: 9, bytesTotal: 10, startedAt: 0 } });
    expect(store.getState().status!.operations).toEqual([expect.objectContaining({ id: 7, bytesDone: 9 })]);
    memory.emit({ type: 'status' });
    await settle();
    expect(memory.statusCalls).toBe(2);
    stop();
    expect(memory.listeners.size).toBe(0);
  });
});

describe('files store', () => {
  it('opens folders, expands and collapses them, and reports a failed load', async () => {
    const memory = new MemoryApi();
    const store = createFilesStore(memory.api());
    await store.getState().open('');
    expect(store.getState().folders['']).toMatchObject({ loading: false, error: undefined, listing: { entries: [] } });
    await store.getState().makeDirectory('Photos');
    expect(store.getState().folders['']!.listing!.entries.map((e) => e.name)).toEqual(['Photos']);
    await store.getState().toggle('Photos');
    expect(store.getState().expanded.has('Photos')).toBe(true);
    expect(store.getState().folders.Photos!.listing!.entries).toEqual([]);
    await store.getState().toggle('Photos');
    expect(store.getState().expanded.has('Photos')).toBe(false);
    await store.getState().open('Nowhere');
    expect(store.getState()).toMatchObject({ current: 'Nowhere', folders: { Nowhere: { loading: false, error: 'no folder "Nowhere"', listing: undefined } } });
  });

  it('keeps a failed change as one line and changes nothing', async () => {
    const memory = new MemoryApi();
    const store = createFilesStore(memory.api());
    await store.getState().open('');
    await store.getState().makeDirectory('A');
    await store.getState().makeDirectory('B');
    expect(await store.getState().rename('A', 'B')).toBe(false);
    expect(store.getState().actionError).toBe('the directory already has a child named "B"');
    expect(store.getState().folders['']!.listing!.entries.map((e) => e.name)).toEqual(['A', 'B']);
    expect(await store.getState().rename('A', 'C')).toBe(true);
    expect(store.getState().actionError).toBeUndefined();
    expect(await store.getState().remove('B')).toBe(true);
    expect(store.getState().folders['']!.listing!.entries.map((e) => e.name)).toEqual(['C']);
  });
});

describe('uploads store', () => {
  it('runs two uploads at a time, shows progress, and tells which folder got a file', async () => {
    const memory = new MemoryApi();
    const landed: string[] = [];
    const store = createUploadsStore(memory.api(), (dir) => landed.push(dir));
    await store.getState().add('', [file('a'), file('b'), file('c')].map((f) => ({ file: f, relativeDirectory: '' })));
    expect(store.getState().items.map((i) => i.progress.state)).toEqual(['sending', 'sending', 'queued']);
    memory.uploads[0]!.onProgress({ state: 'sending', bytesDone: 4, bytesTotal: 10 });
    expect(store.getState().items[0]!.progress.bytesDone).toBe(4);
    memory.uploads[0]!.resolve();
    await settle();
    expect(store.getState().items.map((i) => i.progress.state)).toEqual(['done', 'sending', 'sending']);
    expect(landed).toEqual(['']);
  });

  it('makes dropped folders first, cancels, and keeps a failure with its reason', async () => {
    const memory = new MemoryApi();
    const changed: string[] = [];
    const store = createUploadsStore(memory.api(), (dir) => changed.push(dir));
    await store.getState().add('', [{ file: file('x.jpg'), relativeDirectory: 'Trip/Day 1' }, { file: file('y.jpg'), relativeDirectory: 'Trip' }], ['Trip', 'Trip/Day 1', 'Trip/Empty']);
    expect(memory.folders.get('Trip')).toEqual(new Set(['Day 1', 'Empty']));
    // the folders that got new folders are told before any file is uploaded
    expect(changed).toEqual(['', 'Trip']);
    expect(memory.uploads.map((u) => u.directoryPath)).toEqual(['Trip/Day 1', 'Trip']);
    const [x, y] = store.getState().items;
    store.getState().cancel(x!.id);
    expect(memory.uploads[0]!.cancelled).toBe(true);
    memory.uploads[1]!.reject(new Error('could only reach 3 servers, 5 needed'));
    await settle();
    expect(store.getState().items.find((i) => i.id === x!.id)!.progress.state).toBe('cancelled');
    expect(store.getState().items.find((i) => i.id === y!.id)!.progress).toMatchObject({ state: 'failed', error: 'could only reach 3 servers, 5 needed' });
    store.getState().clearFinished();
    expect(store.getState().items).toEqual([]);
  });
});

describe('backups store', () => {
  it('loads jobs, keeps a failed run as one line, and loads snapshots after a run', async () => {
    const jobs: BackupJobView[] = [];
    let runs = 0;
    const api = {
      backupJobs: async () => ({ paused: false, jobs: [...jobs] }),
      addBackupJob: async (job: BackupJobInput) => {
        if (jobs.some((j) => j.id === job.id)) throw new Error(`a backup job named "${job.id}" exists already`);
        const view: BackupJobView = { ...job, when: 'daily at 03:30', lastRunAt: undefined, lastResult: undefined, lastMessage: undefined, lastSnapshot: undefined, nextRunAt: undefined, running: false };
        jobs.push(view);
        return view;
      },
      runBackupJob: async () => {
        runs++;
        if (runs === 1) throw new Error('only 3 servers reachable, 5 needed');
      },
      snapshots: async (jobId: string) => (runs > 1 ? [{ jobId, name: '2026-12-02T15:14:58Z', takenAt: Date.parse('2026-12-02T15:14:58Z') }] : []),
    } as unknown as CairnApi;
    const store = createBackupsStore(api);
    await store.getState().load();
    expect(store.getState().view).toEqual({ paused: false, jobs: [] });
    const job: BackupJobInput = { id: 'docs', source: '/home/ann/Documents', target: 'cairn:backups/docs', schedule: { at: ['03:30'] }, excludes: [], retention: { last: 3 } };
    expect(await store.getState().add(job)).toBeUndefined();
    expect(await store.getState().add(job)).toBe('a backup job named "docs" exists already');
    expect(store.getState().view!.jobs.map((j) => j.id)).toEqual(['docs']);

    expect(await store.getState().run('docs')).toBe(false);
    expect(store.getState()).toMatchObject({ actionError: 'only 3 servers reachable, 5 needed', snapshots: { docs: { list: [] } } });
    expect(store.getState().running.has('docs')).toBe(false);
    expect(await store.getState().run('docs')).toBe(true);
    expect(store.getState().actionError).toBeUndefined();
    expect(store.getState().snapshots.docs!.list!.map((s) => s.name)).toEqual(['2026-12-02T15:14:58Z']);
  });
});

describe('shared link store', () => {
  const lit = `URI:LIT:${'nbswy3dp'}`;
  const folderCap = 'URI:DIR2-LIT:gqytunj2onug64tbn5rxs2lomnxw2idgn5xg64ttmvzs4ytqnbxw2zlfn4';

  it('refuses a bad link in one line without asking the node, shows a file, a folder and below it', async () => {
    const asked: string[] = [];
    let failNext = false;
    const listing = (path: string): DirectoryListing => ({ path, writable: false, entries: path === '' ? [{ name: 'Day 1', path: 'Day 1', kind: 'directory', size: undefined, modifiedAt: undefined, writable: false }] : [] });
    const api = {
      openShared: async (cap: string, path: string) => {
        asked.push(`${cap} ${path}`);
        if (failNext) {
          failNext = false;
          throw new Error('not enough shares: 1 of 3 servers answered\nstack…');
        }
        return cap === lit ? { kind: 'file', size: 5 } : { kind: 'directory', listing: listing(path) };
      },
      linkShared: async (_cap: string, directoryPath: string, name: string) => {
        if (name === 'taken') throw new Error(`the directory already has a child named "taken"`);
        asked.push(`link ${directoryPath}/${name}`);
      },
    } as unknown as CairnApi;
    const store = createSharedLinkStore(api);
    expect(store.getState().view).toEqual({ state: 'idle' });
    expect(await store.getState().open('https://example.org/x')).toBe(false);
    expect(store.getState().problem).toMatch(/^not a Cairn link: /);
    expect(asked).toEqual([]);

    const opening = store.getState().open(`cairn:open?cap=${encodeURIComponent(lit)}&name=hello.txt`);
    expect(store.getState().view).toEqual({ state: 'loading' });
    expect(await opening).toBe(true);
    expect(store.getState()).toMatchObject({ problem: undefined, target: { readCap: lit, name: 'hello.txt' }, path: '', view: { state: 'shown', entry: { kind: 'file', size: 5 } } });
    expect(await store.getState().saveToFiles('inbox', 'hello.txt')).toBeUndefined();
    expect(await store.getState().saveToFiles('inbox', 'taken')).toBe('the directory already has a child named "taken"');

    // a bare folder cap: no name in it, so it is called "Shared folder"
    failNext = true;
    await store.getState().open(folderCap);
    expect(store.getState().view).toEqual({ state: 'failed', error: 'not enough shares: 1 of 3 servers answered' });
    await store.getState().retry();
    const { target, view } = store.getState();
    expect(view).toMatchObject({ state: 'shown', entry: { kind: 'directory' } });
    expect(sharedName(target!, view.state === 'shown' ? view.entry : undefined)).toBe('Shared folder');
    await store.getState().browse('Day 1');
    expect(store.getState()).toMatchObject({ path: 'Day 1', view: { state: 'shown', entry: { kind: 'directory', listing: { path: 'Day 1', entries: [] } } } });
    expect(asked).toEqual([`${lit} `, 'link inbox/hello.txt', `${folderCap} `, `${folderCap} `, `${folderCap} Day 1`]);

    store.getState().reset();
    expect(store.getState()).toMatchObject({ target: undefined, path: '', view: { state: 'idle' } });
    // a link the desktop app was asked to open waits for the Files screen, once
    store.getState().offer('cairn:open?cap=x');
    expect(store.getState().takeOffered()).toBe('cairn:open?cap=x');
    expect(store.getState().takeOffered()).toBeUndefined();
  });
});
