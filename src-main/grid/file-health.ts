// What a check of one file (immutable, mutable, or a directory's file) reports: the same
// shape for every kind, so the REST API, the CLI and deep-check print one thing.

/** The share numbers one server holds (of the version checked, for a mutable file). */
export interface ServerShares {
  /** nickname and the last 8 characters of the peer id */
  readonly server: string;
  readonly shares: readonly number[];
}

/** One version of a mutable file seen on the grid. */
export interface VersionSeen {
  readonly seqnum: number;
  /** the version's root hash, hex */
  readonly rootHash: string;
  /** distinct good share numbers of this version */
  readonly sharesFound: number;
  readonly recoverable: boolean;
}

export interface FileHealth {
  /** the newest version has all N shares, spread over `happy` servers (and, mutable, no other version is around) */
  readonly healthy: boolean;
  readonly recoverable: boolean;
  readonly sharesNeeded: number;
  readonly sharesTotal: number;
  /** distinct good share numbers found (of the newest recoverable version, for a mutable file) */
  readonly sharesFound: number;
  readonly serversWithShares: number;
  readonly happiness: number;
  readonly happy: number;
  /** shares that failed their checks, one line each */
  readonly corruptShares: readonly string[];
  /** where the shares counted are */
  readonly servers: readonly ServerShares[];
  /** mutable files only: every version seen, newest first */
  readonly versions?: readonly VersionSeen[];
  /** true when repair wrote shares */
  readonly repaired?: boolean;
  /** what repair did, in words (set whenever repair was asked for) */
  readonly repair?: string;
  readonly summary: string;
}

export function serverLabel(server: { readonly nickname: string; readonly id: string }): string {
  return `${server.nickname} (${server.id.slice(-8)})`;
}

/** The per-server list, servers in the order given, share numbers sorted. */
export function serverSharesOf(placement: ReadonlyMap<string, ReadonlySet<number>>, labels: ReadonlyMap<string, string>): ServerShares[] {
  return [...placement].map(([id, shares]) => ({ server: labels.get(id) ?? id, shares: [...shares].sort((a, b) => a - b) }));
}

/** "healthy", "not healthy (recoverable)" or "NOT recoverable". */
export function healthState(health: { readonly healthy: boolean; readonly recoverable: boolean }): string {
  return health.healthy ? 'healthy' : health.recoverable ? 'not healthy (recoverable)' : 'NOT recoverable';
}

export function corruptNote(corrupt: readonly string[]): string {
  return corrupt.length > 0 ? `; ${corrupt.length} corrupt share${corrupt.length === 1 ? '' : 's'}` : '';
}
