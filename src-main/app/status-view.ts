import type { PeerView, StatusView } from '../../src-shared/ipc/index.js';
import type { NodeStatus } from '../frontends/web/node-api.js';

/** The node's status as the renderer's StatusView (the same fields the web API's JSON gives the browser). */
export function statusViewOf(status: NodeStatus, gridName: string | undefined): StatusView {
  const peers: PeerView[] = status.peers.map((peer) => ({
    peerId: peer.peerId,
    nickname: peer.nickname,
    addresses: peer.addresses,
    connected: peer.connected,
    latencyMs: peer.roundTripMs,
    freeSpace: peer.freeSpace,
    lastSeen: peer.lastSeen,
  }));
  const self = peers.find((peer) => peer.peerId === status.peerId);
  return {
    gridName,
    nickname: status.nickname,
    peerId: status.peerId,
    introducer: status.introducer,
    encoding: status.encoding,
    storage: status.storage === undefined ? undefined : { shares: status.storage.shares, bytesUsed: status.storage.bytesUsed, donatedBytes: self?.freeSpace },
    peers,
    operations: status.operations,
  };
}
