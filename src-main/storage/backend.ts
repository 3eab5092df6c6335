import { readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkByteCount } from './arguments.js';
import { BucketReader } from './bucket-reader.js';
import { BucketWriter } from './bucket-writer.js';
import { advisoryFileName, advisoryText, checkShareType, type ShareType } from './corruption-advisory.js';
import { alreadyExists, ensureDirectory, isMissing, removeIfEmpty, syncDirectory } from './directories.js';
import { BadArgumentError, BadContainerError, NoSpaceError, NoSuchLeaseError } from './errors.js';
import { CURRENT_CONTAINER_VERSION, secretStorageOf } from './immutable-container.js';
import {
  ADD_LEASE_OWNER,
  ALLOCATE_LEASE_OWNER,
  checkLeaseSecret,
  newLease,
  renewed,
  secretMatches,
  storedSecret,
  type LeaseRecord,
} from './lease-record.js';
import { KeyedLock } from './keyed-lock.js';
import { readLeasedShare, type LeasedShare } from './leased-share.js';
import { NODE_ID_SIZE } from './mutable-container.js';
import { containerKindOf } from './mutable-share-file.js';
import { MutableSlots, type MutableWriteSecrets, type TestAndWriteResult } from './mutable-slots.js';
import type { ReadVector, ShareWrite } from './mutable-vectors.js';
import { readShareDataLength } from './share-file.js';
import {
  MAX_SHARE_NUMBER,
  ShareTree,
  checkShareNumber,
  checkStorageIndex,
  shareNumberFromFileName,
  storageIndexFromBase32,
  storageIndexToBase32,
  type ShareNumber,
  type StorageIndex,
} from './storage-index.js';

export interface StorageBackendOptions {
  /** the storage directory (Tahoe's NODEDIR/storage); holds shares/ and corruption-advisories/ */
  readonly dir: string;
  /** bytes of free disk space never promised to uploads */
  readonly reservedSpace: number;
  /** the clock, in Unix seconds; lease times and idle uploads go by it */
  readonly now?: () => number;
  /** the largest share (bytes of share data) accepted; default: only free space limits it */
  readonly maxShareSize?: number;
  /** serve reads and renew existing leases, but accept no new shares or leases */
  readonly readOnly?: boolean;
  /** what version() reports, e.g. "cairn/0.1.0" */
  readonly applicationVersion?: string;
  /** told about share files that cannot be parsed (they are skipped, never deleted) */
  readonly onWarning?: (message: string) => void;
  /**
   * this server's 20-byte node id (its lease seed, leaseSeedOfPeer), recorded in mutable
   * shares with their write enabler and leases; default 20 zero bytes
   */
  readonly nodeId?: Uint8Array;
}

export interface StorageVersion {
  /** what a client may allocate now: available space, capped by maxShareSize */
  readonly maximumImmutableShareSize: number;
  readonly availableSpace: number;
  readonly applicationVersion: string;
}

/** Why some requested shares got no writer; one reason covers them all. */
export type AllocationRefusal = 'read-only' | 'share-too-large' | 'server-full';

/** What putShares did with each share asked for. */
export interface SharePut {
  /** every share this server holds for the storage index (before the put), not only those asked for */
  readonly alreadyHave: ShareNumber[];
  /** shares written and closed: final now */
  readonly written: ShareNumber[];
  /** shares asked for that are neither held, in progress, nor written */
  readonly refused: ShareNumber[];
  readonly refusedBecause: AllocationRefusal | undefined;
}

/** What a client would like with a share list. A backend on this node ignores them. */
export interface ShareListHints {
  /** send each share's first bytes with the list (a small file then needs no further read) */
  readonly prefetchBytes?: number;
}

export interface Allocation {
  /** every share this server holds for the storage index, not only those asked for */
  readonly alreadyHave: ShareNumber[];
  /** keyed by share number (plain numbers, for callers' convenience) */
  readonly writers: Map<number, BucketWriter>;
  /** shares asked for that are neither held, in progress, nor given a writer */
  readonly refused: ShareNumber[];
  readonly refusedBecause: AllocationRefusal | undefined;
}

