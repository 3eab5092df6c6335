// Sequential read-ahead for a share on a remote server. The decoder asks for one segment's
// blocks at a time and waits for them before the next, so each segment would cost a round
// trip. Blocks sit one after another in a share, so once two reads of one length run back
// to back, the next few are asked for before they are needed.

import type { ShareSource } from '../core/immutable/share-source.js';

/** Blocks asked for ahead of the decoder, per share (memory: depth × block size × K). */
export const DEFAULT_READ_AHEAD_DEPTH = 3;

interface Prefetch {
  readonly length: number;
  readonly bytes: Promise<Uint8Array>;
}

export function readAheadSource(source: ShareSource, depth = DEFAULT_READ_AHEAD_DEPTH): ShareSource {
  const ahead = new Map<number, Prefetch>();
  let lastEnd = -1;
  let lastLength = -1;

  const fetch = (offset: number, length: number): Promise<Uint8Array> => {
    const bytes = source.read(offset, length);
    bytes.catch(() => undefined); // a failed read-ahead is reported only if it is used
    return bytes;
  };

  return {
    label: source.label,
    claimedShareNumber: source.claimedShareNumber,
    async read(offset: number, length: number): Promise<Uint8Array> {
      const sequential = offset === lastEnd && length === lastLength;
      if (length > 0 && length >= lastLength) {
        lastEnd = offset + length;
        lastLength = length;
      }
      const hit = ahead.get(offset);
      ahead.delete(offset);
      if (sequential && length > 0) {
        for (let i = 1; i <= depth; i++) {
          const at = offset + i * length;
          if (!ahead.has(at)) ahead.set(at, { length, bytes: fetch(at, length) });
        }
      } else if (hit === undefined) {
        ahead.clear(); // the pattern broke; stale guesses would only hold memory
      }
      if (hit !== undefined && hit.length >= length) {
        const bytes = await hit.bytes;
        return bytes.subarray(0, length);
      }
      return source.read(offset, length);
    },
  };
}
