import { ProgressBar } from './ProgressBar.js';
import { formatBytes, percentOf } from '../format.js';
import { useStatus, useStores, useUploads } from '../stores/stores-context.js';
import type { OperationView } from '../../src-shared/ipc/index.js';
import type { UploadItem } from '../stores/uploads-store.js';

/**
 * While the node stores a file on the grid, its progress is the node's running upload of the
 * same size (the node's event stream reports it).
 */
function storingOperation(item: UploadItem, operations: readonly OperationView[]): OperationView | undefined {
  if (item.progress.state !== 'storing') return undefined;
  return operations.find((op) => op.kind === 'upload' && op.state === 'running' && op.bytesTotal === item.progress.bytesTotal);
}

function stateText(item: UploadItem, storing: OperationView | undefined): string {
  const { state, bytesDone, bytesTotal, error } = item.progress;
  switch (state) {
    case 'queued':
      return 'Waiting';
    case 'sending':
      return `Sending ${percentOf(bytesDone, bytesTotal)}%`;
    case 'storing':
      return storing === undefined ? 'Storing on the grid…' : `Storing on the grid ${percentOf(storing.bytesDone, bytesTotal)}%`;
    case 'done':
      return `Uploaded ${formatBytes(bytesTotal)}`;
    case 'cancelled':
      return 'Cancelled';
    case 'failed':
      return `Failed: ${error ?? 'unknown error'}`;
  }
}

const NO_OPERATIONS: readonly OperationView[] = [];

export function UploadsPanel() {
  const items = useUploads((state) => state.items);
  const operations = useStatus((state) => state.status?.operations ?? NO_OPERATIONS);
  const { uploads } = useStores();
  if (items.length === 0) return null;
  const finished = items.some((item) => ['done', 'failed', 'cancelled'].includes(item.progress.state));
  return (
    <section className="uploads" aria-labelledby="uploads-title">
      <header>
        <h2 id="uploads-title">Uploads</h2>
        {finished ? (
          <button type="button" className="button small subtle" onClick={() => uploads.getState().clearFinished()}>
            Clear finished
          </button>
        ) : null}
      </header>
      <ul aria-label="Uploads">
        {items.map((item) => {
          const { state, bytesDone, bytesTotal } = item.progress;
          const running = state === 'queued' || state === 'sending' || state === 'storing';
          const storing = storingOperation(item, operations);
          return (
            <li key={item.id} className={`upload ${state}`} data-upload={item.name} data-state={state}>
              <div className="upload-line">
                <span className="upload-name">{item.name}</span>
                <span className="upload-target muted">to cairn:{item.directoryPath}</span>
                <span className="upload-state" aria-live="polite">
                  {stateText(item, storing)}
                </span>
                {running ? (
                  <button type="button" className="button small subtle" aria-label={`Cancel uploading ${item.name}`} onClick={() => uploads.getState().cancel(item.id)}>
                    Cancel
                  </button>
                ) : null}
              </div>
              <ProgressBar
                label={`Uploading ${item.name}`}
                done={state === 'storing' ? (storing?.bytesDone ?? 0) : state === 'done' ? bytesTotal : bytesDone}
                total={state === 'storing' && storing === undefined ? undefined : bytesTotal}
                tone={state === 'failed' || state === 'cancelled' ? 'error' : state === 'done' ? 'done' : 'normal'}
              />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
