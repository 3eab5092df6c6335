import { storageIndexOfKey, type ChkReadCap, type ChkVerifyCap } from '../../src-shared/caps/index.js';
import { readVerifiedUriExtension, verifyChkShare } from '../core/immutable/decoder.js';
import type { ShareSource } from '../core/immutable/share-source.js';
import type { UriExtension } from '../core/immutable/uri-extension.js';
import { BadShareError } from '../core/immutable/errors.js';
import { deriveBucketLeaseSecrets } from '../core/lease-secrets.js';
import { downloadImmutable } from './downloader.js';
import { corruptNote, healthState, serverLabel, serverSharesOf, type FileHealth } from './file-health.js';
import type { GridServer } from './grid-server.js';
import { happiness } from './placement/happiness.js';
import { uploadImmutable, type UploadEncoding } from './uploader.js';
import { withoutBadShares, type BadSharesByServer } from './without-bad-shares.js';

export interface CheckOptions {
  readonly servers: readonly GridServer[];
  readonly encoding: UploadEncoding;
  readonly leaseSecret: Uint8Array;
  /** download and hash-check every share (not only count them) */
  readonly verify?: boolean;
  /** regenerate missing and corrupt shares onto servers that lack them when the file is not healthy */
  readonly repair?: boolean;
  /** renew this node's lease on every share found */
  readonly addLease?: boolean;
  readonly queryTimeoutMs?: number;
}

/** An immutable file's health (the shape every check reports). */
export type ImmutableHealth = FileHealth;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Survey extends ImmutableHealth {
  /** the shares counted as good, to read the file's parameters from */
  readonly samples: readonly ShareSource[];
  /** shares that failed verification, by server */
  readonly badShares: BadSharesByServer;
}

async function survey(cap: ChkReadCap | ChkVerifyCap, options: CheckOptions): Promise<Survey> {
  const storageIndex = cap.kind === 'chk' ? storageIndexOfKey(cap.key) : cap.storageIndex;
  const labels = new Map(options.servers.map((server) => [server.id, serverLabel(server)]));
  const placement = new Map<string, Set<number>>();
  const samples: ShareSource[] = [];
  const corrupt: string[] = [];
  const badShares = new Map<string, Set<number>>();
  await Promise.all(
    options.servers.map(async (server) => {
      const readers = await withTimeout(server.api.getBuckets(storageIndex).catch(() => undefined), options.queryTimeoutMs ?? 15_000);
      const good = new Set<number>();
      for (const [shareNumber, reader] of readers ?? []) {
        const source: ShareSource = {
          label: `${shareNumber} on ${server.nickname} (${server.id.slice(-8)})`,
          claimedShareNumber: shareNumber,
          read: (offset, length) => reader.read(offset, length),
        };
        if (options.verify) {
          try {
            await verifyChkShare(cap, source);
          } catch (error) {
            if (!(error instanceof BadShareError)) throw error;
            corrupt.push(error.message);
            badShares.set(server.id, (badShares.get(server.id) ?? new Set()).add(shareNumber));
            if (error.problem !== 'read-failed') await server.api.adviseCorruptShare('immutable', storageIndex, shareNumber, error.message).catch(() => undefined);
            continue;
          }
        }
        good.add(shareNumber);
        samples.push(source);
      }
      if (good.size > 0) placement.set(server.id, good);
      if (good.size > 0 && options.addLease) {
        const secrets = deriveBucketLeaseSecrets(options.leaseSecret, storageIndex, server.leaseSeed);
        await server.api.addLease(storageIndex, secrets.renew, secrets.cancel).catch(() => undefined);
      }
    }),
  );
  const found = new Set([...placement.values()].flatMap((s) => [...s]));
  const reached = happiness(placement);
  const happy = Math.min(options.encoding.happy, cap.totalShares);
  const recoverable = found.size >= cap.neededShares;
  const healthy = found.size === cap.totalShares && reached >= happy;
  const state = healthState({ healthy, recoverable });
  return {
    healthy,
    recoverable,
    sharesNeeded: cap.neededShares,
    sharesTotal: cap.totalShares,
    sharesFound: found.size,
    serversWithShares: placement.size,
    happiness: reached,
    happy,
    corruptShares: corrupt,
    servers: serverSharesOf(placement, labels),
    samples,
    badShares,
    summary: `${state}: ${found.size} of ${cap.totalShares} shares found on ${placement.size} servers (${cap.neededShares} needed); happiness ${reached} of ${happy}${corruptNote(corrupt)}`,
  };
}

