import { gridHealth, type OperationView } from '../../src-shared/ipc/index.js';
import { HealthBadge } from '../components/HealthBadge.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { ErrorNotice, Loading } from '../components/StateViews.js';
import { formatBytes } from '../format.js';
import { useStatus, useStores } from '../stores/stores-context.js';

const KIND_LABELS: Record<OperationView['kind'], string> = {
  upload: 'Uploading',
  download: 'Downloading',
  check: 'Checking',
  directory: 'Updating a folder',
  mutable: 'Updating a file',
  backup: 'Backing up',
  restore: 'Restoring',
  repair: 'Repairing',
};

export function StatusScreen() {
  const status = useStatus((state) => state.status);
  const error = useStatus((state) => state.error);
  const { status: store } = useStores();
  if (status === undefined) {
    return (
      <section className="screen" aria-labelledby="screen-title">
        <h1 id="screen-title">Status</h1>
        {error === undefined ? <Loading label="Asking the node…" /> : <ErrorNotice message={error} onRetry={() => void store.getState().refresh()} />}
      </section>
    );
  }
  const health = gridHealth(status);
  const running = status.operations.filter((op) => op.state === 'running');
  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title">Status</h1>
      {error === undefined ? null : <ErrorNotice message={`Showing the last known status: ${error}`} />}
      <div className={`health-card ${health.level}`} aria-label="Grid health" role="region">
        <HealthBadge level={health.level} />
        <p className="health-headline" data-testid="health-headline">
          {health.headline}
        </p>
        <p className="health-detail">{health.detail}</p>
      </div>
      <div className="cards">
        <article className="card" aria-labelledby="card-grid">
          <h2 id="card-grid">Grid</h2>
          <dl>
            <dt>Name</dt>
            <dd data-testid="grid-name">{status.gridName ?? 'Unnamed grid'}</dd>
            <dt>This computer</dt>
            <dd>{status.nickname}</dd>
            <dt>Introducer</dt>
            <dd>{status.introducer.runsHere ? 'Runs on this computer' : status.introducer.connected ? 'Connected' : 'Not reachable'}</dd>
            <dt>Encoding</dt>
            <dd>
              any {status.encoding.needed} of {status.encoding.total} shares, over at least {status.encoding.happy} computers
            </dd>
          </dl>
        </article>
        <article className="card" aria-labelledby="card-friends">
          <h2 id="card-friends">Friends</h2>
          <p className="big-number" data-testid="peers-connected">
            {health.serversConnected}
            <span className="of"> of {health.serversKnown}</span>
          </p>
          <p className="muted">computers online</p>
        </article>
        <article className="card" aria-labelledby="card-storage">
          <h2 id="card-storage">Storage here</h2>
          {status.storage === undefined ? (
            <p className="muted">This computer stores nothing for friends.</p>
          ) : (
            <dl>
              <dt>Used for friends</dt>
              <dd>
                {formatBytes(status.storage.bytesUsed)} in {status.storage.shares} shares
              </dd>
              <dt>Offered</dt>
              <dd>{formatBytes(status.storage.donatedBytes)} free</dd>
            </dl>
          )}
        </article>
      </div>
      <h2 className="section-title">Activity</h2>
      {running.length === 0 ? (
        <p className="muted">Nothing is running.</p>
      ) : (
        <ul className="activity" aria-label="Operations in progress">
          {running.map((op) => (
            <li key={op.id}>
              <span>{KIND_LABELS[op.kind]}</span>
              <ProgressBar label={`${KIND_LABELS[op.kind]} progress`} done={op.bytesDone} total={op.bytesTotal} />
              <span className="muted">{formatBytes(op.bytesDone)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
