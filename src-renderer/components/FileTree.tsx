// The vdrive as a tree table: folders expand in place (or open, for breadcrumbs); each row has
// its actions. Keys: ↑/↓ move, → expands, ← collapses, Enter opens or downloads, F2 renames,
// Delete deletes.
import { useState, type DragEvent, type KeyboardEvent } from 'react';
import type { VdriveEntry } from '../../src-shared/ipc/index.js';
import { formatBytes, formatDate } from '../format.js';
import { useFiles, useStores } from '../stores/stores-context.js';
import { ErrorNotice } from './StateViews.js';

export interface EntryActions {
  open(entry: VdriveEntry): void;
  download(entry: VdriveEntry): void;
  rename(entry: VdriveEntry): void;
  remove(entry: VdriveEntry): void;
  copyCap(entry: VdriveEntry): void;
  share(entry: VdriveEntry): void;
  /** files dropped on a folder's row */
  drop(entry: VdriveEntry, event: DragEvent): void;
}

function moveFocus(from: HTMLElement, step: 1 | -1): void {
  const rows = [...(from.closest('tbody')?.querySelectorAll<HTMLElement>('tr[data-path]') ?? [])];
  rows[rows.indexOf(from) + step]?.focus();
}

function Row({ entry, depth, actions }: { entry: VdriveEntry; depth: number; actions: EntryActions }) {
  const { files } = useStores();
  const expanded = useFiles((state) => state.expanded.has(entry.path));
  const [dropping, setDropping] = useState(false);
  const isFolder = entry.kind === 'directory';
  const onKeyDown = (event: KeyboardEvent<HTMLTableRowElement>) => {
    if (event.target !== event.currentTarget) return;
    const handled = (() => {
      switch (event.key) {
        case 'ArrowDown':
          return moveFocus(event.currentTarget, 1), true;
        case 'ArrowUp':
          return moveFocus(event.currentTarget, -1), true;
        case 'ArrowRight':
          return isFolder && !expanded ? (void files.getState().toggle(entry.path), true) : false;
        case 'ArrowLeft':
          return isFolder && expanded ? (void files.getState().toggle(entry.path), true) : false;
        case 'Enter':
          return isFolder ? actions.open(entry) : actions.download(entry), true;
        case 'F2':
          return entry.writable ? (actions.rename(entry), true) : false;
        case 'Delete':
          return actions.remove(entry), true;
      }
      return false;
    })();
    if (handled) event.preventDefault();
  };
  const dropProps = isFolder
    ? {
        onDragOver: (event: DragEvent) => {
          event.preventDefault();
          event.stopPropagation();
          setDropping(true);
        },
        onDragLeave: () => setDropping(false),
        onDrop: (event: DragEvent) => {
          event.preventDefault();
          event.stopPropagation();
          setDropping(false);
          actions.drop(entry, event);
        },
      }
    : {};
  return (
    <tr tabIndex={0} data-path={entry.path} data-kind={entry.kind} className={dropping ? 'drop-target' : undefined} onKeyDown={onKeyDown} onDoubleClick={() => (isFolder ? actions.open(entry) : actions.download(entry))} {...dropProps}>
      <td style={{ paddingLeft: `${0.75 + depth * 1.25}rem` }}>
        <div className="name-cell">
          {isFolder ? (
            <button type="button" className="expander" aria-expanded={expanded} aria-label={`${expanded ? 'Collapse' : 'Expand'} ${entry.name}`} onClick={() => void files.getState().toggle(entry.path)}>
              {expanded ? '▾' : '▸'}
            </button>
          ) : (
            <span className="expander-space" aria-hidden="true" />
          )}
          <span className={`entry-icon ${entry.kind}`} aria-hidden="true" />
          {isFolder ? (
            <button type="button" className="link-button entry-name" onClick={() => actions.open(entry)}>
              {entry.name}
            </button>
          ) : (
            <span className="entry-name">{entry.name}</span>
          )}
        </div>
      </td>
      <td className="number">{isFolder ? '—' : formatBytes(entry.size)}</td>
      <td>{formatDate(entry.modifiedAt)}</td>
      <td className="actions">
        {isFolder ? null : (
          <button type="button" className="button small subtle" aria-label={`Download ${entry.name}`} onClick={() => actions.download(entry)}>
            Download
          </button>
        )}
        <button type="button" className="button small subtle" aria-label={`Rename ${entry.name}`} disabled={!entry.writable} onClick={() => actions.rename(entry)}>
          Rename
        </button>
        <button type="button" className="button small subtle" aria-label={`Copy read-only cap of ${entry.name}`} onClick={() => actions.copyCap(entry)}>
          Copy cap
        </button>
        <button type="button" className="button small subtle" aria-label={`Share ${entry.name}`} onClick={() => actions.share(entry)}>
          Share
        </button>
        <button type="button" className="button small subtle danger" aria-label={`Delete ${entry.name}`} onClick={() => actions.remove(entry)}>
          Delete
        </button>
      </td>
    </tr>
  );
}

/** The rows of `path`'s folder, and below each expanded folder its own rows. */
export function FolderRows({ path, depth, actions }: { path: string; depth: number; actions: EntryActions }) {
  const folder = useFiles((state) => state.folders[path]);
  const expanded = useFiles((state) => state.expanded);
  const { files } = useStores();
  if (depth > 0 && folder?.listing === undefined) {
    return (
      <tr className="note-row">
        <td colSpan={4} style={{ paddingLeft: `${2.5 + depth * 1.25}rem` }}>
          {folder?.error === undefined ? <span className="muted">Loading…</span> : <ErrorNotice message={folder.error} onRetry={() => void files.getState().load(path)} />}
        </td>
      </tr>
    );
  }
  const entries = folder?.listing?.entries ?? [];
  if (depth > 0 && entries.length === 0) {
    return (
      <tr className="note-row">
        <td colSpan={4} className="muted" style={{ paddingLeft: `${2.5 + depth * 1.25}rem` }}>
          Empty folder
        </td>
      </tr>
    );
  }
  return (
    <>
      {entries.map((entry) => (
        <FragmentRows key={entry.path} entry={entry} depth={depth} actions={actions} open={entry.kind === 'directory' && expanded.has(entry.path)} />
      ))}
    </>
  );
}

function FragmentRows({ entry, depth, actions, open }: { entry: VdriveEntry; depth: number; actions: EntryActions; open: boolean }) {
  return (
    <>
      <Row entry={entry} depth={depth} actions={actions} />
      {open ? <FolderRows path={entry.path} depth={depth + 1} actions={actions} /> : null}
    </>
  );
}
