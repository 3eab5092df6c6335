import { useEffect, useState } from 'react';
import { validateBackupJob, validateLocalPath, validateVdrivePath, type BackupJobView, type SnapshotView } from '../../src-shared/ipc/index.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { Dialog } from '../components/Dialog.js';
import { DialogFormButtons, Field, FormProblem } from '../components/FormParts.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ScreenHeader } from '../components/ScreenHeader.js';
import { Empty, ErrorNotice, Loading } from '../components/StateViews.js';
import { useCheckedSubmit } from '../components/use-checked-submit.js';
import { formatDate } from '../format.js';
import { useBackups, useStores } from '../stores/stores-context.js';

type OpenDialog = { readonly kind: 'add' } | { readonly kind: 'restore'; readonly snapshot: SnapshotView } | { readonly kind: 'remove'; readonly job: BackupJobView };

function AddJobForm({ onDone }: { onDone: () => void }) {
  const { api, backups } = useStores();
  const [id, setId] = useState('');
  const [source, setSource] = useState('');
  const [target, setTarget] = useState('');
  const [scheduleKind, setScheduleKind] = useState<'every' | 'at'>('every');
  const [hours, setHours] = useState('24');
  const [time, setTime] = useState('02:00');
  const [excludes, setExcludes] = useState('');
  const [keepLast, setKeepLast] = useState('10');
  const [keepDaily, setKeepDaily] = useState('7');
  const desktop = window.cairn !== undefined;
  const { problem, busy, onSubmit } = useCheckedSubmit(
    () =>
      validateBackupJob({
        id: id.trim(),
        source: source.trim(),
        target: target.trim() === '' ? `cairn:backups/${id.trim()}` : target.trim(),
        schedule: scheduleKind === 'every' ? { every: Math.round(Number(hours) * 3600) } : { at: [time] },
        excludes: excludes.split(',').map((glob) => glob.trim()).filter((glob) => glob !== ''),
        retention: { ...(keepLast === '' ? {} : { last: Number(keepLast) }), ...(keepDaily === '' ? {} : { daily: Number(keepDaily) }) },
      }),
    (job) => backups.getState().add(job),
    onDone,
  );

  return (
    <form onSubmit={onSubmit} className="form-grid">
      <Field label="Name" value={id} onChange={(e) => setId(e.target.value)} hint='letters, digits, "-" or "_"' />
      <div className="field-row">
        <Field label="Folder on this computer" value={source} onChange={(e) => setSource(e.target.value)} placeholder="/home/you/Documents" />
        {desktop ? (
          <button type="button" className="button" onClick={() => void api.pickFolder().then((folder) => folder !== undefined && setSource(folder))}>
            Choose…
          </button>
        ) : null}
      </div>
      <Field label="Where on the grid" value={target} onChange={(e) => setTarget(e.target.value)} placeholder={`cairn:backups/${id.trim() === '' ? 'NAME' : id.trim()}`} />
      <fieldset className="field">
        <legend>Schedule</legend>
        <label className="inline">
          <input type="radio" name="schedule" aria-label="Every few hours" checked={scheduleKind === 'every'} onChange={() => setScheduleKind('every')} /> every
          <input className="short" aria-label="hours between runs" value={hours} onChange={(e) => setHours(e.target.value)} /> hours
        </label>
        <label className="inline">
          <input type="radio" name="schedule" aria-label="Daily at a time" checked={scheduleKind === 'at'} onChange={() => setScheduleKind('at')} /> daily at
          <input className="short" aria-label="time of day" value={time} onChange={(e) => setTime(e.target.value)} />
        </label>
      </fieldset>
      <Field label="Leave out (glob patterns, comma-separated)" value={excludes} onChange={(e) => setExcludes(e.target.value)} placeholder="*.tmp, node_modules" />
      <div className="field-row">
        <Field label="Keep the last" value={keepLast} onChange={(e) => setKeepLast(e.target.value)} hint="snapshots" />
        <Field label="and one a day for" value={keepDaily} onChange={(e) => setKeepDaily(e.target.value)} hint="days" />
      </div>
      <FormProblem problem={problem} />
      <DialogFormButtons onCancel={onDone} submitLabel="Add backup" busy={busy} />
    </form>
  );
}

function RestoreForm({ snapshot, onDone }: { snapshot: SnapshotView; onDone: () => void }) {
  const { backups, notices } = useStores();
  const [path, setPath] = useState('');
  const [destination, setDestination] = useState('');
  const { problem, busy, onSubmit } = useCheckedSubmit(
    () => ({ jobId: snapshot.jobId, snapshot: snapshot.name, path: validateVdrivePath(path.trim().replace(/^\/+|\/+$/g, ''), 'the file or folder'), destination: validateLocalPath(destination.trim(), 'the destination') }),
    (request) => backups.getState().restore(request),
    (request) => {
      notices.getState().show(`Restored ${request.path === '' ? snapshot.name : request.path} to ${request.destination}`);
      onDone();
    },
  );
  return (
    <form onSubmit={onSubmit}>
      <Field label="File or folder in the snapshot (empty: all of it)" value={path} onChange={(e) => setPath(e.target.value)} placeholder="reports/2024.pdf" />
      <Field label="Restore to (a new or empty folder, or a file's new path)" value={destination} onChange={(e) => setDestination(e.target.value)} placeholder="/home/you/restored" />
      {busy ? <ProgressBar label="Restoring" done={0} total={undefined} /> : null}
      <FormProblem problem={problem} />
      <DialogFormButtons onCancel={onDone} submitLabel="Restore" busy={busy} />
    </form>
  );
}