export interface LeaseExpiry {
  readonly sharesExamined: number;
  readonly leasesExamined: number;
  /** leases that `isExpired` picked (removed unless dryRun) */
  readonly leasesExpired: number;
  /** shares left without a lease (deleted unless dryRun) */
  readonly sharesExpired: number;
  readonly bucketRemoved: boolean;
  /** share files whose container could not be parsed; left alone */
  readonly unreadableShares: number;
}

export interface StorageStats {
  readonly storageIndexes: number;
  readonly shares: number;
  /** bytes in final share files (containers included) */
  readonly bytesUsed: number;
  readonly openWriters: number;
  /** disk space held back for open uploads */
  readonly promisedBytes: number;
}

/** At most this many share numbers per allocate call (Tahoe's MAX_BUCKETS). */
export const MAX_SHARES_PER_ALLOCATION = MAX_SHARE_NUMBER + 1;
const DEFAULT_APPLICATION_VERSION = 'cairn';

/**
 * The storage server's immutable-share backend: Tahoe's on-disk layout and
 * allocate/read/lease semantics (storage-protocol.md §1, §5), independent of the wire.
 */
export class StorageBackend {
  readonly dir: string;
  /** the clock (Unix seconds) this backend stamps leases with; the lease crawler shares it */
  readonly now: () => number;
  readonly #tree: ShareTree;
  #reservedSpace: number;
  readonly #maxShareSize: number;
  readonly #readOnly: boolean;
  readonly #applicationVersion: string;
  readonly #warn: (message: string) => void;
  readonly #lock = new KeyedLock();
  /** open uploads by `<b32 SI>/<shnum>` */
  readonly #writers = new Map<string, BucketWriter>();
  readonly #nodeId: Uint8Array;
  readonly #mutable: MutableSlots;

