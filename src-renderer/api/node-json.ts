// The node's HTTP JSON (GET /status?t=json, GET /uri/…?t=json) turned into the view types.
import type { DirectoryListing, OperationView, PeerView, StatusView, VdriveEntry } from '../../src-shared/ipc/index.js';

interface PeerJson {
  peerId: string;
  nickname: string;
  addresses: string[];
  connected: boolean;
  lastSeen?: number;
  roundTripMs?: number;
  freeSpace?: number;
}

export interface StatusJson {
  gridName?: string;
  nickname: string;
  peerId: string;
  introducer: { connected: boolean; runsHere: boolean };
  encoding: { needed: number; happy: number; total: number };
  storage?: { enabled: boolean; shares: number; bytesUsed: number };
  peers: PeerJson[];
  operations: OperationView[];
}

export function statusViewOf(json: StatusJson): StatusView {
  const peers: PeerView[] = json.peers.map((peer) => ({
    peerId: peer.peerId,
    nickname: peer.nickname,
    addresses: peer.addresses,
    connected: peer.connected,
    latencyMs: peer.roundTripMs,
    freeSpace: peer.freeSpace,
    lastSeen: peer.lastSeen,
  }));
  const self = peers.find((peer) => peer.peerId === json.peerId);
  return {
    gridName: json.gridName,
    nickname: json.nickname,
    peerId: json.peerId,
    introducer: json.introducer,
    encoding: json.encoding,
    storage: json.storage === undefined ? undefined : { shares: json.storage.shares, bytesUsed: json.storage.bytesUsed, donatedBytes: self?.freeSpace },
    peers,
    operations: json.operations,
  };
}

type NodeJson = ['filenode' | 'dirnode', { ro_uri?: string; rw_uri?: string; size?: number; metadata?: Record<string, unknown>; children?: Record<string, NodeJson> }];

/** When an entry last changed: the file's mtime as the uploader saw it, else the link's time. */
function modifiedAtOf(metadata: Record<string, unknown> | undefined): number | undefined {
  const link = metadata?.cairn as { linkmotime?: number } | undefined;
  const seconds = typeof metadata?.mtime === 'number' ? metadata.mtime : link?.linkmotime;
  return typeof seconds === 'number' ? Math.round(seconds * 1000) : undefined;
}

export function directoryListingOf(path: string, json: NodeJson): DirectoryListing {
  const [type, details] = json;
  if (type !== 'dirnode') throw new Error(`"${path}" is a file, not a folder`);
  const entries: VdriveEntry[] = Object.entries(details.children ?? {}).map(([name, [childType, child]]) => ({
    name,
    path: path === '' ? name : `${path}/${name}`,
    kind: childType === 'dirnode' ? 'directory' : 'file',
    size: childType === 'dirnode' ? undefined : (child.size ?? (typeof child.metadata?.size === 'number' ? child.metadata.size : undefined)),
    modifiedAt: modifiedAtOf(child.metadata),
    writable: child.rw_uri !== undefined || (childType === 'filenode' && details.rw_uri !== undefined),
  }));
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
  return { path, writable: details.rw_uri !== undefined, entries };
}

/** The read-only cap in a `?t=json` answer. */
export function readCapOf(json: NodeJson): string {
  const cap = json[1].ro_uri;
  if (cap === undefined) throw new Error('this entry has no read-only cap');
  return cap;
}
