// Mutable publishes against real storage backends in this process (StorageBackend is a
// StorageServerApi, as a remote server is): placement around full servers and squatters.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { mutableStorageIndexOf } from '../src-shared/caps/index.js';
import { UploadUnhappinessError } from '../src-main/grid/errors.js';
import { createMutable, publishMutable, retrieveMutable, updateServermap } from '../src-main/grid/mutable/index.js';
import { localServers, type LocalServer } from './support/local-grid.js';

const leaseSecret = new Uint8Array(randomBytes(32));
const encoding = { needed: 3, happy: 5, total: 6 };
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

async function grid(count: number, reservedSpace?: (i: number) => number): Promise<LocalServer[]> {
  const { servers, cleanup } = await localServers(count, reservedSpace === undefined ? {} : { reservedSpace });
  cleanups.push(cleanup);
  return servers;
}

describe('mutable publish placement', () => {
  it('places shares around full servers and still reaches happiness', async () => {
    const servers = await grid(8, (i) => (i < 2 ? Number.MAX_SAFE_INTEGER : 0));
    const data = new Uint8Array(randomBytes(20_000));
    const { cap, placement, happiness } = await createMutable(data, { servers, encoding, leaseSecret });
    expect(happiness).toBeGreaterThanOrEqual(5);
    for (const full of servers.slice(0, 2)) expect(placement.has(full.id)).toBe(false);
    expect(Buffer.compare((await retrieveMutable(cap, { servers })).plaintext, data)).toBe(0);
  });

  it('too few writable servers: UploadUnhappinessError', async () => {
    const servers = await grid(6, (i) => (i < 3 ? Number.MAX_SAFE_INTEGER : 0));
    await expect(createMutable(new Uint8Array(100), { servers, encoding, leaseSecret })).rejects.toThrow(UploadUnhappinessError);
  });

  it('an update keeps share locations and re-places the shares of a server that is gone, skipping a slot squatted under another write enabler', async () => {
    const servers = await grid(7);
    const { cap, placement } = await createMutable(new Uint8Array([1]), { servers, encoding, leaseSecret });
    const si = mutableStorageIndexOf(cap);
    const holders = servers.filter((s) => placement.has(s.id));
    expect(holders).toHaveLength(6);
    const [gone, ...staying] = holders;
    // The one server without a share holds a squatter's share of this storage index.
    const squatted = servers.find((s) => !placement.has(s.id))!;
    const squatter = { writeEnabler: new Uint8Array(randomBytes(32)), leaseRenew: new Uint8Array(randomBytes(32)), leaseCancel: new Uint8Array(randomBytes(32)) };
    await squatted.backend.testvAndReadvAndWritev(si, squatter, new Map([[200, { testVectors: [], writeVectors: [{ offset: 0, data: new Uint8Array([9]) }] }]]), []);

    const online = servers.filter((s) => s !== gone);
    const updated = await publishMutable(cap, new Uint8Array([2]), { servers: online, encoding, leaseSecret });
    expect(updated.info.seqnum).toBe(2);
    expect(updated.placement.has(squatted.id)).toBe(false); // its write was refused: bad-write-enabler
    for (const holder of staying) expect([...updated.placement.get(holder.id)!]).toEqual(expect.arrayContaining([...placement.get(holder.id)!]));
    expect([...updated.placement.values()].reduce((sum, shares) => sum + shares.size, 0)).toBe(6); // the gone server's share, placed again
    expect(updated.happiness).toBe(5);
    const map = await updateServermap(si, cap.fingerprint, { servers: online });
    expect(new Set(map.shares.map((s) => s.info.seqnum))).toEqual(new Set([2]));
    expect(new Set(map.shares.map((s) => s.shareNumber))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    expect(map.badShares.map((s) => s.shareNumber)).toEqual([200]); // the squatter's one byte
  });
});
