import { mutableStorageIndexOf, type MutableFileCap } from '../../../src-shared/caps/index.js';
import { deriveBucketLeaseSecrets } from '../../core/lease-secrets.js';
import { BadMutableShareError, checkMutableShare, compareVersions, mutableShareSize, versionKeyOf } from '../../core/mutable/index.js';
import { corruptNote, healthState, serverLabel, serverSharesOf, type FileHealth, type VersionSeen } from '../file-health.js';
import type { GridServer } from '../grid-server.js';
import { happiness } from '../placement/happiness.js';
import { DEFAULT_QUERY_TIMEOUT_MS, withDeadline, queryTimeoutOf } from './deadline.js';
import { MutableRepairNeedsWriteCapError } from './errors.js';
import { repairMutable } from './repairer.js';
import { adviseCorrupt, shareLabel, updateServermap, type Servermap, type VersionedShare } from './servermap.js';

export interface MutableCheckOptions {
  /** the storage servers connected now */
  readonly servers: readonly GridServer[];
  /** servers of happiness a healthy file needs (at most N) */
  readonly happy: number;
  /** the node's lease secret (add-lease and repair) */
  readonly leaseSecret: Uint8Array;
  /** read every share whole and check its signature, hashes and block */
  readonly verify?: boolean;
  /** re-publish the newest version where shares are missing, old or corrupt (needs the write cap) */
  readonly repair?: boolean;
  /** renew this node's lease on every share of the file */
  readonly addLease?: boolean;
  readonly queryTimeoutMs?: number;
}

/**
 * Checks a mutable file (or a mutable directory's file) from any of its caps: which
 * servers hold which shares of which versions. Healthy means one version only, the newest,
 * with all N shares, spread so that `happy` servers hold them. With verify, every share is
 * read whole and its signature, hash chain and block checked; a share that fails is
 * advised to its server and not counted. With repair (write cap only) a file that is not
 * healthy gets its newest recoverable version written again (repairer.ts).
 */
export async function checkMutable(cap: MutableFileCap, options: MutableCheckOptions): Promise<FileHealth> {
  if (options.repair && cap.kind !== 'ssk-ed25519') throw new MutableRepairNeedsWriteCapError();
  const before = await surveyMutable(cap, options);
  if (!options.repair || cap.kind !== 'ssk-ed25519') return before;
  if (before.healthy) return { ...before, repair: 'nothing to do: the file is healthy' };
  if (!before.recoverable) return { ...before, repair: 'not possible: no version has enough good shares left' };
  const repair = await repairMutable(cap, { servers: options.servers, happy: options.happy, leaseSecret: options.leaseSecret, ...queryTimeoutOf(options) });
  const after = await surveyMutable(cap, { ...options, verify: false, addLease: false });
  return { ...after, corruptShares: before.corruptShares, repaired: true, repair, summary: `repaired; now ${after.summary}` };
}

