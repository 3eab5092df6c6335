import { shortPeerId } from '../../src-shared/ipc/index.js';
import { Empty, ErrorNotice, Loading } from '../components/StateViews.js';
import { formatAgo, formatBytes } from '../format.js';
import { useStatus, useStores } from '../stores/stores-context.js';

/** The address to show: the first TCP address, without the /p2p suffix. */
function mainAddress(addresses: readonly string[]): string {
  const first = addresses[0];
  if (first === undefined) return '—';
  const match = /^\/ip[46]\/([^/]+)\/tcp\/(\d+)/.exec(first);
  return match === null ? first : `${match[1]}:${match[2]}`;
}

export function PeersScreen() {
  const status = useStatus((state) => state.status);
  const error = useStatus((state) => state.error);
  const { status: store } = useStores();
  const body = (() => {
    if (status === undefined) return error === undefined ? <Loading label="Asking the node…" /> : <ErrorNotice message={error} onRetry={() => void store.getState().refresh()} />;
    if (status.peers.length === 0) return <Empty title="No friends' computers are known yet">They appear here once they announce themselves to the introducer.</Empty>;
    const peers = [...status.peers].sort((a, b) => Number(b.connected) - Number(a.connected) || a.nickname.localeCompare(b.nickname));
    return (
      <div className="table-wrap">
        <table className="table" aria-label="Friends' computers">
          <thead>
            <tr>
              <th scope="col">Nickname</th>
              <th scope="col">Peer id</th>
              <th scope="col">Address</th>
              <th scope="col">State</th>
              <th scope="col" className="number">
                Latency
              </th>
              <th scope="col" className="number">
                Free space
              </th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {peers.map((peer) => (
              <tr key={peer.peerId} data-peer={peer.nickname} data-connected={peer.connected}>
                <td>
                  {peer.nickname}
                  {peer.peerId === status.peerId ? <span className="tag">this computer</span> : null}
                </td>
                <td>
                  <code title={peer.peerId}>{shortPeerId(peer.peerId)}</code>
                </td>
                <td>
                  <code>{mainAddress(peer.addresses)}</code>
                </td>
                <td>
                  <span className={`badge ${peer.connected ? 'healthy' : 'offline'}`}>
                    <span className="dot" aria-hidden="true" />
                    {peer.connected ? 'Online' : 'Offline'}
                  </span>
                </td>
                <td className="number">{peer.latencyMs === undefined ? '—' : `${peer.latencyMs} ms`}</td>
                <td className="number">{formatBytes(peer.freeSpace)}</td>
                <td>{formatAgo(peer.lastSeen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  })();
  return (
    <section className="screen" aria-labelledby="screen-title">
      <h1 id="screen-title">Peers</h1>
      <p className="lead">The computers of your friends that hold shares of your files.</p>
      {body}
    </section>
  );
}
