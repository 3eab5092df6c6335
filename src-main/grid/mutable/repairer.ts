import { mutableStorageIndexOf, type MutableWriteCap } from '../../../src-shared/caps/index.js';
import { equalBytes } from '../../core/bytes.js';
import { compareVersions, encodeMutableVersion, recoverWriterKeysFromAny } from '../../core/mutable/index.js';
import type { GridServer } from '../grid-server.js';
import { permuteServers } from '../placement/permuted-ring.js';
import { publishMutable } from './publish.js';
import { retrieveMutable } from './retrieve.js';
import { allLocations, versionsOf } from './servermap.js';
import { writeVersion } from './version-writer.js';
import { queryTimeoutOf } from './deadline.js';

export interface MutableRepairOptions {
  readonly servers: readonly GridServer[];
  readonly happy: number;
  readonly leaseSecret: Uint8Array;
  readonly queryTimeoutMs?: number;
}

/**
 * Writes the newest recoverable version of a mutable file again, so that every share
 * number is on the grid, spread to happiness, and no share of another version (or a
 * corrupt one) is left where the servermap saw it. Returns what it did, in words.
 *
 * The version keeps its seqnum: from the same keys, plaintext, salt, k and N the encoder
 * makes byte-identical shares (Ed25519 signatures are deterministic), so the shares that
 * were fine are rewritten unchanged and the file's version tag (ETag) stays the same. Only
 * when a newer version is on the grid that cannot be read (too few shares) is the readable
 * one published as seqnum+1, as Tahoe always does: writing an older seqnum over newer
 * shares would leave readers choosing between them.
 */
export async function repairMutable(cap: MutableWriteCap, options: MutableRepairOptions): Promise<string> {
  const current = await retrieveMutable(cap, options);
  const { info, plaintext, servermap } = current;
  const keys = recoverWriterKeysFromAny(cap, current.shares);
  const storageIndex = mutableStorageIndexOf(cap);
  const newer = versionsOf(servermap).filter((version) => compareVersions(version.info, info) > 0);
  if (newer.length > 0) {
    const published = await publishMutable(cap, plaintext, {
      servers: options.servers,
      encoding: { needed: info.neededShares, total: info.totalShares, happy: options.happy },
      leaseSecret: options.leaseSecret,
      servermap,
      keys,
      ...queryTimeoutOf(options),
    });
    return `published version ${info.seqnum} again as version ${published.info.seqnum} (a newer version ${newer[0]!.info.seqnum} had too few shares to read); happiness ${published.happiness}`;
  }
  const version = encodeMutableVersion({ keys, seqnum: info.seqnum, plaintext, neededShares: info.neededShares, totalShares: info.totalShares, salt: info.salt });
  if (!equalBytes(version.info.signedPrefix, info.signedPrefix)) {
    throw new Error('repair re-encoded the version differently from the shares on the grid; nothing was written');
  }
  const written = await writeVersion({
    storageIndex,
    writekey: keys.writekey,
    version,
    servers: permuteServers(storageIndex, servermap.respondingServers),
    existing: allLocations(servermap),
    happy: options.happy,
    leaseSecret: options.leaseSecret,
    ...queryTimeoutOf(options),
  });
  const shares = [...written.placement.values()].reduce((sum, set) => sum + set.size, 0);
  return `wrote version ${info.seqnum} again (same seqnum and root hash): ${shares} shares on ${written.placement.size} servers; happiness ${written.happiness}`;
}