function Snapshots({ job, onRestore }: { job: BackupJobView; onRestore: (snapshot: SnapshotView) => void }) {
  const state = useBackups((s) => s.snapshots[job.id]);
  const { backups } = useStores();
  if (state?.list === undefined) return state?.error === undefined ? <Loading label="Reading the snapshots…" /> : <ErrorNotice message={state.error} onRetry={() => void backups.getState().loadSnapshots(job.id)} />;
  if (state.list.length === 0) return <p className="muted">No snapshot yet: run the backup.</p>;
  return (
    <ul className="snapshots" aria-label={`Snapshots of ${job.id}`}>
      {state.list.map((snapshot) => (
        <li key={snapshot.name} data-snapshot={snapshot.name}>
          <span>{formatDate(snapshot.takenAt)}</span>
          <code className="muted">{snapshot.name}</code>
          <button type="button" className="button small" aria-label={`Restore from ${snapshot.name}`} onClick={() => onRestore(snapshot)}>
            Restore…
          </button>
        </li>
      ))}
    </ul>
  );
}

function JobCard({ job, onDialog }: { job: BackupJobView; onDialog: (dialog: OpenDialog) => void }) {
  const { backups } = useStores();
  const asked = useBackups((s) => s.running.has(job.id));
  const [open, setOpen] = useState(false);
  const running = asked || job.running;
  return (
    <article className="card job" aria-labelledby={`job-${job.id}`} data-job={job.id}>
      <header className="job-header">
        <h2 id={`job-${job.id}`}>{job.id}</h2>
        {job.lastResult === undefined ? null : <span className={`badge ${job.lastResult === 'ok' ? 'healthy' : 'error'}`}>{job.lastResult === 'ok' ? 'Last run OK' : 'Last run failed'}</span>}
      </header>
      <p>
        <code>{job.source}</code> → <code>{job.target}</code>
      </p>
      <dl>
        <dt>Schedule</dt>
        <dd>{job.when}</dd>
        <dt>Last run</dt>
        <dd data-testid="last-run">{job.lastRunAt === undefined ? 'never' : `${formatDate(job.lastRunAt)}${job.lastMessage === undefined ? '' : ` — ${job.lastMessage}`}`}</dd>
        <dt>Next run</dt>
        <dd>{formatDate(job.nextRunAt)}</dd>
      </dl>
      {running ? <ProgressBar label={`Backing up ${job.id}`} done={0} total={undefined} /> : null}
      <div className="toolbar">
        <button type="button" className="button primary small" disabled={running} onClick={() => void backups.getState().run(job.id)}>
          {running ? 'Backing up…' : 'Back up now'}
        </button>
        <button
          type="button"
          className="button small"
          aria-expanded={open}
          onClick={() => {
            if (!open) void backups.getState().loadSnapshots(job.id);
            setOpen(!open);
          }}
        >
          Snapshots
        </button>
        <button type="button" className="button small subtle danger" onClick={() => onDialog({ kind: 'remove', job })}>
          Remove
        </button>
      </div>
      {open ? <Snapshots job={job} onRestore={(snapshot) => onDialog({ kind: 'restore', snapshot })} /> : null}
    </article>
  );
}

export function BackupsScreen() {
  const { backups } = useStores();
  const view = useBackups((s) => s.view);
  const error = useBackups((s) => s.error);
  const actionError = useBackups((s) => s.actionError);
  const [dialog, setDialog] = useState<OpenDialog | undefined>();

  useEffect(() => {
    void backups.getState().load();
  }, [backups]);

  const body = (() => {
    if (view === undefined) return error === undefined ? <Loading label="Reading the backup jobs…" /> : <ErrorNotice message={error} onRetry={() => void backups.getState().load()} />;
    if (view.jobs.length === 0) return <Empty title="No folder is backed up yet">Add a folder: it is backed up on its schedule, and each run keeps a snapshot you can restore.</Empty>;
    return (
      <div className="jobs">
        {view.jobs.map((job) => (
          <JobCard key={job.id} job={job} onDialog={setDialog} />
        ))}
      </div>
    );
  })();

  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenHeader title="Backups">
        {view === undefined ? null : (
          <button type="button" className="button" onClick={() => void backups.getState().setPaused(!view.paused)}>
            {view.paused ? 'Resume schedules' : 'Pause schedules'}
          </button>
        )}
        <button type="button" className="button primary" onClick={() => setDialog({ kind: 'add' })}>
          Add folder
        </button>
      </ScreenHeader>
      {view?.paused === true ? <div className="banner">Scheduled backups are paused. “Back up now” still works.</div> : null}
      {actionError === undefined ? null : <ErrorNotice message={actionError} />}
      {body}
      {dialog?.kind === 'add' ? (
        <Dialog title="Back up a folder" onClose={() => setDialog(undefined)}>
          <AddJobForm onDone={() => setDialog(undefined)} />
        </Dialog>
      ) : null}
      {dialog?.kind === 'restore' ? (
        <Dialog title={`Restore from ${dialog.snapshot.name}`} onClose={() => setDialog(undefined)}>
          <RestoreForm snapshot={dialog.snapshot} onDone={() => setDialog(undefined)} />
        </Dialog>
      ) : null}
      {dialog?.kind === 'remove' ? (
        <ConfirmDialog title={`Remove the backup ${dialog.job.id}?`} confirmLabel="Remove" onConfirm={() => void backups.getState().remove(dialog.job.id).then(() => setDialog(undefined))} onClose={() => setDialog(undefined)}>
          <p>It will not run again. Its snapshots stay on the grid until you delete them.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
