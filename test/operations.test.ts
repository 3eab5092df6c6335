import { describe, expect, it } from 'vitest';
import { OperationTracker, type OperationView } from '../src-main/node/operations.js';

async function* chunks(sizes: number[], failAt?: number): AsyncGenerator<Uint8Array> {
  for (const [i, size] of sizes.entries()) {
    if (i === failAt) throw new Error('the grid went away\nsecond line');
    yield new Uint8Array(size);
  }
}

describe('operations', () => {
  it('a tracked stream is done at its end, with its bytes counted in the totals', async () => {
    const tracker = new OperationTracker();
    const events: OperationView[] = [];
    tracker.subscribe((op) => events.push(op));
    for await (const _ of tracker.track('download', 30, chunks([10, 10, 10]))) {
      expect(tracker.running).toHaveLength(1);
    }
    expect(tracker.running).toEqual([]);
    expect(events[0]).toMatchObject({ kind: 'download', state: 'running', bytesDone: 0, bytesTotal: 30 });
    expect(events.at(-1)).toMatchObject({ state: 'done', bytesDone: 30 });
    expect(tracker.totals('download')).toEqual({ started: 1, done: 1, failed: 0, bytes: 30 });
  });

  it('a stream that throws, or that its reader leaves early, is failed with a one-line reason', async () => {
    const tracker = new OperationTracker();
    await expect(async () => {
      for await (const _ of tracker.track('download', 30, chunks([10, 10, 10], 1))) {
        // consume
      }
    }).rejects.toThrow(/went away/);
    for await (const _ of tracker.track('download', 30, chunks([10, 10, 10]))) break;
    expect(tracker.recent.map((op) => [op.state, op.error])).toEqual([
      ['failed', 'stopped before the end (the reader went away)'],
      ['failed', 'the grid went away'],
    ]);
    expect(tracker.totals('download')).toMatchObject({ started: 2, done: 0, failed: 2, bytes: 20 });
  });

  it('progress never goes back, and run() marks failures', async () => {
    const tracker = new OperationTracker();
    await tracker.run('upload', 100, async (op) => {
      op.progress(60);
      op.progress(40); // a part that finished late
      expect(op.view.bytesDone).toBe(60);
      op.progress(100);
    });
    await expect(tracker.run('check', undefined, () => Promise.reject(new Error('no servers')))).rejects.toThrow('no servers');
    expect(tracker.recent.map((op) => [op.kind, op.state, op.bytesDone])).toEqual([
      ['check', 'failed', 0],
      ['upload', 'done', 100],
    ]);
  });
});
