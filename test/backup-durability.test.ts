// The durability figures: how many servers may go offline with a file still recoverable, and
// the plain words status shows.
import { describe, expect, it } from 'vitest';
import { offlineTolerance, summarizeDurability, type FileDurability, type SharePlacement } from '../src-main/backup/durability.js';
import { durabilitySettings } from '../src-main/backup/durability-config.js';

/** "a:0,1 b:2" → placement */
function placement(text: string): SharePlacement {
  return new Map(
    text
      .split(' ')
      .filter((p) => p !== '')
      .map((part) => {
        const [server, shares] = part.split(':') as [string, string];
        return [server, new Set(shares.split(',').map(Number))];
      }),
  );
}

describe('offline tolerance', () => {
  it('one share on each of 10 servers, K = 3: any 7 may go', () => {
    expect(offlineTolerance(placement('a:0 b:1 c:2 d:3 e:4 f:5 g:6 h:7 i:8 j:9'), 3)).toBe(7);
  });

  it('counts servers, not shares: a server holding many shares is one loss that costs them all', () => {
    // b holds 4 of the 6 shares: losing b alone leaves 2 < 3
    expect(offlineTolerance(placement('a:0 b:1,2,3,4 c:5'), 3)).toBe(0);
    // the same shares, spread: losing any one leaves ≥ 3; losing b and a leaves 1
    expect(offlineTolerance(placement('a:0,1 b:2,3 c:4,5'), 3)).toBe(1);
  });

  it('a share held twice survives the loss of either holder', () => {
    expect(offlineTolerance(placement('a:0 b:0 c:1 d:1'), 2)).toBe(1);
    expect(offlineTolerance(placement('a:0 b:1'), 2)).toBe(0);
  });

  it('-1 when the file cannot be recovered now', () => {
    expect(offlineTolerance(placement('a:0 b:0'), 2)).toBe(-1);
    expect(offlineTolerance(new Map(), 1)).toBe(-1);
  });

  it('many servers: a safe lower bound', () => {
    const wide = new Map([...Array(30).keys()].map((i) => [`s${i}`, new Set([i])]));
    expect(offlineTolerance(wide, 10)).toBe(20);
  });
});

const file = (found: number, tolerance: number, happiness = found): FileDurability => ({ sharesFound: found, sharesNeeded: 3, sharesTotal: 10, happiness, happy: 7, tolerance });

describe('durability in plain words', () => {
  it('safe: the worst file sets the figure', () => {
    const report = summarizeDurability([file(10, 7), file(8, 5), file(10, 7)]);
    expect(report).toMatchObject({ files: 3, tolerance: 5, atRisk: 0, lost: 0, summary: 'safe even if 5 friends are offline' });
    expect(summarizeDurability([file(10, 1, 8)]).summary).toBe('safe even if 1 friend is offline');
    expect(summarizeDurability([file(10, 0, 8)]).summary).toBe('safe now, but one more friend offline could make a file unrecoverable');
  });

  it('at risk: files below happy, with the fewest shares any of them has', () => {
    const report = summarizeDurability([file(10, 7), file(3, 0), file(5, 2)]);
    expect(report).toMatchObject({ tolerance: 0, atRisk: 2, summary: 'at risk: 2 files have only 3 of 10 shares' });
  });

  it('lost beats at risk', () => {
    expect(summarizeDurability([file(2, -1), file(5, 2)]).summary).toBe('LOST: 1 file has only 2 of 10 shares (3 needed)');
  });

  it('no files yet', () => {
    expect(summarizeDurability([]).summary).toBe('nothing backed up yet');
  });
});

describe('backupDurability config', () => {
  it('defaults, and a clear message for a bad value', () => {
    expect(durabilitySettings(undefined)).toEqual({ interval: 86_400, repairMaxFiles: 100, repairMaxBytes: 1024 ** 3 });
    expect(durabilitySettings({ interval: '6 hours', repairMaxFiles: 0 })).toMatchObject({ interval: 21_600, repairMaxFiles: 0 });
    expect(() => durabilitySettings({ interval: '30 days' })).toThrow('"backupDurability.interval" must be between 1 minute and 7 days');
    expect(() => durabilitySettings({ repairMaxBytes: -1 })).toThrow('"backupDurability.repairMaxBytes" must be a whole number');
    expect(() => durabilitySettings({ often: 1 })).toThrow('unknown key "often"');
  });
});
