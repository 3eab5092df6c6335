import { storageIndexOfKey, type FileCap } from '../../src-shared/caps/index.js';
import { checkByteRange, decodeChk, type ByteRange } from '../core/immutable/decoder.js';
import { MAX_HEADER_SIZE } from '../core/immutable/share-layout.js';
import { NotEnoughSharesError, type BadShareError } from '../core/immutable/errors.js';
import type { ShareSource } from '../core/immutable/share-source.js';
import { NotEnoughSharesFoundError } from './errors.js';
import type { GridServer, ShareReader } from './grid-server.js';
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
  /** the storage index, when it is not the cap key's (repair from a verify cap, checker.ts) */
  readonly storageIndex?: Uint8Array;
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
/**
 * Once K shares are found, the download starts after this much longer, or when every server
 * has answered if that is sooner: a slow or frozen server does not hold up every download
 * (its shares stay spares, used if a share turns out bad).
 */
const STRAGGLER_GRACE_MS = 10;

/** Where the file's shares are: enough to start with, and every answer once all are in. */
interface ShareSearch {
  /** at least K shares, or every answer (then perhaps fewer) */
  readonly first: Map<number, LocatedShare>;
  /** every server's answer (or its timeout) */
  readonly all: Promise<Map<number, LocatedShare>>;
}

/** Asks every server (in ring order) which shares it holds; one source per share number. */
function locateShares(storageIndex: Uint8Array, options: DownloadOptions, neededShares: number, prefetchBytes: number): Promise<ShareSearch> {
  const servers = permuteServers(storageIndex, options.servers);
  const hints = prefetchBytes > 0 ? { prefetchBytes } : {};
  const answers: (ReadonlyMap<number, ShareReader> | undefined)[] = new Array(servers.length);
  // ring order decides which server's copy of a share is used, whatever order answers come in
  const locate = (): Map<number, LocatedShare> => {
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
  };
  return new Promise((resolve) => {
    let grace: NodeJS.Timeout | undefined;
    const all = Promise.all(
      servers.map(async (server, i) => {
        answers[i] = await withTimeout(server.api.getBuckets(storageIndex, hints).catch(() => undefined), options.queryTimeoutMs ?? 15_000);
        if (grace === undefined && locate().size >= neededShares) {
          grace = setTimeout(() => resolve({ first: locate(), all }), STRAGGLER_GRACE_MS);
        }
      }),
    ).then(locate);
    void all.then((located) => {
      clearTimeout(grace);
      resolve({ first: located, all });
    });
  });
}

/**
 * Downloads and verifies a file, segment by segment: the consumer pulls, so memory stays
 * bounded whatever the file size. Primary shares are preferred; a corrupt share is reported
 * to its server (an advisory) and replaced by another. The download starts once K shares are
 * found; if shares then fail and servers that answered later hold others, it goes on from
 * where it stopped with them.
 */
export async function* downloadImmutable(cap: FileCap, options: DownloadOptions): AsyncGenerator<Uint8Array> {
  if (cap.kind === 'lit') {
    const { start, end } = options.range === undefined ? { start: 0, end: cap.data.length } : checkByteRange(options.range, cap.data.length);
    if (end > start) yield cap.data.subarray(start, end);
    return;
  }
  if (cap.kind !== 'chk') throw new Error('a verify cap cannot read a file: give its read cap (URI:CHK:…)');
  const storageIndex = options.storageIndex ?? storageIndexOfKey(cap.key);
  const small = cap.size <= PREFETCH_BYTES_PER_NEEDED_SHARE * cap.neededShares;
  // a larger file's shares come with their headers, which saves a round trip in opening them
  const search = await locateShares(storageIndex, options, cap.neededShares, small ? SHARE_PREFETCH_BYTES : MAX_HEADER_SIZE);
  const range = options.range === undefined ? { start: 0, end: cap.size } : checkByteRange(options.range, cap.size);
  const bad = new Set<string>();
  let located = search.first;
  let position = range.start;
  for (let attempt = 0; ; attempt++) {
    const usable = [...located.values()].filter((l) => !bad.has(l.source.label));
    if (usable.length < cap.neededShares) {
      throw new NotEnoughSharesFoundError(
        `found ${usable.length} of the ${cap.neededShares} shares needed to rebuild the file` +
          (bad.size > 0 ? ` (${bad.size} more were corrupt)` : '') +
          `, on ${options.servers.length} connected storage server${options.servers.length === 1 ? '' : 's'}`,
      );
    }
    const bySource = new Map(usable.map((l) => [l.source.label, l]));
    try {
      for await (const chunk of decodeChk(
        cap,
        usable.map((l) => l.source),
        {
          range: { start: position, end: range.end },
          openShares: 'needed',
          onBadShare: (error) => {
            const share = bySource.get(error.share);
            if (share === undefined) return;
            bad.add(error.share);
            if (error.problem !== 'read-failed' && error.problem !== 'duplicate') {
              const shareNumber = share.source.claimedShareNumber!;
              share.server.api.adviseCorruptShare('immutable', storageIndex, shareNumber, error.message).catch(() => undefined);
            }
            options.onBadShare?.(error, share.server);
          },
        },
      )) {
        position += chunk.length;
        yield chunk;
      }
      return;
    } catch (error) {
      // shares ran out: the servers that answered after the start may hold more
      if (!(error instanceof NotEnoughSharesError) || attempt > 0) throw error;
      const all = await search.all;
      if (all.size === located.size) throw error;
      located = all;
    }
  }
}
