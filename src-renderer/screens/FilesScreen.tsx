import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { ShareLink, VdriveEntry } from '../../src-shared/ipc/index.js';
import { validateEntryName } from '../../src-shared/ipc/index.js';
import { Breadcrumbs } from '../components/Breadcrumbs.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { Dialog } from '../components/Dialog.js';
import { droppedFilesOf } from '../components/dropped-files.js';
import { EntryTableHead } from '../components/EntryTableHead.js';
import { FolderRows, type EntryActions } from '../components/FileTree.js';
import { DialogFormButtons, FormProblem } from '../components/FormParts.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { SharedLinkDialog } from '../components/SharedLinkDialog.js';
import { Empty, ErrorNotice, Loading } from '../components/StateViews.js';
import { UploadsPanel } from '../components/UploadsPanel.js';
import { useCheckedSubmit } from '../components/use-checked-submit.js';
import { useFiles, useSharedLinks, useStores } from '../stores/stores-context.js';

type OpenDialog =
  | { readonly kind: 'mkdir' }
  | { readonly kind: 'rename'; readonly entry: VdriveEntry }
  | { readonly kind: 'delete'; readonly entry: VdriveEntry }
  | { readonly kind: 'share'; readonly entry: VdriveEntry; readonly link: ShareLink }
  | { readonly kind: 'open-link'; readonly link: string | undefined };

/** A one-field form (new folder, rename) that checks the name before sending it. */
function NameForm({ label, initial, submitLabel, onSubmit, onCancel }: { label: string; initial: string; submitLabel: string; onSubmit: (name: string) => Promise<string | undefined>; onCancel: () => void }) {
  const [name, setName] = useState(initial);
  const { problem, clearProblem, busy, onSubmit: submit } = useCheckedSubmit(() => validateEntryName(name), onSubmit, onCancel);
  return (
    <form onSubmit={submit}>
      <label className="field">
        <span>{label}</span>
        <input value={name} onChange={(event) => (setName(event.target.value), clearProblem())} aria-invalid={problem !== undefined} aria-describedby={problem === undefined ? undefined : 'name-problem'} />
      </label>
      <FormProblem id="name-problem" problem={problem} />
      <DialogFormButtons onCancel={onCancel} submitLabel={submitLabel} busy={busy} />
    </form>
  );
}

