// Short messages at the bottom of the window ("Read-only cap copied"), each gone after a while.
import { createStore, type StoreApi } from 'zustand/vanilla';

export interface Notice {
  readonly id: number;
  readonly text: string;
  readonly tone: 'info' | 'error';
}

export interface NoticeState {
  readonly notices: readonly Notice[];
  show(text: string, tone?: Notice['tone']): void;
  dismiss(id: number): void;
}

const NOTICE_MS = 4000;

export function createNoticeStore(): StoreApi<NoticeState> {
  let nextId = 1;
  return createStore<NoticeState>((set, get) => ({
    notices: [],
    show(text, tone = 'info') {
      const id = nextId++;
      set({ notices: [...get().notices, { id, text, tone }] });
      setTimeout(() => get().dismiss(id), NOTICE_MS);
    },
    dismiss(id) {
      set({ notices: get().notices.filter((notice) => notice.id !== id) });
    },
  }));
}
