// "Open a shared link": paste a cairn:open link or a read cap; see the file (name, size,
// Download) or the folder (a read-only listing to browse, with downloads); save it into
// the folder on screen. Everything is reachable by Tab, Enter and Escape.
import { useEffect, useState, type FormEvent } from 'react';
import { validateEntryName, type SharedEntryView, type VdriveEntry } from '../../src-shared/ipc/index.js';
import { formatBytes, formatDate } from '../format.js';
import { sharedName } from '../stores/shared-link-store.js';
import { useSharedLinks, useStores } from '../stores/stores-context.js';
import { Dialog } from './Dialog.js';
import { Empty, ErrorNotice, Loading } from './StateViews.js';

function SharedBreadcrumbs({ root, path, onOpen }: { root: string; path: string; onOpen: (path: string) => void }) {
  const names = path === '' ? [] : path.split('/');
  const crumbs = [{ label: root, path: '' }, ...names.map((name, i) => ({ label: name, path: names.slice(0, i + 1).join('/') }))];
  return (
    <nav aria-label="Shared folder breadcrumbs" className="breadcrumbs">
      <ol>
        {crumbs.map((crumb, i) => (
          <li key={crumb.path}>
            {i === crumbs.length - 1 ? (
              <span aria-current="page">{crumb.label}</span>
            ) : (
              <button type="button" className="link-button" onClick={() => onOpen(crumb.path)}>
                {crumb.label}
              </button>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

function SharedFolderTable({ entries, onOpen, onDownload }: { entries: readonly VdriveEntry[]; onOpen: (entry: VdriveEntry) => void; onDownload: (entry: VdriveEntry) => void }) {
  if (entries.length === 0) return <Empty title="This shared folder is empty" />;
  return (
    <div className="table-wrap shared-table">
      <table className="table" aria-label="Files in the shared folder">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col" className="number">
              Size
            </th>
            <th scope="col">Changed</th>
            <th scope="col" className="actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.path} data-shared-path={entry.path} data-kind={entry.kind}>
              <td>
                <div className="name-cell">
                  <span className={`entry-icon ${entry.kind}`} aria-hidden="true" />
                  {entry.kind === 'directory' ? (
                    <button type="button" className="link-button entry-name" onClick={() => onOpen(entry)}>
                      {entry.name}
                    </button>
                  ) : (
                    <span className="entry-name">{entry.name}</span>
                  )}
                </div>
              </td>
              <td className="number">{entry.kind === 'directory' ? '—' : formatBytes(entry.size)}</td>
              <td>{formatDate(entry.modifiedAt)}</td>
              <td className="actions">
                {entry.kind === 'directory' ? null : (
                  <button type="button" className="button small subtle" aria-label={`Download ${entry.name}`} onClick={() => onDownload(entry)}>
                    Download
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Links the shared cap into the folder on screen under a name (the link's, editable). */
function SaveToFiles({ initialName, currentFolder, onSaved }: { initialName: string; currentFolder: string; onSaved: (path: string) => void }) {
  const { sharedLinks } = useStores();
  const [name, setName] = useState(initialName);
  const [problem, setProblem] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => setName(initialName), [initialName]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    let checked: string;
    try {
      checked = validateEntryName(name);
    } catch (error) {
      return setProblem((error as Error).message);
    }
    setBusy(true);
    const failure = await sharedLinks.getState().saveToFiles(currentFolder, checked);
    setBusy(false);
    if (failure !== undefined) return setProblem(failure);
    onSaved(currentFolder === '' ? checked : `${currentFolder}/${checked}`);
  };
  return (
    <form className="field-row" onSubmit={(event) => void submit(event)}>
      <label className="field">
        <span>Save to my files (cairn:{currentFolder}) as</span>
        <input value={name} onChange={(event) => (setName(event.target.value), setProblem(undefined))} aria-invalid={problem !== undefined} aria-describedby={problem === undefined ? undefined : 'save-problem'} />
        {problem === undefined ? null : (
          <small id="save-problem" className="field-problem" role="alert">
            {problem}
          </small>
        )}
      </label>
      <button type="submit" className="button" disabled={busy}>
        Save to my files
      </button>
    </form>
  );
}

function SharedEntry({ entry, currentFolder, onSaved }: { entry: SharedEntryView; currentFolder: string; onSaved: (path: string) => void }) {
  const { api, sharedLinks, notices } = useStores();
  const target = useSharedLinks((state) => state.target)!;
  const path = useSharedLinks((state) => state.path);
  const name = sharedName(target, entry);
  const download = (at: string, as: string) => void api.downloadShared(target.readCap, at, as).catch((error: unknown) => notices.getState().show((error as Error).message, 'error'));
  return (
    <div className="shared-entry" data-testid="shared-entry" data-kind={entry.kind}>
      {entry.kind === 'file' ? (
        <div className="shared-file">
          <span className="entry-icon file" aria-hidden="true" />
          <span className="shared-file-name" data-testid="shared-name">
            {name}
          </span>
          <span className="muted" data-testid="shared-size">
            {formatBytes(entry.size)}
          </span>
          <button type="button" className="button primary" aria-label={`Download ${name}`} onClick={() => download('', name)}>
            Download
          </button>
        </div>
      ) : (
        <>
          <SharedBreadcrumbs root={name} path={path} onOpen={(at) => void sharedLinks.getState().browse(at)} />
          <SharedFolderTable entries={entry.listing.entries} onOpen={(child) => void sharedLinks.getState().browse(child.path)} onDownload={(child) => download(child.path, child.name)} />
        </>
      )}
      <SaveToFiles initialName={name} currentFolder={currentFolder} onSaved={onSaved} />
    </div>
  );
}

export function SharedLinkDialog({ initialLink, currentFolder, onSaved, onClose }: { initialLink: string | undefined; currentFolder: string; onSaved: (path: string) => void; onClose: () => void }) {
  const { sharedLinks } = useStores();
  const problem = useSharedLinks((state) => state.problem);
  const view = useSharedLinks((state) => state.view);
  const [text, setText] = useState(initialLink ?? '');
  useEffect(() => {
    sharedLinks.getState().reset();
    // a link the app was asked to open is opened at once
    if (initialLink !== undefined) void sharedLinks.getState().open(initialLink);
    return () => sharedLinks.getState().reset();
  }, [sharedLinks, initialLink]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void sharedLinks.getState().open(text);
  };
  return (
    <Dialog title="Open a shared link" onClose={onClose} wide>
      <form onSubmit={submit}>
        <label className="field">
          <span>Shared link or read cap</span>
          <input
            value={text}
            spellCheck={false}
            autoComplete="off"
            placeholder="cairn:open?cap=URI%3ACHK%3A…"
            onChange={(event) => setText(event.target.value)}
            aria-invalid={problem !== undefined}
            aria-describedby={problem === undefined ? undefined : 'link-problem'}
          />
        </label>
        {problem === undefined ? null : (
          <p id="link-problem" className="field-problem" role="alert">
            {problem}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" className="button subtle" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="button primary" disabled={view.state === 'loading'}>
            Open
          </button>
        </div>
      </form>
      <section className="shared-view" aria-label="What the link points at">
        {view.state === 'idle' ? (
          <Empty title="Nothing opened yet">Paste the link a friend on your grid shared with you (it starts with cairn:open?), or a read cap (URI:…), then Open.</Empty>
        ) : view.state === 'loading' ? (
          <Loading label="Opening the link…" />
        ) : view.state === 'failed' ? (
          <ErrorNotice message={view.error} onRetry={() => void sharedLinks.getState().retry()} />
        ) : (
          <SharedEntry entry={view.entry} currentFolder={currentFolder} onSaved={onSaved} />
        )}
      </section>
    </Dialog>
  );
}
