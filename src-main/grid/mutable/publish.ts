import type { MutableWriteCap } from '../../../src-shared/caps/index.js';
import {
  encodeMutableVersion,
  generateWriterKeys,
  recoverWriterKeysFromAny,
  writeCapOfKeys,
  type MutableVersionInfo,
  type MutableWriterKeys,
} from '../../core/mutable/index.js';
import { mutableStorageIndexOf } from '../../../src-shared/caps/index.js';
import { NotEnoughSharesFoundError } from '../errors.js';
import type { GridServer } from '../grid-server.js';
import { permuteServers, uploadCandidates } from '../placement/permuted-ring.js';
import type { UploadEncoding } from '../uploader.js';
import { retrieveMutable } from './retrieve.js';
import { allLocations, highestSeqnum, recoverableVersions, updateServermap, versionsOf, type Servermap } from './servermap.js';
import { writeVersion } from './version-writer.js';
import { queryTimeoutOf } from './deadline.js';

export interface MutablePublishOptions {
  /** the storage servers connected now */
  readonly servers: readonly GridServer[];
  /** k and N of a new file (an update keeps the file's own), and the happiness every publish needs */
  readonly encoding: UploadEncoding;
  /** the node's 32-byte lease secret */
  readonly leaseSecret: Uint8Array;
  /** how long a server may take to answer (default 15 s) */
  readonly queryTimeoutMs?: number;
}

export interface PublishedVersion {
  readonly info: MutableVersionInfo;
  /** share numbers each server now holds of this version */
  readonly placement: ReadonlyMap<string, ReadonlySet<number>>;
  readonly happiness: number;
}

export interface UpdateOptions extends MutablePublishOptions {
  /** the servermap the new contents were based on; default: a fresh one */
  readonly servermap?: Servermap;
  /** the file's keys, when known (else recovered from a share) */
  readonly keys?: MutableWriterKeys;
}

/**
 * A new mutable file holding `plaintext`: new keys (or `options.keys`, for a file whose
 * cap was handed out before its first publish), seqnum 1, N shares placed so that the
 * grid's happiness holds, each written "must not exist".
 */
export async function createMutable(
  plaintext: Uint8Array,
  options: MutablePublishOptions & { readonly keys?: MutableWriterKeys },
): Promise<PublishedVersion & { readonly cap: MutableWriteCap }> {
  const keys = options.keys ?? generateWriterKeys();
  const { needed, total, happy } = options.encoding;
  const version = encodeMutableVersion({ keys, seqnum: 1, plaintext, neededShares: needed, totalShares: total });
  const servers = uploadCandidates(permuteServers(keys.storageIndex, options.servers), total);
  const written = await writeVersion({ storageIndex: keys.storageIndex, writekey: keys.writekey, version, servers, existing: [], happy, leaseSecret: options.leaseSecret, ...queryTimeoutOf(options) });
  return { cap: writeCapOfKeys(keys), info: version.info, ...written };
}

/**
 * Replaces the contents of a mutable file: seqnum one more than the highest seen, the
 * file's own k and N, every share seen rewritten where it is (tested against what was
 * seen there), missing shares placed anew. Throws MutableConflictError if another writer
 * changed the file since the servermap was made.
 */
export async function publishMutable(cap: MutableWriteCap, plaintext: Uint8Array, options: UpdateOptions): Promise<PublishedVersion> {
  const storageIndex = mutableStorageIndexOf(cap);
  const servermap = options.servermap ?? (await updateServermap(storageIndex, cap.fingerprint, options));
  const latest = versionsOf(servermap)[0];
  if (latest === undefined) {
    throw new NotEnoughSharesFoundError(`no share of this mutable file was found on the ${servermap.respondingServers.length} storage servers that answered: nothing to update`);
  }
  const keys = options.keys ?? recoverWriterKeysFromAny(cap, (await retrieveMutable(cap, { ...options, servermap })).shares);
  const { neededShares, totalShares } = (recoverableVersions(servermap)[0] ?? latest).info;
  const version = encodeMutableVersion({ keys, seqnum: highestSeqnum(servermap) + 1, plaintext, neededShares, totalShares });
  const servers = permuteServers(storageIndex, servermap.respondingServers);
  const written = await writeVersion({
    storageIndex,
    writekey: keys.writekey,
    version,
    servers,
    existing: allLocations(servermap),
    happy: options.encoding.happy,
    leaseSecret: options.leaseSecret,
    ...queryTimeoutOf(options),
  });
  return { info: version.info, ...written };
}