async function surveyMutable(cap: MutableFileCap, options: MutableCheckOptions): Promise<FileHealth> {
  const storageIndex = mutableStorageIndexOf(cap);
  const servermap = await updateServermap(storageIndex, cap.fingerprint, options);
  const corrupt = servermap.badShares.map((bad) => bad.error.message);
  const good = options.verify ? await verifiedShares(servermap, cap.fingerprint, options, corrupt) : servermap.shares;
  if (options.addLease) await addLeases(servermap, options);

  // Versions best first, with their distinct good shares.
  const byVersion = new Map<string, VersionedShare[]>();
  for (const share of good) byVersion.set(versionKeyOf(share.info), [...(byVersion.get(versionKeyOf(share.info)) ?? []), share]);
  const versions = [...byVersion.values()].sort((a, b) => compareVersions(b[0]!.info, a[0]!.info));
  const distinct = (shares: readonly VersionedShare[]): number => new Set(shares.map((s) => s.shareNumber)).size;
  const seen: VersionSeen[] = versions.map((shares) => ({
    seqnum: shares[0]!.info.seqnum,
    rootHash: Buffer.from(shares[0]!.info.rootHash).toString('hex'),
    sharesFound: distinct(shares),
    recoverable: distinct(shares) >= shares[0]!.info.neededShares,
  }));
  const labels = new Map(servermap.respondingServers.map((server) => [server.id, serverLabel(server)]));
  const chosen = versions.find((shares) => distinct(shares) >= shares[0]!.info.neededShares) ?? versions[0];
  if (chosen === undefined) {
    const asked = servermap.respondingServers.length;
    return {
      healthy: false,
      recoverable: false,
      sharesNeeded: 0,
      sharesTotal: 0,
      sharesFound: 0,
      serversWithShares: 0,
      happiness: 0,
      happy: options.happy,
      corruptShares: corrupt,
      servers: [],
      versions: [],
      summary: `NOT recoverable: no good share found on the ${asked} server${asked === 1 ? '' : 's'} that answered${corruptNote(corrupt)}`,
    };
  }
  const placement = new Map<string, Set<number>>();
  for (const share of chosen) placement.set(share.server.id, (placement.get(share.server.id) ?? new Set()).add(share.shareNumber));
  const { neededShares, totalShares, seqnum } = chosen[0]!.info;
  const found = distinct(chosen);
  const reached = happiness(placement);
  const happy = Math.min(options.happy, totalShares);
  const recoverable = found >= neededShares;
  const healthy = recoverable && versions.length === 1 && found === totalShares && reached >= happy;
  const others = versions.length - 1;
  return {
    healthy,
    recoverable,
    sharesNeeded: neededShares,
    sharesTotal: totalShares,
    sharesFound: found,
    serversWithShares: placement.size,
    happiness: reached,
    happy,
    corruptShares: corrupt,
    servers: serverSharesOf(placement, labels),
    versions: seen,
    summary:
      `${healthState({ healthy, recoverable })}: ${found} of ${totalShares} shares of version ${seqnum} found on ${placement.size} servers (${neededShares} needed); ` +
      `happiness ${reached} of ${happy}${others > 0 ? `; ${others} other version${others === 1 ? '' : 's'} seen` : ''}${corruptNote(corrupt)}`,
  };
}

/** Reads every share whole and checks it; bad ones are advised, listed in `corrupt` and left out. */
async function verifiedShares(servermap: Servermap, fingerprint: Uint8Array, options: MutableCheckOptions, corrupt: string[]): Promise<VersionedShare[]> {
  const timeout = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const checked = await Promise.all(
    servermap.shares.map(async (share) => {
      const { server, shareNumber, info } = share;
      const label = shareLabel(server, shareNumber);
      const size = mutableShareSize(info.neededShares, info.totalShares, info.dataLength);
      let bytes: Uint8Array | undefined;
      try {
        bytes =
          share.prefix.length >= size
            ? share.prefix.subarray(0, size)
            : (await withDeadline(Promise.resolve(server.api.readMutableShares(servermap.storageIndex, [shareNumber], [{ offset: 0, length: size }])), timeout, `reading share ${label}`)).get(shareNumber)?.[0];
      } catch (error) {
        corrupt.push(`share ${label}: reading it failed: ${(error as Error).message}`);
        return undefined;
      }
      try {
        checkMutableShare(fingerprint, { shareNumber, bytes: bytes ?? new Uint8Array(0), label });
        return share;
      } catch (error) {
        if (!(error instanceof BadMutableShareError)) throw error;
        corrupt.push(error.message);
        adviseCorrupt(server, servermap.storageIndex, shareNumber, error);
        return undefined;
      }
    }),
  );
  return checked.filter((share): share is VersionedShare => share !== undefined);
}

/** Renews (or adds) this node's lease on the shares of every server that holds any. */
async function addLeases(servermap: Servermap, options: MutableCheckOptions): Promise<void> {
  const holders = new Map<string, GridServer>();
  for (const share of [...servermap.shares, ...servermap.badShares]) holders.set(share.server.id, share.server);
  await Promise.all(
    [...holders.values()].map(async (server) => {
      const secrets = deriveBucketLeaseSecrets(options.leaseSecret, servermap.storageIndex, server.leaseSeed);
      await server.api.addLease(servermap.storageIndex, secrets.renew, secrets.cancel).catch(() => undefined);
    }),
  );
}
