import {
  BadMutableShareError,
  CHECKSTRING_SIZE,
  SHARE_HEAD_SIZE,
  compareVersions,
  readVersionInfo,
  versionKeyOf,
  type MutableVersionInfo,
} from '../../core/mutable/index.js';
import type { GridServer } from '../grid-server.js';
import { permuteServers } from '../placement/permuted-ring.js';
import { DEFAULT_QUERY_TIMEOUT_MS, withDeadline } from './deadline.js';

/** One share a server holds, as its first bytes showed it. */
export interface ShareLocation {
  readonly server: GridServer;
  readonly shareNumber: number;
  /** the share's first CHECKSTRING_SIZE bytes (fewer if it is shorter): a write over it tests these */
  readonly seen: Uint8Array;
}

/** A share whose head verified: its version is known. */
export interface VersionedShare extends ShareLocation {
  readonly info: MutableVersionInfo;
  /** the share's first SERVERMAP_READ_BYTES bytes: a small file's whole share */
  readonly prefix: Uint8Array;
}

/**
 * Bytes read from the start of every share (the protocol allows 16 KiB a share for "all").
 * Tahoe reads 4000; more means the shares of a small file or directory (up to ~45 KiB at
 * k=3) arrive whole with their heads, so a read needs no second round trip and cannot see
 * a share change between the two.
 */
export const SERVERMAP_READ_BYTES = 16 * 1024;

/** A share whose head did not verify (corrupt, truncated, or another file's). */
export interface BadShare extends ShareLocation {
  readonly error: BadMutableShareError;
}

/** The shares of one version found on the grid. */
export interface FoundVersion {
  readonly info: MutableVersionInfo;
  readonly shares: readonly VersionedShare[];
  /** distinct share numbers: the version is recoverable when this reaches k */
  readonly distinctShares: number;
}

/** Which server holds which share of which version of one mutable file (Tahoe's servermap). */
export interface Servermap {
  readonly storageIndex: Uint8Array;
  readonly shares: readonly VersionedShare[];
  readonly badShares: readonly BadShare[];
  /** the servers that answered (with shares or without), in ring order */
  readonly respondingServers: readonly GridServer[];
  readonly failedServers: readonly { readonly server: GridServer; readonly error: Error }[];
}

export interface ServermapOptions {
  /** the storage servers connected now */
  readonly servers: readonly GridServer[];
  /** how long a server may take to answer (default 15 s) */
  readonly queryTimeoutMs?: number;
  /** told of each share whose head is bad (after its server has been sent an advisory) */
  readonly onBadShare?: (error: BadMutableShareError, server: GridServer) => void;
}

export function shareLabel(server: GridServer, shareNumber: number): string {
  return `${shareNumber} on ${server.nickname} (${server.id.slice(-8)})`;
}

/** Tells the server one of its mutable shares failed its checks; best effort. */
export function adviseCorrupt(server: GridServer, storageIndex: Uint8Array, shareNumber: number, error: Error): void {
  server.api.adviseCorruptShare('mutable', storageIndex, shareNumber, error.message).catch(() => undefined);
}

/**
 * Asks every server, in permuted-ring order, for the first SERVERMAP_READ_BYTES of every
 * share it holds of the file, and checks each share's public key against the cap's
 * fingerprint and its signature. Every server is asked (a friendnet grid is small), so a
 * publish sees every share it must replace. Shares with a bad head are advised.
 */
export async function updateServermap(storageIndex: Uint8Array, fingerprint: Uint8Array, options: ServermapOptions): Promise<Servermap> {
  const servers = permuteServers(storageIndex, options.servers);
  const timeout = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const answers = await Promise.all(
    servers.map((server) =>
      withDeadline(Promise.resolve(server.api.readMutableShares(storageIndex, 'all', [{ offset: 0, length: SERVERMAP_READ_BYTES }])), timeout, `asking ${server.nickname} for shares`).then(
        (heads) => ({ server, heads }),
        (error: unknown) => ({ server, error: error instanceof Error ? error : new Error(String(error)) }),
      ),
    ),
  );
  // Shares of one version have the same head but for nothing: verify each distinct head once.
  const verified = new Map<string, MutableVersionInfo | BadMutableShareError>();
  const shares: VersionedShare[] = [];
  const badShares: BadShare[] = [];
  const respondingServers: GridServer[] = [];
  const failedServers: { server: GridServer; error: Error }[] = [];
  for (const answer of answers) {
    if ('error' in answer) {
      failedServers.push(answer);
      continue;
    }
    const { server } = answer;
    respondingServers.push(server);
    for (const [shareNumber, [head = new Uint8Array(0)]] of answer.heads) {
      const prefix = head;
      const seen = head.subarray(0, CHECKSTRING_SIZE);
      const key = Buffer.from(head.subarray(0, SHARE_HEAD_SIZE)).toString('hex');
      let result = verified.get(key);
      if (result === undefined) {
        try {
          result = readVersionInfo(head.subarray(0, SHARE_HEAD_SIZE), fingerprint, shareLabel(server, shareNumber));
        } catch (error) {
          if (!(error instanceof BadMutableShareError)) throw error;
          result = error;
        }
        verified.set(key, result);
      }
      if (result instanceof BadMutableShareError) {
        const error = new BadMutableShareError(shareLabel(server, shareNumber), result.problem, result.message.replace(/^share [^:]*: /, ''));
        badShares.push({ server, shareNumber, seen, error });
        adviseCorrupt(server, storageIndex, shareNumber, error);
        options.onBadShare?.(error, server);
      } else {
        shares.push({ server, shareNumber, seen, info: result, prefix });
      }
    }
  }
  return { storageIndex, shares, badShares, respondingServers, failedServers };
}

/** Every version found, best first: highest (seqnum, root hash). */
export function versionsOf(map: Servermap): FoundVersion[] {
  const byKey = new Map<string, VersionedShare[]>();
  for (const share of map.shares) {
    const key = versionKeyOf(share.info);
    const list = byKey.get(key) ?? [];
    list.push(share);
    byKey.set(key, list);
  }
  return [...byKey.values()]
    .map((shares) => ({ info: shares[0]!.info, shares, distinctShares: new Set(shares.map((s) => s.shareNumber)).size }))
    .sort((a, b) => compareVersions(b.info, a.info));
}

/** Versions with at least k distinct shares, best first. */
export function recoverableVersions(map: Servermap): FoundVersion[] {
  return versionsOf(map).filter((version) => version.distinctShares >= version.info.neededShares);
}

/** The highest seqnum any verified share holds (0 when there is none). */
export function highestSeqnum(map: Servermap): number {
  return map.shares.reduce((max, share) => Math.max(max, share.info.seqnum), 0);
}

/** Every share location, good or bad: a publish rewrites them all. */
export function allLocations(map: Servermap): ShareLocation[] {
  return [...map.shares, ...map.badShares];
}
