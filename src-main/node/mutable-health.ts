// A mutable file's (or directory's) health from its servermap: how many shares of the
// newest version are on how many servers. Repairing mutable files is not built yet.
import { mutableStorageIndexOf, type MutableFileCap } from '../../src-shared/caps/index.js';
import { happiness } from '../grid/placement/happiness.js';
import { recoverableVersions, updateServermap, versionsOf } from '../grid/mutable/index.js';
import type { GridServer } from '../grid/grid-server.js';
import type { ImmutableHealth } from '../grid/checker.js';

/** The part of a check result that immutable and mutable files share. */
export type HealthSummary = Omit<ImmutableHealth, 'corruptShares'>;

export async function checkMutableShares(cap: MutableFileCap, options: { readonly servers: readonly GridServer[]; readonly happy: number }): Promise<HealthSummary> {
  const map = await updateServermap(mutableStorageIndexOf(cap), cap.fingerprint, options);
  const newest = recoverableVersions(map)[0] ?? versionsOf(map)[0];
  if (newest === undefined) {
    return { healthy: false, recoverable: false, sharesNeeded: 0, sharesTotal: 0, sharesFound: 0, serversWithShares: 0, happiness: 0, happy: options.happy, summary: `NOT recoverable: no share found on the ${map.respondingServers.length} servers that answered` };
  }
  const placement = new Map<string, Set<number>>();
  for (const share of newest.shares) placement.set(share.server.id, new Set([...(placement.get(share.server.id) ?? []), share.shareNumber]));
  const { neededShares, totalShares, seqnum } = newest.info;
  const reached = happiness(placement);
  const happy = Math.min(options.happy, totalShares);
  const recoverable = newest.distinctShares >= neededShares;
  const healthy = newest.distinctShares === totalShares && reached >= happy;
  const state = healthy ? 'healthy' : recoverable ? 'not healthy (recoverable)' : 'NOT recoverable';
  return {
    healthy,
    recoverable,
    sharesNeeded: neededShares,
    sharesTotal: totalShares,
    sharesFound: newest.distinctShares,
    serversWithShares: placement.size,
    happiness: reached,
    happy,
    summary: `${state}: ${newest.distinctShares} of ${totalShares} shares of version ${seqnum} found on ${placement.size} servers (${neededShares} needed); happiness ${reached} of ${happy}`,
  };
}
