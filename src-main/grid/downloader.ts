import { storageIndexOfKey, type FileCap } from '../../src-shared/caps/index.js';
import { checkByteRange, decodeChk, type ByteRange } from '../core/immutable/decoder.js';
import type { BadShareError } from '../core/immutable/errors.js';
import type { ShareSource } from '../core/immutable/share-source.js';
import { NotEnoughSharesFoundError } from './errors.js';
import type { GridServer } from './grid-server.js';
import { permuteServers } from './placement/permuted-ring.js';

export interface DownloadOptions {
  /** the storage servers connected now */
  readonly servers: readonly GridServer[];
  /** how long a server may take to say which shares it holds (default 15 s) */
  readonly queryTimeoutMs?: number;
  /** told of each share rejected as corrupt (after its server has been sent an advisory) */
  readonly onBadShare?: (error: BadShareError, server: GridServer) => void;
  /** only these bytes of the file, [start, end) */
  readonly range?: ByteRange;
}

interface LocatedShare {
  readonly server: GridServer;
  readonly source: ShareSource;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A file this small per needed share has shares of at most about SHARE_PREFETCH_BYTES (its
 * blocks plus about 1 KiB of hashes and UEB): servers send each whole share with the list, so
 * the download takes one round trip. The bytes of unused shares cost less than a round trip.
 */
const SHARE_PREFETCH_BYTES = 16 * 1024;
const PREFETCH_BYTES_PER_NEEDED_SHARE = 8 * 1024;

/** Asks every server (in ring order) which shares it holds; one source per share number. */
async function locateShares(storageIndex: Uint8Array, options: DownloadOptions, prefetchBytes: number): Promise<Map<number, LocatedShare>> {
  const servers = permuteServers(storageIndex, options.servers);
  const hints = prefetchBytes > 0 ? { prefetchBytes } : {};
  const answers = await Promise.all(
    servers.map((server) => withTimeout(server.api.getBuckets(storageIndex, hints).catch(() => undefined), options.queryTimeoutMs ?? 15_000)),
  );
  const located = new Map<number, LocatedShare>();
  answers.forEach((readers, i) => {
    const server = servers[i]!;
    for (const [shareNumber, reader] of readers ?? []) {
      if (located.has(shareNumber)) continue;
      const source: ShareSource = {
        label: `${shareNumber} on ${server.nickname} (${server.id.slice(-8)})`,
        claimedShareNumber: shareNumber,
        read: (offset, length) => reader.read(offset, length),
      };
      located.set(shareNumber, { server, source });
    }
  });
  return located;
}

/**
 * Downloads and verifies a file, segment by segment: the consumer pulls, so memory stays
 * bounded whatever the file size. Primary shares are preferred; a corrupt share is reported
 * to its server (an advisory) and replaced by another.
 */
export async function* downloadImmutable(cap: FileCap, options: DownloadOptions): AsyncGenerator<Uint8Array> {
  if (cap.kind === 'lit') {
    const { start, end } = options.range === undefined ? { start: 0, end: cap.data.length } : checkByteRange(options.range, cap.data.length);
    if (end > start) yield cap.data.subarray(start, end);
    return;
  }
  if (cap.kind !== 'chk') throw new Error('a verify cap cannot read a file: give its read cap (URI:CHK:…)');
  const storageIndex = storageIndexOfKey(cap.key);
  const small = cap.size <= PREFETCH_BYTES_PER_NEEDED_SHARE * cap.neededShares;
  const located = await locateShares(storageIndex, options, small ? SHARE_PREFETCH_BYTES : 0);
  if (located.size < cap.neededShares) {
    throw new NotEnoughSharesFoundError(
      `found ${located.size} of the ${cap.neededShares} shares needed to rebuild the file, on ${options.servers.length} connected storage server${options.servers.length === 1 ? '' : 's'}`,
    );
  }
  const bySource = new Map([...located.values()].map((l) => [l.source.label, l]));
  yield* decodeChk(
    cap,
    [...located.values()].map((l) => l.source),
    {
      ...(options.range === undefined ? {} : { range: options.range }),
      onBadShare: (error) => {
        const share = bySource.get(error.share);
        if (share === undefined) return;
        if (error.problem !== 'read-failed' && error.problem !== 'duplicate') {
          const shareNumber = share.source.claimedShareNumber!;
          share.server.api.adviseCorruptShare('immutable', storageIndex, shareNumber, error.message).catch(() => undefined);
        }
        options.onBadShare?.(error, share.server);
      },
    },
  );
}
