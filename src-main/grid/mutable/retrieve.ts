import { mutableStorageIndexOf, type MutableReadCap, type MutableWriteCap } from '../../../src-shared/caps/index.js';
import {
  BadMutableShareError,
  UnrecoverableVersionError,
  checkMutableShare,
  decodeMutableVersion,
  mutableShareSize,
  type MutableVersionInfo,
} from '../../core/mutable/index.js';
import { equalBytes } from '../../core/bytes.js';
import { NotEnoughSharesFoundError } from '../errors.js';
import type { GridServer } from '../grid-server.js';
import { DEFAULT_QUERY_TIMEOUT_MS, withDeadline } from './deadline.js';
import { adviseCorrupt, shareLabel, updateServermap, versionsOf, type FoundVersion, type Servermap, type VersionedShare } from './servermap.js';

export interface RetrieveOptions {
  /** the storage servers connected now */
  readonly servers: readonly GridServer[];
  /** how long a server may take to answer (default 15 s) */
  readonly queryTimeoutMs?: number;
  /** told of each share rejected as corrupt (after its server has been sent an advisory) */
  readonly onBadShare?: (error: BadMutableShareError, server: GridServer) => void;
  /** a servermap made just before; default: a fresh one */
  readonly servermap?: Servermap;
}

/** A whole share, checked. */
export interface FetchedShare {
  readonly server: GridServer;
  readonly shareNumber: number;
  readonly bytes: Uint8Array;
}

export interface RetrievedVersion {
  readonly plaintext: Uint8Array;
  readonly info: MutableVersionInfo;
  /** the servermap the version was chosen from (a publish after this read reuses it) */
  readonly servermap: Servermap;
  /** the k shares decoded from; any of them yields the writer's key (recoverWriterKeys) */
  readonly shares: readonly FetchedShare[];
}

/**
 * Reads the newest recoverable version of a mutable file: a servermap update, then k whole
 * shares of the best version (primary shares first), each checked; a bad share is advised
 * and another fetched, and a version that cannot be rebuilt gives way to the next best.
 * Throws NotEnoughSharesFoundError when no share exists, UnrecoverableVersionError when no
 * version has k good shares.
 */
export async function retrieveMutable(cap: MutableReadCap | MutableWriteCap, options: RetrieveOptions): Promise<RetrievedVersion> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await retrieveOnce(cap, options);
    } catch (error) {
      // Shares changed under our feet (another writer): a fresh servermap sees the new version.
      if (!(error instanceof SharesChangedError)) throw error;
      if (attempt >= MAX_REMAPS) throw error.cause;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt * (0.5 + Math.random())));
    }
  }
}

/** Retrieve failed, but some shares held a newer version than the servermap said. */
class SharesChangedError extends Error {}

const MAX_REMAPS = 6;

async function retrieveOnce(cap: MutableReadCap | MutableWriteCap, options: RetrieveOptions): Promise<RetrievedVersion> {
  const storageIndex = mutableStorageIndexOf(cap);
  const servermap = options.servermap ?? (await updateServermap(storageIndex, cap.fingerprint, options));
  const changed = { count: 0 };
  const badShares: BadMutableShareError[] = [...servermap.badShares.map((s) => s.error)];
  if (servermap.shares.length === 0) {
    if (badShares.length > 0) throw new UnrecoverableVersionError(undefined, 0, badShares);
    const asked = servermap.respondingServers.length;
    throw new NotEnoughSharesFoundError(`no share of this mutable file was found on the ${asked} storage server${asked === 1 ? '' : 's'} that answered`);
  }
  // Good shares each version could give: at most its distinct share numbers, fewer once fetched.
  const versions = versionsOf(servermap);
  const usable = new Map(versions.map((version) => [version, version.distinctShares]));
  for (const version of versions.filter((v) => v.distinctShares >= v.info.neededShares)) {
    const good = await fetchGoodShares(version, storageIndex, cap.fingerprint, options, badShares, changed);
    usable.set(version, good.length);
    if (good.length >= version.info.neededShares) {
      const decoded = decodeMutableVersion(
        cap,
        good.map((share) => ({ shareNumber: share.shareNumber, bytes: share.bytes, label: shareLabel(share.server, share.shareNumber) })),
        { checkstring: version.info.checkstring },
      );
      const used = decoded.sharesUsed.map((n) => good.find((share) => share.shareNumber === n)!);
      return { plaintext: decoded.plaintext, info: decoded.info, servermap, shares: used };
    }
  }
  const [closest, most] = [...usable].sort(([, a], [, b]) => b - a)[0]!;
  const best = { needed: closest.info.neededShares, usable: most };
  const error = new UnrecoverableVersionError(best.needed, best.usable, badShares);
  if (changed.count > 0 && options.servermap === undefined) throw new SharesChangedError('shares changed', { cause: error });
  throw error;
}

