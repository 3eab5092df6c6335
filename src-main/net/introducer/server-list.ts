// The storage servers a node knows of: each one's latest verified announcement and the state
// of this node's connection to it. Read-only to everyone but the IntroducerClient.

import type { AnnouncementBody, SignedAnnouncement } from './announcement.js';

/**
 * 'self': this node's own storage server (never dialled);
 * 'connecting': a dial is under way or scheduled (see nextDialAt);
 * 'connected': at least one libp2p connection is open;
 * 'disconnected': not connected and no dial pending (the client is stopped, or was told
 *   not to connect to servers: connectToServers false).
 */
export type ServerConnectionState = 'self' | 'connecting' | 'connected' | 'disconnected';

export interface ServerEntry {
  /** The server's peer id (placement's ServerId). */
  readonly peerId: string;
  readonly announcement: AnnouncementBody;
  /** As received: pass it on, or verify it again. */
  readonly signed: SignedAnnouncement;
  readonly state: ServerConnectionState;
  /** When this node received the current announcement (local clock, ms). */
  readonly receivedAt: number;
  /** When the current connection came up, if connected. */
  readonly connectedSince?: number;
  /** Why the last dial failed, if it did since the last connection. */
  readonly lastError?: string;
  /** When the next dial will start, while one is scheduled. */
  readonly nextDialAt?: number;
  /** Failed dials in a row (reset when a connection comes up). */
  readonly failures: number;
}

/** A mutable record inside the list. */
export interface ServerRecord {
  peerId: string;
  announcement: AnnouncementBody;
  signed: SignedAnnouncement;
  state: ServerConnectionState;
  receivedAt: number;
  connectedSince?: number;
  lastError?: string;
  nextDialAt?: number;
  failures: number;
}

export function snapshotOf(record: ServerRecord): ServerEntry {
  return Object.freeze({
    peerId: record.peerId,
    announcement: record.announcement,
    signed: record.signed,
    state: record.state,
    receivedAt: record.receivedAt,
    failures: record.failures,
    ...(record.connectedSince === undefined ? {} : { connectedSince: record.connectedSince }),
    ...(record.lastError === undefined ? {} : { lastError: record.lastError }),
    ...(record.nextDialAt === undefined ? {} : { nextDialAt: record.nextDialAt }),
  });
}

export class ServerList {
  /** @internal written by IntroducerClient only */
  readonly records = new Map<string, ServerRecord>();

  get size(): number {
    return this.records.size;
  }

  has(peerId: string): boolean {
    return this.records.has(peerId);
  }

  get(peerId: string): ServerEntry | undefined {
    const record = this.records.get(peerId);
    return record === undefined ? undefined : snapshotOf(record);
  }

  /** Every known server, in peer id order. */
  all(): ServerEntry[] {
    return [...this.records.values()].sort((a, b) => (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)).map(snapshotOf);
  }

  /** Servers usable right now: connected ones and this node's own. */
  usable(): ServerEntry[] {
    return this.all().filter((s) => s.state === 'connected' || s.state === 'self');
  }
}
