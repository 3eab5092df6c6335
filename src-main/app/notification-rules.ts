/**
 * When the desktop app shows an OS notification: a backup finished or failed, a repair is
 * done, a friend has been offline for long (once per absence). Plain data in and out, so
 * the rules are tested without Electron; main shows what they return.
 */
export interface Notice {
  readonly title: string;
  readonly body: string;
}

/** The parts of an operation event the rules read. */
export interface OperationEvent {
  readonly kind: string;
  readonly state: 'running' | 'done' | 'failed';
  readonly error?: string;
  readonly bytesDone: number;
}

/** The parts of a peer the rules read. */
export interface PeerSighting {
  readonly peerId: string;
  readonly nickname: string;
  readonly connected: boolean;
  /** Unix ms of the last sign of life */
  readonly lastSeen: number | undefined;
}

export interface NotificationRuleOptions {
  /** how long a friend must be gone before we say so (default 6 hours) */
  readonly offlineAfterMs?: number;
  readonly now?: () => number;
}

const HOUR = 3_600_000;

export class NotificationRules {
  private readonly offlineAfterMs: number;
  private readonly now: () => number;
  /** peers we already reported for their current absence */
  private readonly reportedOffline = new Set<string>();

  constructor(options: NotificationRuleOptions = {}) {
    this.offlineAfterMs = options.offlineAfterMs ?? 6 * HOUR;
    this.now = options.now ?? Date.now;
  }

  /** A notice for an operation that just ended, or undefined. */
  operationEnded(operation: OperationEvent): Notice | undefined {
    if (operation.state === 'running') return undefined;
    if (operation.kind === 'backup') {
      return operation.state === 'done'
        ? { title: 'Backup finished', body: 'Your files are backed up to the grid.' }
        : { title: 'Backup failed', body: operation.error ?? 'The backup did not finish.' };
    }
    if (operation.kind === 'repair') {
      return operation.state === 'done'
        ? { title: 'Repair done', body: 'Missing copies were made again; your files are safe.' }
        : { title: 'Repair failed', body: operation.error ?? 'The repair did not finish.' };
    }
    return undefined;
  }

  /** Notices for friends who have just passed the offline limit (each once per absence). */
  peersSeen(peers: readonly PeerSighting[]): Notice[] {
    const notices: Notice[] = [];
    const now = this.now();
    for (const peer of peers) {
      if (peer.connected) {
        this.reportedOffline.delete(peer.peerId);
        continue;
      }
      if (peer.lastSeen === undefined || this.reportedOffline.has(peer.peerId)) continue;
      const away = now - peer.lastSeen;
      if (away < this.offlineAfterMs) continue;
      this.reportedOffline.add(peer.peerId);
      notices.push({ title: `${peer.nickname} is offline`, body: `${peer.nickname} has been offline for ${describeAbsence(away)}. Your files stay safe while enough other friends are online.` });
    }
    return notices;
  }
}

function describeAbsence(ms: number): string {
  const hours = Math.floor(ms / HOUR);
  if (hours < 48) return `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}