/**
 * Fetches whole shares of one version until k distinct good ones are in hand or none is
 * left to try. A share now holding another version (changed since the servermap) is
 * skipped, not advised.
 */
async function fetchGoodShares(
  version: FoundVersion,
  storageIndex: Uint8Array,
  fingerprint: Uint8Array,
  options: RetrieveOptions,
  badShares: BadMutableShareError[],
  changed: { count: number },
): Promise<FetchedShare[]> {
  const { info } = version;
  const k = info.neededShares;
  const size = mutableShareSize(k, info.totalShares, info.dataLength);
  const timeout = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  // Primary shares (number < k) need no erasure decoding; then ring order.
  const candidates = [...version.shares].sort((a, b) => Number(a.shareNumber >= k) - Number(b.shareNumber >= k) || a.shareNumber - b.shareNumber);
  const good = new Map<number, FetchedShare>();
  const tried = new Set<VersionedShare>();
  while (good.size < k) {
    const batch: VersionedShare[] = [];
    for (const candidate of candidates) {
      if (batch.length >= k - good.size) break;
      if (tried.has(candidate) || good.has(candidate.shareNumber) || batch.some((b) => b.shareNumber === candidate.shareNumber)) continue;
      batch.push(candidate);
    }
    if (batch.length === 0) break;
    await Promise.all(
      batch.map(async (location) => {
        tried.add(location);
        const { server, shareNumber } = location;
        const label = shareLabel(server, shareNumber);
        let bytes: Uint8Array | undefined;
        try {
          bytes = await wholeShare(location, storageIndex, size, timeout);
        } catch {
          return; // the server failed: another location may do
        }
        if (bytes === undefined || !equalBytes(bytes.subarray(0, info.checkstring.length), info.checkstring)) {
          changed.count++; // deleted or rewritten since the servermap: not corrupt
          return;
        }
        try {
          const checked = checkMutableShare(fingerprint, { shareNumber, bytes, label });
          if (!equalBytes(checked.info.checkstring, info.checkstring)) return;
          good.set(shareNumber, { server, shareNumber, bytes });
        } catch (error) {
          if (!(error instanceof BadMutableShareError)) throw error;
          badShares.push(error);
          adviseCorrupt(server, storageIndex, shareNumber, error);
          options.onBadShare?.(error, server);
        }
      }),
    );
  }
  return [...good.values()];
}

/** A share's bytes: those the servermap read, if it read them all, else fetched. */
async function wholeShare(location: VersionedShare, storageIndex: Uint8Array, size: number, timeoutMs: number): Promise<Uint8Array | undefined> {
  if (location.prefix.length >= size) return location.prefix.subarray(0, size);
  const { server, shareNumber } = location;
  const read = server.api.readMutableShares(storageIndex, [shareNumber], [{ offset: 0, length: size }]);
  return (await withDeadline(Promise.resolve(read), timeoutMs, `reading share ${shareLabel(server, shareNumber)}`)).get(shareNumber)?.[0];
}
