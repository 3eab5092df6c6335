import { ProgressBar } from './ProgressBar.js';
import { formatBytes, percentOf } from '../format.js';
import { useStores, useUploads } from '../stores/stores-context.js';
import type { UploadItem } from '../stores/uploads-store.js';

function stateText(item: UploadItem): string {
  const { state, bytesDone, bytesTotal, error } = item.progress;
  switch (state) {
    case 'queued':
      return 'Waiting';
    case 'sending':
      return `Sending ${percentOf(bytesDone, bytesTotal)}%`;
    case 'storing':
      return 'Storing on the grid…';
    case 'done':
      return `Uploaded ${formatBytes(bytesTotal)}`;
    case 'cancelled':
      return 'Cancelled';
    case 'failed':
      return `Failed: ${error ?? 'unknown error'}`;
  }
}

export function UploadsPanel() {
  const items = useUploads((state) => state.items);
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
          return (
            <li key={item.id} className={`upload ${state}`} data-upload={item.name} data-state={state}>
              <div className="upload-line">
                <span className="upload-name">{item.name}</span>
                <span className="upload-target muted">to cairn:{item.directoryPath}</span>
                <span className="upload-state" aria-live="polite">
                  {stateText(item)}
                </span>
                {running ? (
                  <button type="button" className="button small subtle" aria-label={`Cancel uploading ${item.name}`} onClick={() => uploads.getState().cancel(item.id)}>
                    Cancel
                  </button>
                ) : null}
              </div>
              <ProgressBar
                label={`Uploading ${item.name}`}
                done={state === 'storing' || state === 'done' ? bytesTotal : bytesDone}
                total={state === 'storing' ? undefined : bytesTotal}
                tone={state === 'failed' || state === 'cancelled' ? 'error' : state === 'done' ? 'done' : 'normal'}
              />
            </li>
          );
        })}
      </ul>
    </section>
  );
}
