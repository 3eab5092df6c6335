// The Backups screen: the node's backup jobs, each job's snapshots once asked for, runs in
// progress, and the changes (add, remove, run now, pause, restore).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BackupJobInput, BackupJobsView, CairnApi, RestoreRequest, SnapshotView } from '../../src-shared/ipc/index.js';

export interface SnapshotsState {
  readonly list: readonly SnapshotView[] | undefined;
  readonly loading: boolean;
  readonly error: string | undefined;
}

export interface BackupsState {
  readonly view: BackupJobsView | undefined;
  readonly loading: boolean;
  readonly error: string | undefined;
  readonly snapshots: Readonly<Record<string, SnapshotsState>>;
  /** jobs this window asked to run, until the run ends */
  readonly running: ReadonlySet<string>;
  /** the last change that failed, in one line */
  readonly actionError: string | undefined;
  load(): Promise<void>;
  loadSnapshots(jobId: string): Promise<void>;
  /** undefined when added, else why not */
  add(job: BackupJobInput): Promise<string | undefined>;
  remove(jobId: string): Promise<boolean>;
  run(jobId: string): Promise<boolean>;
  setPaused(paused: boolean): Promise<boolean>;
  /** undefined when restored, else why not */
  restore(request: RestoreRequest): Promise<string | undefined>;
}

export function createBackupsStore(api: CairnApi): StoreApi<BackupsState> {
  return createStore<BackupsState>((set, get) => {
    const attempt = async (change: () => Promise<void>): Promise<string | undefined> => {
      try {
        await change();
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    };
    const withRunning = (jobId: string, on: boolean): ReadonlySet<string> => {
      const running = new Set(get().running);
      if (on) running.add(jobId);
      else running.delete(jobId);
      return running;
    };
    return {
      view: undefined,
      loading: false,
      error: undefined,
      snapshots: {},
      running: new Set(),
      actionError: undefined,
      async load() {
        set({ loading: true });
        try {
          set({ view: await api.backupJobs(), loading: false, error: undefined });
        } catch (error) {
          set({ loading: false, error: (error as Error).message });
        }
      },
      async loadSnapshots(jobId) {
        const before = get().snapshots[jobId];
        set({ snapshots: { ...get().snapshots, [jobId]: { list: before?.list, loading: true, error: undefined } } });
        try {
          const list = await api.snapshots(jobId);
          set({ snapshots: { ...get().snapshots, [jobId]: { list, loading: false, error: undefined } } });
        } catch (error) {
          set({ snapshots: { ...get().snapshots, [jobId]: { list: before?.list, loading: false, error: (error as Error).message } } });
        }
      },
      async add(job) {
        const failure = await attempt(async () => void (await api.addBackupJob(job)));
        await get().load();
        return failure;
      },
      async remove(jobId) {
        const failure = await attempt(() => api.removeBackupJob(jobId));
        set({ actionError: failure });
        await get().load();
        return failure === undefined;
      },
      async run(jobId) {
        set({ running: withRunning(jobId, true), actionError: undefined });
        void get().load(); // shows it running
        const failure = await attempt(() => api.runBackupJob(jobId));
        set({ running: withRunning(jobId, false), actionError: failure });
        await Promise.all([get().load(), get().loadSnapshots(jobId)]);
        return failure === undefined;
      },
      async setPaused(paused) {
        const failure = await attempt(() => api.setBackupsPaused(paused));
        set({ actionError: failure });
        await get().load();
        return failure === undefined;
      },
      restore(request) {
        return attempt(() => api.restore(request));
      },
    };
  });
}