  private constructor(options: StorageBackendOptions) {
    this.dir = options.dir;
    this.#tree = new ShareTree(options.dir);
    this.#reservedSpace = checkByteCount(options.reservedSpace, 'reserved space');
    this.now = options.now ?? (() => Date.now() / 1000);
    this.#maxShareSize = checkByteCount(options.maxShareSize ?? Number.MAX_SAFE_INTEGER, 'maximum share size');
    this.#readOnly = options.readOnly ?? false;
    this.#applicationVersion = options.applicationVersion ?? DEFAULT_APPLICATION_VERSION;
    this.#warn = options.onWarning ?? (() => undefined);
    this.#nodeId = Uint8Array.from(options.nodeId ?? new Uint8Array(NODE_ID_SIZE));
    if (this.#nodeId.length !== NODE_ID_SIZE) throw new BadArgumentError(`a node id is ${NODE_ID_SIZE} bytes, got ${this.#nodeId.length}`);
    this.#mutable = new MutableSlots({
      tree: this.#tree,
      nodeId: this.#nodeId,
      maxShareSize: this.#maxShareSize,
      now: this.now,
      lock: (si, task) => this.#lock.run(storageIndexToBase32(si), task),
      listShares: (si) => this.#listShares(si),
      availableSpace: () => this.#availableSpace(),
    });
  }

  /** Opens (creating if needed) a storage directory and deletes uploads a previous run left. */
  static async open(options: StorageBackendOptions): Promise<StorageBackend> {
    const backend = new StorageBackend(options);
    await ensureDirectory(backend.#tree.sharesDir);
    await rm(backend.#tree.incomingDir, { recursive: true, force: true });
    return backend;
  }

  /** Changes the bytes of free disk never promised to uploads; takes effect for the next write. */
  setReservedSpace(bytes: number): void {
    this.#reservedSpace = checkByteCount(bytes, 'reserved space');
  }

  async version(): Promise<StorageVersion> {
    await this.sweepIdleWriters();
    const availableSpace = await this.#availableSpace();
    return {
      maximumImmutableShareSize: Math.min(availableSpace, this.#maxShareSize),
      availableSpace,
      applicationVersion: this.#applicationVersion,
    };
  }

  /**
   * Leases every share already held, and opens a writer for each requested share that is
   * neither held nor being uploaded, while space lasts.
   */
  async allocateBuckets(
    storageIndex: Uint8Array,
    renewSecret: Uint8Array,
    cancelSecret: Uint8Array,
    shareNumbers: Iterable<number>,
    allocatedSize: number,
  ): Promise<Allocation> {
    const si = checkStorageIndex(storageIndex);
    checkLeaseSecret(renewSecret, 'renew secret');
    checkLeaseSecret(cancelSecret, 'cancel secret');
    checkByteCount(allocatedSize, 'allocated size');
    const wanted = checkShareNumbers(shareNumbers);
    await this.sweepIdleWriters();
    const siText = storageIndexToBase32(si);
    return this.#lock.run(siText, async () => {
      const now = this.now();
      const held = await this.#listShares(si);
      let space = await this.#availableSpace();
      for (const shnum of held) {
        const state = await this.#readState(si, shnum);
        if (state === undefined) continue;
        try {
          space -= await addOrRenewLease(state, renewSecret, cancelSecret, ALLOCATE_LEASE_OWNER, space, now);
        } catch (error) {
          // The share is still held: report it, so the client places nothing new here.
          if (!(error instanceof NoSpaceError)) throw error;
        }
      }

      const writers = new Map<number, BucketWriter>();
      const refused: ShareNumber[] = [];
      let refusedBecause: AllocationRefusal | undefined;
      const staticRefusal = this.#readOnly ? 'read-only' : allocatedSize > this.#maxShareSize ? 'share-too-large' : undefined;
      const storage = secretStorageOf(CURRENT_CONTAINER_VERSION);
      for (const shnum of wanted) {
        if (held.includes(shnum) || this.#writers.has(`${siText}/${shnum}`)) continue;
        const refusal = staticRefusal ?? (allocatedSize > space ? 'server-full' : undefined);
        if (refusal !== undefined) {
          refused.push(shnum);
          refusedBecause = refusal;
          continue;
        }
        const writer = await BucketWriter.create({
          storageIndex: si,
          shareNumber: shnum,
          allocatedSize,
          incomingPath: this.#tree.incomingSharePath(si, shnum),
          finalPath: this.#tree.sharePath(si, shnum),
          lease: {
            ownerNumber: ALLOCATE_LEASE_OWNER,
            renewSecret: storedSecret(storage, renewSecret),
            cancelSecret: storedSecret(storage, cancelSecret),
          },
          now: this.now,
          lockBucket: (task) => this.#lock.run(siText, task),
          finished: (done) => {
            if (this.#writers.get(`${siText}/${shnum}`) === done) this.#writers.delete(`${siText}/${shnum}`);
          },
        });
        if (writer === undefined) continue; // an incoming file we do not own: treat as in progress
        this.#writers.set(`${siText}/${shnum}`, writer);
        writers.set(shnum, writer);
        space -= writer.promisedBytes;
      }
      return { alreadyHave: held, writers, refused, refusedBecause };
    });
  }

  /**
   * allocateBuckets, then each allocated share written whole and closed: a small file's
   * shares in one call. `written` are final when this resolves; if any write or close
   * fails, every share not yet closed is aborted and the error is thrown.
   */
  async putShares(
    storageIndex: Uint8Array,
    renewSecret: Uint8Array,
    cancelSecret: Uint8Array,
    shares: ReadonlyMap<number, Uint8Array>,
  ): Promise<SharePut> {
    const sizes = new Set([...shares.values()].map((share) => share.length));
    if (sizes.size > 1) throw new BadArgumentError('the shares of one put must all be the same size');
    const shareSize = sizes.values().next().value ?? 0;
    const allocation = await this.allocateBuckets(storageIndex, renewSecret, cancelSecret, shares.keys(), shareSize);
    const open = new Map(allocation.writers);
    try {
      await Promise.all(
        [...allocation.writers].map(async ([shnum, writer]) => {
          await writer.write(0, shares.get(shnum)!);
          await writer.close();
          open.delete(shnum);
        }),
      );
    } catch (error) {
      await Promise.all([...open.values()].map((writer) => writer.abort().catch(() => undefined)));
      throw error;
    }
    return {
      alreadyHave: allocation.alreadyHave,
      written: [...allocation.writers.keys()].sort((a, b) => a - b) as ShareNumber[],
      refused: allocation.refused,
      refusedBecause: allocation.refusedBecause,
    };
  }

  /** The final shares held for the storage index (`_hints` are for remote servers: reads here cost no round trip). */
  async getBuckets(storageIndex: Uint8Array, _hints?: ShareListHints): Promise<Map<number, BucketReader>> {
    const si = checkStorageIndex(storageIndex);
    return this.#lock.run(storageIndexToBase32(si), async () => {
      const readers = new Map<number, BucketReader>();
      for (const shnum of await this.#listShares(si)) {
        const path = this.#tree.sharePath(si, shnum);
        try {
          if ((await containerKindOf(path)) === 'mutable') continue;
          readers.set(shnum, new BucketReader(si, shnum, await readShareDataLength(path), path));
        } catch (error) {
          if (!this.#skippable(error, path)) throw error;
        }
      }
      return readers;
    });
  }

  /**
   * Tahoe's slot_readv: the read vectors applied to the listed mutable shares of the storage
   * index (every one held, for 'all'). Shares not held are left out of the result.
   */
  readMutableShares(storageIndex: Uint8Array, shareNumbers: readonly number[] | 'all', readVectors: readonly ReadVector[]): Promise<Map<number, Uint8Array[]>> {
    return this.#mutable.read(storageIndex, shareNumbers, readVectors);
  }

  /**
   * Tahoe's slot_testv_and_readv_and_writev. Under the storage index's lock: checks the write
   * enabler against every mutable share held (BadWriteEnablerError), evaluates every test
   * vector (a share not held reads as empty), reads the read vectors from every share held,
   * and only if all tests passed applies the writes: each written share replaced whole and
   * atomically, its lease added or renewed, `newLength: 0` deleting it. A failed test is not
   * an error: `success` is false and nothing changed. Growth must fit the available space
   * (NoSpaceError); no share may pass the mutable share size limit (DataTooLargeError).
   */
  testvAndReadvAndWritev(
    storageIndex: Uint8Array,
    secrets: MutableWriteSecrets,
    writes: ReadonlyMap<number, ShareWrite>,
    readVectors: readonly ReadVector[],
  ): Promise<TestAndWriteResult> {
    return this.#mutable.testAndWrite(storageIndex, secrets, writes, readVectors);
  }

  /**
   * Renews the lease with this renew secret on every share of the storage index, or adds one
   * (owner 1). Nothing happens if no share is held. Adding needs 72 bytes of space per share.
   */
  async addLease(storageIndex: Uint8Array, renewSecret: Uint8Array, cancelSecret: Uint8Array): Promise<void> {
    const si = checkStorageIndex(storageIndex);
    checkLeaseSecret(renewSecret, 'renew secret');
    checkLeaseSecret(cancelSecret, 'cancel secret');
    await this.#lock.run(storageIndexToBase32(si), async () => {
      const held = await this.#listShares(si);
      if (held.length === 0) return;
      const now = this.now();
      let space = await this.#availableSpace();
      for (const shnum of held) {
        const state = await this.#readState(si, shnum);
        if (state !== undefined) space -= await addOrRenewLease(state, renewSecret, cancelSecret, ADD_LEASE_OWNER, space, now);
      }
    });
  }

  /** Renews the leases with this renew secret; a NoSuchLeaseError if no share has one. */
  async renewLease(storageIndex: Uint8Array, renewSecret: Uint8Array): Promise<void> {
    const si = checkStorageIndex(storageIndex);
    checkLeaseSecret(renewSecret, 'renew secret');
    const siText = storageIndexToBase32(si);
    await this.#lock.run(siText, async () => {
      const now = this.now();
      let found = false;
      for (const shnum of await this.#listShares(si)) {
        const state = await this.#readState(si, shnum);
        if (state === undefined) continue;
        const matching = (lease: LeaseRecord) => secretMatches(state.secretStorage, lease.renewSecret, renewSecret);
        if (!state.leases.some(matching)) continue;
        found = true;
        await saveIfChanged(state, state.leases.map((lease) => (matching(lease) ? renewed(lease, now) : lease)));
      }
      if (!found) throw new NoSuchLeaseError(`no share of storage index ${siText} has a lease with that renew secret`);
    });
  }

  /**
   * Records a client's corruption report if the share exists. Returns whether a report was
   * written (not when the share is unknown or the disk is too full).
   */
  async adviseCorruptShare(shareType: ShareType, storageIndex: Uint8Array, shareNumber: number, reason: string | Uint8Array): Promise<boolean> {
    const type = checkShareType(shareType);
    const si = checkStorageIndex(storageIndex);
    const shnum = checkShareNumber(shareNumber);
    if (typeof reason !== 'string' && !(reason instanceof Uint8Array)) throw new BadArgumentError('a corruption reason is text or bytes');
    const siText = storageIndexToBase32(si);
    try {
      await stat(this.#tree.sharePath(si, shnum));
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    const text = new TextEncoder().encode(advisoryText(type, siText, shnum, reason));
    // Reports are kept even on a read-only server, but never eat into the reserved space.
    if ((await this.#freeDiskSpace()) - this.#reservedSpace < text.length) return false;
    const folder = join(this.dir, 'corruption-advisories');
    await ensureDirectory(folder);
    const name = advisoryFileName(this.now(), siText, shnum);
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(join(folder, attempt === 0 ? name : `${name}.${attempt}`), text, { flag: 'wx' });
        return true;
      } catch (error) {
        if (!alreadyExists(error) || attempt >= 100) throw error;
      }
    }
  }

  async stats(): Promise<StorageStats> {
    let storageIndexes = 0;
    let shares = 0;
    let bytesUsed = 0;
    for await (const si of this.storageIndexes()) {
      storageIndexes++;
      for (const shnum of await this.#listShares(si)) {
        try {
          bytesUsed += (await stat(this.#tree.sharePath(si, shnum))).size;
          shares++;
        } catch (error) {
          if (!isMissing(error)) throw error;
        }
      }
    }
    return { storageIndexes, shares, bytesUsed, openWriters: this.#writers.size, promisedBytes: this.#promisedBytes() };
  }

  /** Every storage index with a bucket directory, in directory-name order. */
  async *storageIndexes(): AsyncGenerator<StorageIndex> {
    for (const prefix of await listNames(this.#tree.sharesDir, /^[a-z2-7]{2}$/)) {
      for (const name of await listNames(join(this.#tree.sharesDir, prefix), /^[a-z2-7]{26}$/)) {
        if (!name.startsWith(prefix)) continue;
        try {
          yield storageIndexFromBase32(name);
        } catch {
          // a 26-character name that is not a storage index: not ours, leave it
        }
      }
    }
  }

  /**
   * Removes the leases `isExpired` picks on every share of the storage index, deletes the
   * shares left with none, and the bucket directory if it is then empty. With dryRun,
   * only counts. The lease crawler's primitive.
   */
  async expireLeases(storageIndex: Uint8Array, isExpired: (lease: LeaseRecord) => boolean, dryRun = false): Promise<LeaseExpiry> {
    const si = checkStorageIndex(storageIndex);
    return this.#lock.run(storageIndexToBase32(si), async () => {
      let sharesExamined = 0;
      let leasesExamined = 0;
      let leasesExpired = 0;
      let sharesExpired = 0;
      let unreadableShares = 0;
      for (const shnum of await this.#listShares(si)) {
        const state = await this.#readState(si, shnum);
        if (state === undefined) {
          unreadableShares++;
          continue;
        }
        sharesExamined++;
        leasesExamined += state.leases.length;
        const kept = state.leases.filter((lease) => !isExpired(lease));
        leasesExpired += state.leases.length - kept.length;
        if (kept.length === 0) sharesExpired++;
        if (dryRun || kept.length === state.leases.length) continue;
        if (kept.length === 0) await state.delete();
        else await state.writeLeases(kept);
      }
      let bucketRemoved = false;
      if (!dryRun && sharesExpired > 0) {
        const bucket = this.#tree.bucketDir(si);
        bucketRemoved = await removeIfEmpty(bucket);
        await syncDirectory(bucketRemoved ? join(bucket, '..') : bucket);
      }
      return { sharesExamined, leasesExamined, leasesExpired, sharesExpired, bucketRemoved, unreadableShares };
    });
  }

  /** Aborts uploads with no write for 30 minutes (by the injected clock); returns how many. */
  async sweepIdleWriters(): Promise<number> {
    const now = this.now();
    const idle = [...this.#writers.values()].filter((writer) => writer.isIdle(now));
    const aborted = await Promise.all(idle.map((writer) => writer.abortIfIdle()));
    return aborted.filter(Boolean).length;
  }

  /** Aborts every open upload (their partial files are deleted). */
  async close(): Promise<void> {
    await Promise.all([...this.#writers.values()].map((writer) => writer.abort()));
  }

  async #listShares(si: StorageIndex): Promise<ShareNumber[]> {
    const numbers: ShareNumber[] = [];
    let entries;
    try {
      entries = await readdir(this.#tree.bucketDir(si), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return numbers;
      throw error;
    }
    for (const entry of entries) {
      const shnum = entry.isFile() ? shareNumberFromFileName(entry.name) : undefined;
      if (shnum !== undefined) numbers.push(shnum);
    }
    return numbers.sort((a, b) => a - b);
  }

  /** A share's leases (either kind of share), or undefined (with a warning) if it cannot be parsed. */
  async #readState(si: StorageIndex, shnum: ShareNumber): Promise<LeasedShare | undefined> {
    const path = this.#tree.sharePath(si, shnum);
    try {
      return await readLeasedShare(path, { tempPath: this.#tree.mutableTempPath(si, shnum), nodeId: this.#nodeId });
    } catch (error) {
      if (this.#skippable(error, path)) return undefined;
      throw error;
    }
  }

  #skippable(error: unknown, path: string): boolean {
    if (isMissing(error)) return true;
    if (error instanceof BadContainerError) {
      this.#warn(`skipping share file ${path}: ${error.message}`);
      return true;
    }
    return false;
  }

  async #freeDiskSpace(): Promise<number> {
    const stats = await statfs(this.dir);
    return stats.bavail * stats.bsize;
  }

  /** Free space minus the reserve and what open uploads may still write; 0 when read-only. */
  async #availableSpace(): Promise<number> {
    if (this.#readOnly) return 0;
    return Math.max(0, (await this.#freeDiskSpace()) - this.#reservedSpace - this.#promisedBytes());
  }

  #promisedBytes(): number {
    let total = 0;
    for (const writer of this.#writers.values()) total += writer.promisedBytes;
    return total;
  }
}

function checkShareNumbers(values: Iterable<number>): ShareNumber[] {
  if (values === null || typeof values !== 'object' || !(Symbol.iterator in values)) {
    throw new BadArgumentError('share numbers must be a list');
  }
  const unique = new Set<ShareNumber>();
  let count = 0;
  for (const value of values) {
    if (++count > MAX_SHARES_PER_ALLOCATION) {
      throw new BadArgumentError(`at most ${MAX_SHARES_PER_ALLOCATION} share numbers per allocation`);
    }
    unique.add(checkShareNumber(value));
  }
  return [...unique].sort((a, b) => a - b);
}

/** Renews the matching lease, or adds one if `space` allows; returns the bytes the file grew. */
async function addOrRenewLease(
  state: LeasedShare,
  renewSecret: Uint8Array,
  cancelSecret: Uint8Array,
  ownerNumber: number,
  space: number,
  now: number,
): Promise<number> {
  const matching = (lease: LeaseRecord) => secretMatches(state.secretStorage, lease.renewSecret, renewSecret);
  if (state.leases.some(matching)) {
    await saveIfChanged(state, state.leases.map((lease) => (matching(lease) ? renewed(lease, now) : lease)));
    return 0;
  }
  if (space < state.bytesPerNewLease) {
    throw new NoSpaceError(`no space for another lease on ${state.path.split(/[\\/]/).slice(-2).join('/')}`);
  }
  await state.writeLeases([...state.leases, newLease(state.secretStorage, ownerNumber, renewSecret, cancelSecret, now)]);
  return state.bytesPerNewLease;
}

async function saveIfChanged(state: LeasedShare, leases: readonly LeaseRecord[]): Promise<void> {
  if (leases.some((lease, i) => lease !== state.leases[i])) await state.writeLeases(leases);
}

async function listNames(dir: string, pattern: RegExp): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && pattern.test(e.name)).map((e) => e.name).sort();
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}
