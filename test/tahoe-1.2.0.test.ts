import { describe, expect, it } from 'vitest';
import { base32Decode } from '../src-shared/base32.js';
import { parseChkReadCap } from '../src-shared/caps/index.js';
import { memoryShareSource } from '../src-main/core/immutable/share-source.js';
import { decodeToMemory, encodeToMemory, concat } from './support/chk.js';
import { readVectorJson } from './support/vectors.js';
import { parseShareHeader } from '../src-main/core/immutable/share-layout.js';

interface Stored {
  immutable: { plaintext_b64: string; uri: string; shares: Record<string, { base32: string }> };
}

const stored = readVectorJson<Stored>('tahoe-1.2.0-stored-shares.json').immutable;
const cap = parseChkReadCap(stored.uri);
const plaintext = Buffer.from(stored.plaintext_b64, 'base64');

/** The share data inside a v1 server container: 12-byte header (version, max size, lease count). */
function shareDataOf(file: Uint8Array): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  expect(view.getUint32(0)).toBe(1);
  const leases = view.getUint32(8);
  return file.subarray(12, file.length - 72 * leases);
}

const shares = Object.entries(stored.shares).map(([shnum, s]) => [Number(shnum), shareDataOf(base32Decode(s.base32))] as const);

describe('a real Tahoe-LAFS 1.2.0 immutable file', () => {
  it('decodes from the primary shares', async () => {
    const out = await decodeToMemory(cap, shares.slice(0, 3).map(([j, d]) => memoryShareSource(`tahoe-${j}`, d)));
    expect(Buffer.from(out)).toEqual(plaintext);
  });

  it('decodes from parity shares only, in any order', async () => {
    const picked = [shares[9]!, shares[4]!, shares[7]!];
    const out = await decodeToMemory(cap, picked.map(([j, d]) => memoryShareSource(`tahoe-${j}`, d)));
    expect(Buffer.from(out)).toEqual(plaintext);
  });

  it('our encoder reproduces its share data given the same key (share-hash order aside)', async () => {
    const ours = await encodeToMemory(plaintext, { neededShares: 3, totalShares: 10, maxSegmentSize: 131072, key: cap.key });
    expect(Buffer.from(ours.cap.uebHash)).toEqual(Buffer.from(cap.uebHash));
    for (const [j, data] of shares) {
      const layout = parseShareHeader(data);
      const mine = ours.shares[j]!;
      // Everything up to the share hashes is identical; 1.2.0 wrote its share-hash entries in
      // Python 2 set order and then the same UEB.
      expect(Buffer.from(mine.subarray(0, layout.shareHashesOffset))).toEqual(Buffer.from(data.subarray(0, layout.shareHashesOffset)));
      const uebFrom = layout.uebOffset;
      expect(Buffer.from(mine.subarray(uebFrom))).toEqual(Buffer.from(data.subarray(uebFrom, uebFrom + mine.length - uebFrom)));
    }
  });

  it('still decodes with a corrupt share among spares, and names it', async () => {
    const bad = Uint8Array.from(shares[0]![1]);
    bad[0x24 + 5]! ^= 0xff;
    const named: string[] = [];
    const out = await decodeToMemory(
      cap,
      [memoryShareSource('bad-0', bad), ...shares.slice(1, 4).map(([j, d]) => memoryShareSource(`tahoe-${j}`, d))],
      { onBadShare: (e) => named.push(e.share) },
    );
    expect(Buffer.from(out)).toEqual(plaintext);
    expect(named).toEqual(['bad-0']);
    expect(concat([])).toHaveLength(0);
  });
});
