// "Open a shared link": paste a cairn:open link or a read cap; see the file (name, size,
// Download) or the folder (a read-only listing to browse, with downloads); save it into
// the folder on screen. Everything is reachable by Tab, Enter and Escape.
import { useEffect, useState, type FormEvent } from 'react';
import { validateEntryName, type SharedEntryView, type VdriveEntry } from '../../src-shared/ipc/index.js';
import { formatBytes, formatDate } from '../format.js';
import { sharedName } from '../stores/shared-link-store.js';
import { useSharedLinks, useStores } from '../stores/stores-context.js';
import { Breadcrumbs } from './Breadcrumbs.js';
import { Dialog } from './Dialog.js';
import { EntryTableHead } from './EntryTableHead.js';
import { DialogFormButtons, FormProblem } from './FormParts.js';
import { Empty, ErrorNotice, Loading } from './StateViews.js';
import { useCheckedSubmit } from './use-checked-submit.js';

function SharedFolderTable({ entries, onOpen, onDownload }: { entries: readonly VdriveEntry[]; onOpen: (entry: VdriveEntry) => void; onDownload: (entry: VdriveEntry) => void }) {
  if (entries.length === 0) return <Empty title="This shared folder is empty" />;
  return (
    <div className="table-wrap shared-table">
      <table className="table" aria-label="Files in the shared folder">
        <EntryTableHead />
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
  useEffect(() => setName(initialName), [initialName]);
  const { problem, clearProblem, busy, onSubmit } = useCheckedSubmit(
    () => validateEntryName(name),
    (checked) => sharedLinks.getState().saveToFiles(currentFolder, checked),
    (checked) => onSaved(currentFolder === '' ? checked : `${currentFolder}/${checked}`),
  );
  return (
    <form className="field-row" onSubmit={onSubmit}>
      <label className="field">
        <span>Save to my files (cairn:{currentFolder}) as</span>
        <input value={name} onChange={(event) => (setName(event.target.value), clearProblem())} aria-invalid={problem !== undefined} aria-describedby={problem === undefined ? undefined : 'save-problem'} />
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
          <Breadcrumbs root={name} label="Shared folder breadcrumbs" path={path} onOpen={(at) => void sharedLinks.getState().browse(at)} />
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
        <FormProblem id="link-problem" problem={problem} />
        <DialogFormButtons cancelLabel="Close" onCancel={onClose} submitLabel="Open" busy={view.state === 'loading'} />
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
