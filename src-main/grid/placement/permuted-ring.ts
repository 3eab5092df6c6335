// Server order per file: the permuted ring (chk-format.md §14).

import { createHash } from 'node:crypto';

export interface RingServer {
  /** Bytes that place the server on the ring; Cairn uses the server's peer-id bytes. */
  readonly permutationSeed: Uint8Array;
  /** Preferred servers (from the node's config) come before all others. */
  readonly preferred?: boolean;
}

/** A server's position on the ring for one file: SHA1(storage index || permutation seed). */
export function ringPosition(storageIndex: Uint8Array, permutationSeed: Uint8Array): Uint8Array {
  return createHash('sha1').update(storageIndex).update(permutationSeed).digest();
}

/**
 * Servers ordered by (not preferred, ring position) ascending, Tahoe's order. Each file
 * gets its own order, so shares of different files land on different servers. Servers
 * with identical seeds keep their input order.
 */
export function permuteServers<S extends RingServer>(storageIndex: Uint8Array, servers: readonly S[]): S[] {
  return servers
    .map((server) => ({ server, position: ringPosition(storageIndex, server.permutationSeed) }))
    .sort(
      (a, b) =>
        Number(a.server.preferred !== true) - Number(b.server.preferred !== true) ||
        Buffer.compare(a.position, b.position),
    )
    .map(({ server }) => server);
}

/** An upload asks only the first 2N servers of the ring where shares might go (§15 step 1). */
export function uploadCandidates<S>(permuted: readonly S[], totalShares: number): S[] {
  return permuted.slice(0, 2 * totalShares);
}
