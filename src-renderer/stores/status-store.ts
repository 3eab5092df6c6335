// The node's status for the Status and Peers screens: fetched at start, again when the node
// says it changed, and every few seconds (latency and last-seen change without an event).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CairnApi, OperationView, StatusView } from '../../src-shared/ipc/index.js';

export type LinkState = 'connecting' | 'open' | 'lost';

export interface StatusState {
  readonly status: StatusView | undefined;
  readonly loading: boolean;
  /** the last refresh failed: why, in one line */
  readonly error: string | undefined;
  /** the event stream to the node */
  readonly link: LinkState;
  refresh(): Promise<void>;
  /** subscribes to events and polls; returns the stop function */
  start(pollMs?: number): () => void;
}

function withOperation(status: StatusView, operation: OperationView): StatusView {
  const others = status.operations.filter((op) => op.id !== operation.id);
  return { ...status, operations: [...others, operation] };
}

export function createStatusStore(api: CairnApi): StoreApi<StatusState> {
  let inFlight: Promise<void> | undefined;
  let again = false;
  return createStore<StatusState>((set, get) => ({
    status: undefined,
    loading: false,
    error: undefined,
    link: 'connecting',
    refresh() {
      // one request at a time; a refresh asked for meanwhile runs once after it
      if (inFlight !== undefined) {
        again = true;
        return inFlight;
      }
      set({ loading: true });
      inFlight = api
        .status()
        .then(
          (status) => set({ status, error: undefined, loading: false }),
          (error: unknown) => set({ error: (error as Error).message, loading: false }),
        )
        .finally(() => {
          inFlight = undefined;
          if (again) {
            again = false;
            void get().refresh();
          }
        });
      return inFlight;
    },
    start(pollMs = 5000) {
      void get().refresh();
      const unsubscribe = api.onEvent((event) => {
        if (event.type === 'status') void get().refresh();
        if (event.type === 'connection') {
          set({ link: event.state });
          if (event.state === 'open') void get().refresh();
        }
        if (event.type === 'operation') {
          const { status } = get();
          if (status !== undefined) set({ status: withOperation(status, event.operation) });
        }
      });
      const timer = setInterval(() => void get().refresh(), pollMs);
      return () => {
        clearInterval(timer);
        unsubscribe();
      };
    },
  }));
}
