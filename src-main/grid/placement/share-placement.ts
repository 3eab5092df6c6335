// Where an upload's shares go (chk-format.md §15). Pure planning: the uploader asks the
// servers, calls `planSharePlacement`, allocates, and re-plans with what the servers said.

import { MAX_TOTAL_SHARES } from '../../core/immutable/params.js';
import { maximumMatching } from './bipartite-matching.js';
import { happiness } from './happiness.js';
import type { ServerId, ShareNumber } from './types.js';

export interface PlacementServer {
  readonly id: ServerId;
  /** False when the server is full, read-only, or refused an allocation. */
  readonly writable: boolean;
  /** Shares of this file the server already holds (numbers ≥ N are ignored). */
  readonly existingShares: ReadonlySet<ShareNumber>;
}

export interface PlacementRequest {
  /** The servers that answered the share query, in permuted-ring order. */
  readonly servers: readonly PlacementServer[];
  /** N */
  readonly totalShares: number;
  /** H: the happiness the upload needs */
  readonly happy: number;
}

export interface SharePlan {
  /** New shares to allocate, per writable server, in ring order. Never a share the server holds. */
  readonly allocations: Map<ServerId, Set<ShareNumber>>;
  /** Existing plus new shares, per server that will hold any, in ring order. */
  readonly placement: Map<ServerId, Set<ShareNumber>>;
  /** Happiness of `placement`; the most any placement on these servers can reach. */
  readonly happiness: number;
  /** happiness ≥ H */
  readonly isHappy: boolean;
  /** Shares no server holds or receives. Only non-empty when no server is writable. */
  readonly unplaced: Set<ShareNumber>;
}

/**
 * Plan the new shares. Happiness comes first, built from three matchings:
 * - M1: read-only servers ↔ the shares they hold;
 * - M2: writable servers ↔ the other shares they hold (these need no upload);
 * - M3: the other writable servers ↔ the other shares (each server can take any share).
 * Whichever maximum matchings these are, happiness ends at min(N, |M1| + writable servers),
 * the most any placement on these servers can reach. Earlier ring positions win ties.
 * Shares left over stay where they already are, or go to the writable server holding the
 * fewest shares, the earlier in the ring on a tie. The same input always gives the same
 * plan (Tahoe's depends on Python set order).
 */
export function planSharePlacement(request: PlacementRequest): SharePlan {
  const { servers, totalShares, happy } = request;
  checkRequest(request);

  const held = new Map(servers.map((s) => [s.id, sortedShares(s.existingShares, totalShares)]));
  const heldBy = (s: PlacementServer): ShareNumber[] => held.get(s.id) ?? [];
  const readOnly = servers.filter((s) => !s.writable);
  const writable = servers.filter((s) => s.writable);

  const m1 = maximumMatching(readOnly, heldBy);
  const matchedShares = new Set(m1.values());
  const m2 = maximumMatching(writable, (s) => heldBy(s).filter((share) => !matchedShares.has(share)));
  for (const share of m2.values()) matchedShares.add(share);

  // M3 is complete bipartite, so any pairing is maximum: zip in ring order. None of these
  // servers holds any of these shares, else M2 would have matched them.
  const allocations = new Map<ServerId, Set<ShareNumber>>();
  const freeServers = writable.filter((s) => !m2.has(s));
  const freeShares = range(totalShares).filter((share) => !matchedShares.has(share));
  freeShares.slice(0, freeServers.length).forEach((share, i) => {
    allocations.set(freeServers[i]!.id, new Set([share]));
  });

  const placement = new Map(servers.map((s) => [s.id, new Set([...heldBy(s), ...(allocations.get(s.id) ?? [])])]));
  const placed = new Set([...placement.values()].flatMap((shares) => [...shares]));
  const unplaced = new Set<ShareNumber>();
  for (const share of range(totalShares)) {
    if (placed.has(share)) continue;
    const target = leastLoaded(writable, placement);
    if (target === undefined) {
      unplaced.add(share);
      continue;
    }
    placement.get(target.id)?.add(share);
    addTo(allocations, target.id, share);
  }

  const achieved = happiness(placement);
  return {
    allocations: inRingOrder(servers, allocations),
    placement: inRingOrder(servers, placement),
    happiness: achieved,
    isHappy: achieved >= happy,
    unplaced,
  };
}

