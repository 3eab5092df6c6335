// How an empty, loading or failed view looks, everywhere.
import type { ReactNode } from 'react';

export function Loading({ label }: { label: string }) {
  return (
    <div className="state-view" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state-view empty">
      <div className="state-icon" aria-hidden="true">
        ◌
      </div>
      <p className="state-title">{title}</p>
      {children === undefined ? null : <div className="state-detail">{children}</div>}
    </div>
  );
}

export function ErrorNotice({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="error-notice" role="alert">
      <span className="error-icon" aria-hidden="true">
        !
      </span>
      <span className="error-text">{message}</span>
      {onRetry === undefined ? null : (
        <button type="button" className="button small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
