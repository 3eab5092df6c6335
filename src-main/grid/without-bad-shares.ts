import type { GridServer, ShareAllocation, SharePutResult, StorageServerApi } from './grid-server.js';

/** Share numbers, per server id, that failed verification on that server. */
export type BadSharesByServer = ReadonlyMap<string, ReadonlySet<number>>;

/**
 * The servers as a repair must see them: a share found corrupt on a server is neither read
 * nor counted there, and that server refuses to take the same share number again (an
 * immutable share cannot be overwritten in place), so the uploader places it elsewhere.
 */
export function withoutBadShares(servers: readonly GridServer[], bad: BadSharesByServer): GridServer[] {
  return servers.map((server) => {
    const hidden = bad.get(server.id);
    return hidden === undefined || hidden.size === 0 ? server : { ...server, api: hidingShares(server.api, hidden) };
  });
}

function hidingShares(api: StorageServerApi, hidden: ReadonlySet<number>): StorageServerApi {
  const visible = (shareNumber: number) => !hidden.has(shareNumber);
  return {
    version: () => api.version(),
    getBuckets: async (storageIndex, hints) => new Map([...(await api.getBuckets(storageIndex, hints))].filter(([shareNumber]) => visible(shareNumber))),
    allocateBuckets: async (storageIndex, renewSecret, cancelSecret, shareNumbers, allocatedSize): Promise<ShareAllocation> => {
      const wanted = [...shareNumbers];
      const refusedHere = wanted.filter((n) => !visible(n));
      // Still called with nothing left to allocate: it renews the leases of the shares held.
      const allocation = await api.allocateBuckets(storageIndex, renewSecret, cancelSecret, wanted.filter(visible), allocatedSize);
      return {
        alreadyHave: allocation.alreadyHave.filter(visible),
        writers: allocation.writers,
        refused: [...allocation.refused, ...refusedHere],
        ...(refusedHere.length > 0
          ? { refusedBecause: 'holds a corrupt copy of the share' }
          : allocation.refusedBecause === undefined ? {} : { refusedBecause: allocation.refusedBecause }),
      };
    },
    putShares: async (storageIndex, renewSecret, cancelSecret, shares): Promise<SharePutResult> => {
      const refusedHere = [...shares.keys()].filter((n) => !visible(n));
      const put = await api.putShares(storageIndex, renewSecret, cancelSecret, new Map([...shares].filter(([n]) => visible(n))));
      return {
        alreadyHave: put.alreadyHave.filter(visible),
        written: put.written,
        refused: [...put.refused, ...refusedHere],
        ...(refusedHere.length > 0
          ? { refusedBecause: 'holds a corrupt copy of the share' }
          : put.refusedBecause === undefined ? {} : { refusedBecause: put.refusedBecause }),
      };
    },
    addLease: (storageIndex, renewSecret, cancelSecret) => api.addLease(storageIndex, renewSecret, cancelSecret),
    adviseCorruptShare: (shareType, storageIndex, shareNumber, reason) => api.adviseCorruptShare(shareType, storageIndex, shareNumber, reason),
    // mutable slots pass through: the immutable repair never touches them
    readMutableShares: (storageIndex, shareNumbers, readVectors) => api.readMutableShares(storageIndex, shareNumbers, readVectors),
    testvAndReadvAndWritev: (storageIndex, secrets, writes, readVectors) => api.testvAndReadvAndWritev(storageIndex, secrets, writes, readVectors),
  };
}