/** What the servers said to the allocations of the last plan. */
export interface AllocationResults {
  /** Shares each server accepted; from now on they count as held. */
  readonly accepted?: ReadonlyMap<ServerId, ReadonlySet<ShareNumber>>;
  /** Servers that answered but would not take (all) their shares: full or read-only. */
  readonly refused?: Iterable<ServerId>;
  /** Servers that failed, timed out or disconnected: dropped with the shares they hold. */
  readonly failed?: Iterable<ServerId>;
}

/**
 * Fold allocation results into the request: accepted shares become existing shares,
 * refusing servers become read-only, failed servers leave. Returns the updated request
 * (keep it for the next round) and the plan for it.
 */
export function replanSharePlacement(
  request: PlacementRequest,
  results: AllocationResults,
): { request: PlacementRequest; plan: SharePlan } {
  const known = new Set(request.servers.map((s) => s.id));
  const failed = new Set(results.failed);
  const refused = new Set(results.refused);
  const accepted = results.accepted ?? new Map<ServerId, ReadonlySet<ShareNumber>>();
  for (const id of [...failed, ...refused, ...accepted.keys()]) {
    if (!known.has(id)) throw new RangeError(`allocation result for unknown server ${id}`);
  }

  const servers = request.servers
    .filter((s) => !failed.has(s.id))
    .map((s) => ({
      id: s.id,
      writable: s.writable && !refused.has(s.id),
      existingShares: new Set([...s.existingShares, ...(accepted.get(s.id) ?? [])]),
    }));
  const next = { ...request, servers };
  return { request: next, plan: planSharePlacement(next) };
}

function checkRequest({ servers, totalShares, happy }: PlacementRequest): void {
  if (!Number.isInteger(totalShares) || totalShares < 1 || totalShares > MAX_TOTAL_SHARES) {
    throw new RangeError(`total shares N must be an integer from 1 to ${MAX_TOTAL_SHARES} (got ${totalShares})`);
  }
  if (!Number.isInteger(happy) || happy < 1 || happy > totalShares) {
    throw new RangeError(`happiness H must be an integer from 1 to N=${totalShares} (got ${happy})`);
  }
  const ids = new Set<ServerId>();
  for (const { id } of servers) {
    if (ids.has(id)) throw new RangeError(`server ${id} is listed twice`);
    ids.add(id);
  }
}

/** Valid share numbers in ascending order, so the plan never depends on set insertion order. */
function sortedShares(shares: ReadonlySet<ShareNumber>, totalShares: number): ShareNumber[] {
  return [...shares].filter((n) => Number.isInteger(n) && n >= 0 && n < totalShares).sort((a, b) => a - b);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The writable server holding the fewest shares; the first in ring order on a tie. */
function leastLoaded(
  writable: readonly PlacementServer[],
  placement: ReadonlyMap<ServerId, ReadonlySet<ShareNumber>>,
): PlacementServer | undefined {
  let best: PlacementServer | undefined;
  let bestLoad = Infinity;
  for (const server of writable) {
    const load = placement.get(server.id)?.size ?? 0;
    if (load < bestLoad) [best, bestLoad] = [server, load];
  }
  return best;
}

function addTo(map: Map<ServerId, Set<ShareNumber>>, id: ServerId, share: ShareNumber): void {
  const shares = map.get(id);
  if (shares) shares.add(share);
  else map.set(id, new Set([share]));
}

/** Non-empty entries in ring order, each set ascending. */
function inRingOrder(
  servers: readonly PlacementServer[],
  map: ReadonlyMap<ServerId, ReadonlySet<ShareNumber>>,
): Map<ServerId, Set<ShareNumber>> {
  const ordered = new Map<ServerId, Set<ShareNumber>>();
  for (const { id } of servers) {
    const shares = map.get(id);
    if (shares && shares.size > 0) ordered.set(id, new Set([...shares].sort((a, b) => a - b)));
  }
  return ordered;
}
