import type { ReactNode } from 'react';
import { Dialog } from './Dialog.js';

/** Asks before something is removed: `children` says what happens; Cancel, or `confirmLabel` does it. */
export function ConfirmDialog({ title, confirmLabel, onConfirm, onClose, children }: { title: string; confirmLabel: string; onConfirm: () => void; onClose: () => void; children: ReactNode }) {
  return (
    <Dialog title={title} onClose={onClose}>
      {children}
      <div className="dialog-buttons">
        <button type="button" className="button subtle" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button danger" onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
