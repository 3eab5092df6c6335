// Files and folders dropped on the Files screen: each upload with its progress, cancel and
// error. Folders are made first, then files upload two at a time.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CairnApi, UploadFile, UploadHandle, UploadProgress } from '../../src-shared/ipc/index.js';

export interface UploadItem {
  readonly id: string;
  readonly name: string;
  /** the folder it goes into */
  readonly directoryPath: string;
  readonly progress: UploadProgress;
}

/** One dropped file and the folder (below the drop target) it belongs in. */
export interface DroppedFile {
  readonly file: UploadFile;
  /** "" for a file dropped by itself, "Photos/2024" for one inside dropped folders */
  readonly relativeDirectory: string;
}

export interface UploadsState {
  readonly items: readonly UploadItem[];
  /** uploads `files` below `directoryPath`, making the dropped folders first */
  add(directoryPath: string, files: readonly DroppedFile[], folders?: readonly string[]): Promise<void>;
  cancel(id: string): void;
  /** forgets finished, failed and cancelled uploads */
  clearFinished(): void;
}

const PARALLEL_UPLOADS = 2;
const FINISHED: readonly UploadProgress['state'][] = ['done', 'failed', 'cancelled'];

function join(directory: string, relative: string): string {
  if (relative === '') return directory;
  return directory === '' ? relative : `${directory}/${relative}`;
}

/** `onUploaded` is told each folder a file or a new folder landed in (to reload it). */
export function createUploadsStore(api: CairnApi, onUploaded: (directoryPath: string) => void = () => {}): StoreApi<UploadsState> {
  let nextId = 1;
  const files = new Map<string, UploadFile>();
  const handles = new Map<string, UploadHandle>();
  let active = 0;

  return createStore<UploadsState>((set, get) => {
    const update = (id: string, progress: UploadProgress): void => {
      set({ items: get().items.map((item) => (item.id === id ? { ...item, progress } : item)) });
    };
    const pump = (): void => {
      while (active < PARALLEL_UPLOADS) {
        const next = get().items.find((item) => item.progress.state === 'queued');
        if (next === undefined) return;
        const file = files.get(next.id)!;
        active++;
        update(next.id, { state: 'sending', bytesDone: 0, bytesTotal: file.size });
        const handle = api.upload(next.directoryPath, file, (progress) => {
          const now = get().items.find((item) => item.id === next.id);
          if (now !== undefined && !FINISHED.includes(now.progress.state)) update(next.id, progress);
        });
        handles.set(next.id, handle);
        handle.done
          .then(
            () => {
              update(next.id, { state: 'done', bytesDone: file.size, bytesTotal: file.size });
              onUploaded(next.directoryPath);
            },
            (error: unknown) => {
              const now = get().items.find((item) => item.id === next.id);
              if (now?.progress.state === 'cancelled') return;
              update(next.id, { state: 'failed', bytesDone: now?.progress.bytesDone ?? 0, bytesTotal: file.size, error: (error as Error).message });
            },
          )
          .finally(() => {
            active--;
            handles.delete(next.id);
            files.delete(next.id);
            pump();
          });
      }
    };
    return {
      items: [],
      async add(directoryPath, dropped, folders = []) {
        const added: UploadItem[] = dropped.map(({ file, relativeDirectory }) => {
          const id = `upload-${nextId++}`;
          files.set(id, file);
          return { id, name: file.name, directoryPath: join(directoryPath, relativeDirectory), progress: { state: 'queued', bytesDone: 0, bytesTotal: file.size } };
        });
        set({ items: [...get().items, ...added] });
        // parents before children; a folder that exists already is fine
        const changed = new Set<string>();
        for (const folder of [...folders].sort((a, b) => a.split('/').length - b.split('/').length)) {
          await api.makeDirectory(join(directoryPath, folder)).then(
            () => changed.add(join(directoryPath, folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : '')),
            (error: unknown) => {
              if (!/already has a child|exist/i.test((error as Error).message)) {
                for (const item of added) if (item.directoryPath === join(directoryPath, folder) || item.directoryPath.startsWith(`${join(directoryPath, folder)}/`)) update(item.id, { ...item.progress, state: 'failed', error: (error as Error).message });
              }
            },
          );
        }
        // the new folders show at once (an empty one gets no file to show it)
        for (const folder of changed) onUploaded(folder);
        pump();
      },
      cancel(id) {
        const item = get().items.find((entry) => entry.id === id);
        if (item === undefined || FINISHED.includes(item.progress.state)) return;
        update(id, { ...item.progress, state: 'cancelled' });
        handles.get(id)?.cancel();
        files.delete(id);
      },
      clearFinished() {
        set({ items: get().items.filter((item) => !FINISHED.includes(item.progress.state)) });
      },
    };
  });
}
