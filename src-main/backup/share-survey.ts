// One query round for an immutable file during a durability pass: which shares each
// reachable server holds, renewing this node's lease on them on the way (a kept snapshot's
// files must never expire).
import { storageIndexOfKey, type ChkReadCap } from '../../src-shared/caps/index.js';
import { deriveBucketLeaseSecrets } from '../core/lease-secrets.js';
import type { GridServer } from '../grid/grid-server.js';
import type { SharePlacement } from './durability.js';

const QUERY_TIMEOUT_MS = 15_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Where the file's shares are; with `renewLeases`, this node's lease on each server holding some is renewed. */
export async function surveyShares(cap: ChkReadCap, servers: readonly GridServer[], options: { leaseSecret: Uint8Array; renewLeases: boolean }): Promise<SharePlacement> {
  const storageIndex = storageIndexOfKey(cap.key);
  const placement = new Map<string, Set<number>>();
  await Promise.all(
    servers.map(async (server) => {
      const buckets = await withTimeout(server.api.getBuckets(storageIndex).catch(() => undefined), QUERY_TIMEOUT_MS);
      if (buckets === undefined || buckets.size === 0) return;
      placement.set(server.id, new Set(buckets.keys()));
      if (options.renewLeases) {
        const secrets = deriveBucketLeaseSecrets(options.leaseSecret, storageIndex, server.leaseSeed);
        await server.api.addLease(storageIndex, secrets.renew, secrets.cancel).catch(() => undefined);
      }
    }),
  );
  return placement;
}
