import { createContext, useContext } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { CairnApi } from '../../src-shared/ipc/index.js';
import { createFilesStore, type FilesState } from './files-store.js';
import { createStatusStore, type StatusState } from './status-store.js';
import { createUploadsStore, type UploadsState } from './uploads-store.js';
import { createNoticeStore, type NoticeState } from './notice-store.js';
import { createBackupsStore, type BackupsState } from './backups-store.js';
import { createSharedLinkStore, type SharedLinkState } from './shared-link-store.js';

export interface Stores {
  readonly api: CairnApi;
  readonly status: StoreApi<StatusState>;
  readonly files: StoreApi<FilesState>;
  readonly uploads: StoreApi<UploadsState>;
  readonly notices: StoreApi<NoticeState>;
  readonly backups: StoreApi<BackupsState>;
  readonly sharedLinks: StoreApi<SharedLinkState>;
}

export function createStores(api: CairnApi): Stores {
  const files = createFilesStore(api);
  return {
    api,
    status: createStatusStore(api),
    files,
    uploads: createUploadsStore(api, (directoryPath) => {
      // reload the folder if it is on screen (shown, or expanded in the tree)
      if (files.getState().folders[directoryPath] !== undefined) void files.getState().load(directoryPath);
    }),
    notices: createNoticeStore(),
    backups: createBackupsStore(api),
    sharedLinks: createSharedLinkStore(api),
  };
}

export const StoresContext = createContext<Stores | undefined>(undefined);

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (stores === undefined) throw new Error('useStores outside <StoresContext>');
  return stores;
}

export function useStatus<T>(select: (state: StatusState) => T): T {
  return useStore(useStores().status, select);
}

export function useFiles<T>(select: (state: FilesState) => T): T {
  return useStore(useStores().files, select);
}

export function useUploads<T>(select: (state: UploadsState) => T): T {
  return useStore(useStores().uploads, select);
}

export function useNotices<T>(select: (state: NoticeState) => T): T {
  return useStore(useStores().notices, select);
}

export function useSharedLinks<T>(select: (state: SharedLinkState) => T): T {
  return useStore(useStores().sharedLinks, select);
}

export function useBackups<T>(select: (state: BackupsState) => T): T {
  return useStore(useStores().backups, select);
}