export function FilesScreen() {
  const { api, files, uploads, notices, sharedLinks } = useStores();
  const current = useFiles((state) => state.current);
  const folder = useFiles((state) => state.folders[state.current]);
  const actionError = useFiles((state) => state.actionError);
  const [dialog, setDialog] = useState<OpenDialog | undefined>();
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (files.getState().folders[current] === undefined) void files.getState().open(current);
  }, [files, current]);

  // a cairn: link the desktop app was asked to open
  const offered = useSharedLinks((state) => state.offered);
  useEffect(() => {
    if (offered === undefined) return;
    const link = sharedLinks.getState().takeOffered();
    if (link !== undefined) setDialog({ kind: 'open-link', link });
  }, [sharedLinks, offered]);

  /** a change's error for its dialog (the dialog shows it, not the page behind) */
  const outcome = async (change: Promise<boolean>): Promise<string | undefined> => {
    if (await change) return undefined;
    const message = files.getState().actionError;
    files.getState().clearActionError();
    return message ?? 'the change failed';
  };
  const notify = (text: string, tone: 'info' | 'error' = 'info') => notices.getState().show(text, tone);
  const uploadDropped = async (directoryPath: string, transfer: DataTransfer) => {
    const dropped = await droppedFilesOf(transfer);
    if (dropped.files.length === 0 && dropped.folders.length === 0) return notify('Nothing to upload in what was dropped', 'error');
    await uploads.getState().add(directoryPath, dropped.files, dropped.folders);
  };
  const actions: EntryActions = {
    open: (entry) => void files.getState().open(entry.path),
    download: (entry) => api.download(entry.path).catch((error: unknown) => notify((error as Error).message, 'error')),
    rename: (entry) => setDialog({ kind: 'rename', entry }),
    remove: (entry) => setDialog({ kind: 'delete', entry }),
    copyCap: (entry) =>
      void api
        .readOnlyCap(entry.path)
        .then((cap) => navigator.clipboard.writeText(cap))
        .then(
          () => notify(`Read-only cap of ${entry.name} copied`),
          (error: unknown) => notify(`Could not copy the cap: ${(error as Error).message}`, 'error'),
        ),
    share: (entry) =>
      void api.shareLink(entry.path).then(
        (link) => setDialog({ kind: 'share', entry, link }),
        (error: unknown) => notify((error as Error).message, 'error'),
      ),
    drop: (entry, event) => void uploadDropped(entry.path, event.dataTransfer),
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void uploadDropped(current, event.dataTransfer);
  };

  const content = (() => {
    if (folder?.listing === undefined) {
      if (folder?.error !== undefined) return <ErrorNotice message={folder.error} onRetry={() => void files.getState().load(current)} />;
      return <Loading label="Reading the folder…" />;
    }
    if (folder.listing.entries.length === 0) {
      return <Empty title="This folder is empty">Drop files or folders here to upload them, or make a new folder.</Empty>;
    }
    return (
      <div className="table-wrap">
        <table className="table files-table" aria-label={`Files in cairn:${current}`}>
          <EntryTableHead />
          <tbody>
            <FolderRows path={current} depth={0} actions={actions} />
          </tbody>
        </table>
      </div>
    );
  })();

  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenHeader title="Files">
        <button type="button" className="button" onClick={() => setDialog({ kind: 'open-link', link: undefined })}>
          Open a shared link
        </button>
        <button type="button" className="button" onClick={() => setDialog({ kind: 'mkdir' })}>
          New folder
        </button>
        <button type="button" className="button primary" onClick={() => picker.current?.click()}>
          Upload files
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-label="Files to upload"
          onChange={(event) => {
            const chosen = [...(event.target.files ?? [])].map((file) => ({ file, relativeDirectory: '' }));
            event.target.value = '';
            void uploads.getState().add(current, chosen);
          }}
        />
      </ScreenHeader>
      <Breadcrumbs path={current} onOpen={(path) => void files.getState().open(path)} />
      {actionError === undefined ? null : <ErrorNotice message={actionError} onRetry={undefined} />}
      <div
        className={`drop-zone ${dragging ? 'dragging' : ''}`}
        data-testid="drop-zone"
        aria-label={`Drop files here to upload them to cairn:${current}`}
        role="region"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={(event) => event.currentTarget === event.target && setDragging(false)}
        onDrop={onDrop}
      >
        {content}
        <p className="drop-hint muted">Drop files or folders anywhere here to upload them to cairn:{current}</p>
      </div>
      <UploadsPanel />
      {dialog?.kind === 'mkdir' ? (
        <Dialog title="New folder" onClose={() => setDialog(undefined)}>
          <NameForm label={`Name of the new folder in cairn:${current}`} initial="" submitLabel="Make folder" onSubmit={(name) => outcome(files.getState().makeDirectory(name))} onCancel={() => setDialog(undefined)} />
        </Dialog>
      ) : null}
      {dialog?.kind === 'rename' ? (
        <Dialog title={`Rename ${dialog.entry.name}`} onClose={() => setDialog(undefined)}>
          <NameForm label="New name" initial={dialog.entry.name} submitLabel="Rename" onSubmit={(name) => outcome(files.getState().rename(dialog.entry.path, name))} onCancel={() => setDialog(undefined)} />
        </Dialog>
      ) : null}
      {dialog?.kind === 'delete' ? (
        <ConfirmDialog title={`Delete ${dialog.entry.name}?`} confirmLabel="Delete" onConfirm={() => void files.getState().remove(dialog.entry.path).then(() => setDialog(undefined))} onClose={() => setDialog(undefined)}>
          <p>
            {dialog.entry.kind === 'directory' ? 'The folder and everything in it' : 'The file'} will be removed from cairn:{current === '' ? '' : `${current}/`}. Anyone holding its cap can still read it until its leases expire.
          </p>
        </ConfirmDialog>
      ) : null}
      {dialog?.kind === 'open-link' ? (
        <SharedLinkDialog
          initialLink={dialog.link}
          currentFolder={current}
          onClose={() => setDialog(undefined)}
          onSaved={(path) => {
            setDialog(undefined);
            notify(`Saved as cairn:${path}`);
            void files.getState().load(current);
          }}
        />
      ) : null}
      {dialog?.kind === 'share' ? (
        <Dialog title={`Share ${dialog.entry.name}`} onClose={() => setDialog(undefined)}>
          <p>Anyone on your grid with this link can read {dialog.entry.name}, but not change it. Treat it as a secret.</p>
          <label className="field">
            <span>Read-only link</span>
            <input readOnly value={dialog.link.link} onFocus={(event) => event.target.select()} />
          </label>
          <div className="dialog-buttons">
            <button type="button" className="button subtle" onClick={() => setDialog(undefined)}>
              Close
            </button>
            <button type="button" className="button primary" onClick={() => void navigator.clipboard.writeText(dialog.link.link).then(() => notify('Link copied'), () => notify('Could not copy the link', 'error'))}>
              Copy link
            </button>
          </div>
        </Dialog>
      ) : null}
    </section>
  );
}
