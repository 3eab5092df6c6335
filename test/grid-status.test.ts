import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeStatus, PeerStatus } from '../src-main/frontends/web/node-api.js';
import { cairn } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';

// `cairn status` against real processes: an introducer and two storage nodes, run with
// --fast-timers (pings every 10 s instead of 30 s).
let grid: GridHarness;

beforeAll(async () => {
  grid = await GridHarness.create(2, { needed: 1, happy: 1, total: 3 });
  await grid.startAll();
  await grid.waitForServers(grid.introducer, 3, cairn);
}, 60_000);

afterAll(async () => {
  await grid?.destroy();
});

/** GET /status?t=json straight from the node's web API, and how long it took. */
async function status(node: NodeProcess): Promise<{ status: NodeStatus; ms: number }> {
  const started = performance.now();
  const body = await grid.status(node);
  return { status: body, ms: performance.now() - started };
}

const peerNamed = (status: NodeStatus, nickname: string): PeerStatus => status.peers.find((p) => p.nickname === nickname)!;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('status: ping round-trip times and last seen', () => {
  it('reports a fresh round-trip time for every connected peer, refreshed periodically, in JSON and in the table', async () => {
    const viewer = grid.introducer;
    const { status: first } = await until('every peer pinged', async () => {
      const s = await status(viewer);
      return s.status.peers.filter((p) => p.nickname !== 'introducer').every((p) => p.roundTripMs !== undefined) ? s : undefined;
    });
    const self = peerNamed(first, 'introducer');
    expect(self.roundTripMs).toBeUndefined();
    for (const name of ['node-0', 'node-1']) {
      const peer = peerNamed(first, name);
      expect(peer.connected).toBe(true);
      expect(Number.isInteger(peer.roundTripMs)).toBe(true);
      expect(peer.roundTripMs).toBeGreaterThanOrEqual(0);
      expect(peer.roundTripMs).toBeLessThan(1_000); // loopback
      expect(Date.now() - peer.roundTripMeasuredAt!).toBeLessThan(5_000);
      expect(peer.lastSeen).toBeGreaterThanOrEqual(peer.roundTripMeasuredAt!);
    }

    // The pings repeat (every 10 s with --fast-timers): each peer gets a newer measurement.
    await until('a second round of pings', async () => {
      const { status: later } = await status(viewer);
      const renewed = ['node-0', 'node-1'].every((name) => peerNamed(later, name).roundTripMeasuredAt! > peerNamed(first, name).roundTripMeasuredAt!);
      return renewed ? later : undefined;
    }, 15_000);

    const table = await cairn(['status', '--node-dir', viewer.dir]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ {2}node-0 +\w{10} {2}connected +rtt (<1|\d+) ms +last seen \d{4}-\d\d-\d\dT[\d:.]+Z {2}free /m);
    expect(table.stdout).toMatch(/^ {2}node-1 +\w{10} {2}connected +rtt (<1|\d+) ms +last seen /m);
    expect(table.stdout).toMatch(/^ {2}introducer +\w{10} {2}connected +rtt - +last seen /m);
  }, 60_000);

  it('a frozen peer does not slow status down; a killed one shows no round trip and when it was last seen', async () => {
    const viewer = grid.introducer;
    const frozen = grid.storageNodes[0]!;
    const frozenPid = frozen.child!.pid!;
    process.kill(frozenPid, 'SIGSTOP'); // connected, but answers nothing
    try {
      // Were status to ping peers itself, it would wait for the frozen one (10 s ping timeout).
      const { ms } = await status(viewer);
      expect(ms).toBeLessThan(1_000);
    } finally {
      process.kill(frozenPid, 'SIGCONT');
    }

    const victim = grid.storageNodes[1]!;
    const { status: before } = await status(viewer);
    const killedAt = Date.now();
    await grid.stop(victim, 'SIGKILL');
    const gone = await until('the killed peer to be disconnected', async () => {
      const peer = peerNamed((await status(viewer)).status, 'node-1');
      return peer.connected ? undefined : peer;
    });
    expect(gone.roundTripMs).toBeUndefined();
    expect(gone.roundTripMeasuredAt).toBeUndefined();
    expect(gone.lastSeen).toBeGreaterThanOrEqual(peerNamed(before, 'node-1').roundTripMeasuredAt!);
    expect(gone.lastSeen).toBeLessThanOrEqual(Date.now());
    expect(gone.lastSeen! - killedAt).toBeLessThan(5_000);
    const table = await cairn(['status', '--node-dir', viewer.dir]);
    expect(table.stdout).toMatch(/^ {2}node-1 +\w{10} {2}disconnected rtt - +last seen /m);

    // Back again: pinged as soon as it reconnects.
    const restartedAt = Date.now();
    await grid.start(victim);
    const back = await until('the restarted peer to be pinged', async () => {
      const peer = peerNamed((await status(viewer)).status, 'node-1');
      return peer.roundTripMs === undefined ? undefined : peer;
    });
    expect(back.connected).toBe(true);
    expect(back.roundTripMeasuredAt!).toBeGreaterThan(restartedAt);
  }, 60_000);
});