/**
 * Checks an immutable file's health: which shares exist where (and, with verify, whether
 * every byte of them is right). With repair, a file that is recoverable but not healthy is
 * rebuilt from K good shares and its missing shares are uploaded to servers that lack them
 * (the same key gives the same shares, so existing ones are reused). A share found corrupt
 * counts as missing: it is regenerated on another server, never read, and never counted.
 */
export async function checkImmutable(cap: ChkReadCap | ChkVerifyCap, options: CheckOptions): Promise<ImmutableHealth> {
  const { samples, badShares, ...before } = await survey(cap, options);
  if (!options.repair) return before;
  if (before.healthy) return { ...before, repair: 'nothing to do: the file is healthy' };
  if (!before.recoverable) return { ...before, repair: 'not possible: fewer than the needed shares are left' };
  // The same key and segment size re-create exactly the same shares.
  const ueb = await firstUriExtension(cap, samples);
  const { key, storageIndex } = reencodingKeyOf(cap);
  const stored: ChkReadCap = { kind: 'chk', key, uebHash: cap.uebHash, neededShares: cap.neededShares, totalShares: cap.totalShares, size: cap.size };
  const encoding = { needed: cap.neededShares, total: cap.totalShares, happy: before.happy };
  const servers = withoutBadShares(options.servers, badShares);
  const result = await uploadImmutable(
    { size: cap.size, open: () => downloadImmutable(stored, { servers, storageIndex }) },
    { servers, encoding, leaseSecret: options.leaseSecret, key, storageIndex, maxSegmentSize: ueb.segmentSize },
  );
  if (result.cap.kind !== 'chk' || !Buffer.from(result.cap.uebHash).equals(Buffer.from(cap.uebHash))) {
    throw new Error('repair re-encoded the file differently from its cap; nothing was changed that the cap depends on');
  }
  const { samples: _, badShares: __, ...after } = await survey(cap, { ...options, servers, verify: false });
  return { ...after, corruptShares: before.corruptShares, repaired: true, repair: 'regenerated the missing shares', summary: `repaired; now ${after.summary}` };
}

/**
 * The key a repair decrypts and re-encrypts with: the file's own, or, from a verify cap
 * (which has none), a stand-in. AES-CTR XORs the same keystream both ways, so downloading
 * with the stand-in and uploading with it hands the encoder the file's own ciphertext:
 * the shares, and the UEB hash the cap checks, come out the same (as Tahoe's repairer,
 * which re-encodes ciphertext, needs no key either). From a verify cap the plaintext is never seen.
 */
function reencodingKeyOf(cap: ChkReadCap | ChkVerifyCap): { key: Uint8Array; storageIndex: Uint8Array } {
  if (cap.kind === 'chk') return { key: cap.key, storageIndex: storageIndexOfKey(cap.key) };
  return { key: new Uint8Array(16), storageIndex: cap.storageIndex };
}

async function firstUriExtension(cap: ChkReadCap | ChkVerifyCap, samples: readonly ShareSource[]): Promise<UriExtension> {
  for (const source of samples) {
    try {
      return await readVerifiedUriExtension(cap, source);
    } catch (error) {
      if (!(error instanceof BadShareError)) throw error;
    }
  }
  throw new Error('no share holds an intact URI extension block');
}
