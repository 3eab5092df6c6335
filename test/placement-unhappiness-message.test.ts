import { describe, expect, it } from 'vitest';
import { unhappinessMessage } from '../src-main/grid/placement/unhappiness-message.js';

describe('unhappinessMessage', () => {
  it('says when too few servers are connected', () => {
    expect(unhappinessMessage({ happy: 5, connected: 3, responding: 3, writable: 3, happiness: 3 })).toBe(
      'upload needs 5 storage servers (happiness 5), but only 3 are connected',
    );
    expect(unhappinessMessage({ happy: 2, connected: 1, responding: 1, writable: 1, happiness: 1 })).toBe(
      'upload needs 2 storage servers (happiness 2), but only 1 is connected',
    );
    expect(unhappinessMessage({ happy: 1, connected: 0, responding: 0, writable: 0, happiness: 0 })).toBe(
      'upload needs 1 storage server (happiness 1), but none is connected',
    );
  });

  it('says when too few connected servers respond', () => {
    expect(unhappinessMessage({ happy: 5, connected: 7, responding: 4, writable: 4, happiness: 4 })).toBe(
      'upload needs 5 storage servers (happiness 5): 7 are connected, but only 4 responded',
    );
  });

  it('says when too few responding servers have room', () => {
    expect(unhappinessMessage({ happy: 5, connected: 8, responding: 6, writable: 3, happiness: 4 })).toBe(
      'shares could only be placed on 4 storage servers; 5 are needed (6 responded, 3 of them are full or read-only)',
    );
    expect(unhappinessMessage({ happy: 3, connected: 3, responding: 3, writable: 2, happiness: 2 })).toBe(
      'shares could only be placed on 2 storage servers; 3 are needed (3 responded, 1 of them is full or read-only)',
    );
  });
});
