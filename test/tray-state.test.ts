import { describe, expect, it } from 'vitest';
import { gridHealth, trayState, type OperationView, type PeerView, type StatusView } from '../src-shared/ipc/index.js';

function peer(i: number, connected: boolean): PeerView {
  return { peerId: `12D3KooWpeer${i}`, nickname: `node-${i}`, addresses: [], connected, latencyMs: connected ? 3 : undefined, freeSpace: 1e9, lastSeen: 0 };
}

function statusWith(connected: number, known: number, operations: OperationView[] = []): StatusView {
  const peers = Array.from({ length: known }, (_, i) => peer(i, i < connected));
  return { gridName: 'friends', nickname: 'me', peerId: 'p', introducer: { connected: true, runsHere: false }, encoding: { needed: 3, happy: 5, total: 10 }, storage: undefined, peers, operations };
}

function upload(bytesDone: number, bytesTotal: number | undefined, kind: OperationView['kind'] = 'upload', state: OperationView['state'] = 'running'): OperationView {
  return { id: bytesDone, kind, state, bytesDone, bytesTotal, startedAt: 0 };
}

describe('grid health in plain words', () => {
  it('says how many friends may go offline', () => {
    expect(gridHealth(statusWith(5, 5))).toMatchObject({ level: 'healthy', canLose: 2, headline: 'Safe even if 2 friends are offline' });
    expect(gridHealth(statusWith(4, 7)).level).toBe('degraded');
    expect(gridHealth(statusWith(4, 4, [])).headline).toBe('Degraded: 4 of 5 computers reachable');
    expect(gridHealth(statusWith(12, 12)).headline).toBe('Safe even if 7 friends are offline');
    expect(gridHealth(statusWith(2, 5)).headline).toMatch(/At risk/);
    expect(gridHealth(statusWith(0, 5)).level).toBe('offline');
  });

  it('uses the singular for one friend', () => {
    const status = { ...statusWith(4, 4), encoding: { needed: 3, happy: 4, total: 4 } };
    expect(gridHealth(status).headline).toBe('Safe even if 1 friend is offline');
  });
});

describe('trayState', () => {
  it('is error without a status, offline with no server, healthy or degraded otherwise', () => {
    expect(trayState(undefined, 'connection refused')).toEqual({ kind: 'error', percent: undefined, tooltip: 'Cairn: connection refused' });
    expect(trayState(statusWith(0, 5)).kind).toBe('offline');
    expect(trayState(statusWith(5, 5)).kind).toBe('healthy');
    expect(trayState(statusWith(3, 5)).kind).toBe('degraded');
  });

  it('is busy while uploading, with the percent of all running work', () => {
    const state = trayState(statusWith(5, 5, [upload(25, 100), upload(50, 100, 'backup'), upload(5, 10, 'download'), upload(100, 100, 'upload', 'done')]));
    expect(state).toEqual({ kind: 'busy', percent: 37, tooltip: 'Cairn: backing up 37%' });
    expect(trayState(statusWith(3, 5, [upload(1, undefined)]))).toEqual({ kind: 'busy', percent: undefined, tooltip: 'Cairn: uploading…' });
  });

  it('shows offline rather than busy when no server is reachable', () => {
    expect(trayState(statusWith(0, 5, [upload(1, 2)])).kind).toBe('offline');
  });
});
