// "Open a shared link": the link or cap pasted (checked here first, so bad input is one line
// and asks the node nothing), what it points at (loading, failed, shown), the folder shown
// below a shared folder, and a link handed over by the desktop app (the `cairn:` protocol).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { parseShareLink, type CairnApi, type OpenableLink, type SharedEntryView } from '../../src-shared/ipc/index.js';

export type SharedView =
  | { readonly state: 'idle' }
  | { readonly state: 'loading' }
  | { readonly state: 'failed'; readonly error: string }
  | { readonly state: 'shown'; readonly entry: SharedEntryView };

export interface SharedLinkState {
  /** why the pasted text is not a link or read cap, in one line */
  readonly problem: string | undefined;
  /** the link being shown */
  readonly target: OpenableLink | undefined;
  /** the folder shown below a shared folder ("" is the shared folder itself) */
  readonly path: string;
  readonly view: SharedView;
  /** a link the shell was asked to open, until the Files screen takes it */
  readonly offered: string | undefined;
  /** checks `text`, then shows what it points at; false if the text was refused */
  open(text: string): Promise<boolean>;
  /** shows the folder `path` below the shared folder */
  browse(path: string): Promise<void>;
  retry(): Promise<void>;
  /** links the shared cap into `directoryPath` as `name`; the error in one line, or undefined */
  saveToFiles(directoryPath: string, name: string): Promise<string | undefined>;
  /** back to an empty opener */
  reset(): void;
  offer(link: string): void;
  takeOffered(): string | undefined;
}

/** What a shared entry is called when the link gives no name (a bare cap). */
export function sharedName(target: OpenableLink, entry: SharedEntryView | undefined): string {
  return target.name ?? (entry?.kind === 'directory' ? 'Shared folder' : 'Shared file');
}

export function createSharedLinkStore(api: CairnApi): StoreApi<SharedLinkState> {
  /** answers to an older request are dropped (the user browsed on, or opened another link) */
  let request = 0;
  return createStore<SharedLinkState>((set, get) => {
    const load = async (target: OpenableLink, path: string): Promise<void> => {
      const mine = ++request;
      set({ target, path, view: { state: 'loading' } });
      try {
        const entry = await api.openShared(target.readCap, path);
        if (mine === request) set({ view: { state: 'shown', entry } });
      } catch (error) {
        if (mine === request) set({ view: { state: 'failed', error: (error as Error).message.split('\n')[0]! } });
      }
    };
    return {
      problem: undefined,
      target: undefined,
      path: '',
      view: { state: 'idle' },
      offered: undefined,
      async open(text) {
        let target: OpenableLink;
        try {
          target = parseShareLink(text);
        } catch (error) {
          set({ problem: (error as Error).message });
          return false;
        }
        set({ problem: undefined });
        await load(target, '');
        return true;
      },
      async browse(path) {
        const { target } = get();
        if (target !== undefined) await load(target, path);
      },
      async retry() {
        await get().browse(get().path);
      },
      async saveToFiles(directoryPath, name) {
        const { target } = get();
        if (target === undefined) return 'open a link first';
        try {
          await api.linkShared(target.readCap, directoryPath, name);
          return undefined;
        } catch (error) {
          return (error as Error).message.split('\n')[0]!;
        }
      },
      reset() {
        request++;
        set({ problem: undefined, target: undefined, path: '', view: { state: 'idle' } });
      },
      offer(link) {
        set({ offered: link });
      },
      takeOffered() {
        const { offered } = get();
        set({ offered: undefined });
        return offered;
      },
    };
  });
}
