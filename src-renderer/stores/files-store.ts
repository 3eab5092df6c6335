// The Files screen: the folder being shown (breadcrumbs), the listings loaded so far, which
// folders are expanded in the tree, and the changes (new folder, rename, delete).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CairnApi, DirectoryListing } from '../../src-shared/ipc/index.js';

export interface FolderState {
  readonly listing: DirectoryListing | undefined;
  readonly loading: boolean;
  readonly error: string | undefined;
}

export interface FilesState {
  /** the folder shown; "" is the root of cairn: */
  readonly current: string;
  readonly folders: Readonly<Record<string, FolderState>>;
  readonly expanded: ReadonlySet<string>;
  /** the last change that failed, in one line */
  readonly actionError: string | undefined;
  open(path: string): Promise<void>;
  load(path: string): Promise<void>;
  toggle(path: string): Promise<void>;
  makeDirectory(name: string): Promise<boolean>;
  rename(path: string, newName: string): Promise<boolean>;
  remove(path: string): Promise<boolean>;
  clearActionError(): void;
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function createFilesStore(api: CairnApi): StoreApi<FilesState> {
  return createStore<FilesState>((set, get) => {
    const setFolder = (path: string, folder: Partial<FolderState>): void => {
      const before = get().folders[path] ?? { listing: undefined, loading: false, error: undefined };
      set({ folders: { ...get().folders, [path]: { ...before, ...folder } } });
    };
    /** Runs a change, then reloads the folders it touched; false (and actionError) if it failed. */
    const change = async (run: () => Promise<void>, folders: string[]): Promise<boolean> => {
      set({ actionError: undefined });
      try {
        await run();
        return true;
      } catch (error) {
        set({ actionError: (error as Error).message });
        return false;
      } finally {
        await Promise.all(folders.map((folder) => get().load(folder)));
      }
    };
    return {
      current: '',
      folders: {},
      expanded: new Set(),
      actionError: undefined,
      async open(path) {
        set({ current: path });
        await get().load(path);
      },
      async load(path) {
        setFolder(path, { loading: true });
        try {
          setFolder(path, { listing: await api.listDirectory(path), loading: false, error: undefined });
        } catch (error) {
          setFolder(path, { loading: false, error: (error as Error).message });
        }
      },
      async toggle(path) {
        const expanded = new Set(get().expanded);
        if (expanded.delete(path)) return set({ expanded });
        expanded.add(path);
        set({ expanded });
        await get().load(path);
      },
      makeDirectory(name) {
        const { current } = get();
        return change(() => api.makeDirectory(current === '' ? name : `${current}/${name}`), [current]);
      },
      rename(path, newName) {
        return change(() => api.rename(path, newName), [parentOf(path)]);
      },
      remove(path) {
        const expanded = new Set(get().expanded);
        expanded.delete(path);
        set({ expanded });
        return change(() => api.remove(path), [parentOf(path)]);
      },
      clearActionError() {
        set({ actionError: undefined });
      },
    };
  });
}
