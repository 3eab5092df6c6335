import { timingSafeEqual } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { base32Encode } from '../../src-shared/base32.js';
import { MAX_MUTABLE_SHARE_SIZE } from '../core/mutable/share-layout.js';
import { ensureDirectory, isMissing, removeIfEmpty, syncDirectory } from './directories.js';
import { BadArgumentError, BadWriteEnablerError, NoSpaceError } from './errors.js';
import { checkLeaseSecret, newLease, renewed, secretMatches } from './lease-record.js';
import {
  CURRENT_MUTABLE_CONTAINER_VERSION,
  WRITE_ENABLER_SIZE,
  buildMutableContainer,
  mutableContainerSize,
  mutableSecretStorageOf,
  type MutableContainer,
  type MutableLeaseRecord,
} from './mutable-container.js';
import { containerKindOf, readMutableContainerFile, readMutableData, readMutableHeaderOf, replaceFileAtomically } from './mutable-share-file.js';
import { applyShareWrite, checkReadVectors, checkShareWrites, testPasses, type ReadVector, type ShareWrite } from './mutable-vectors.js';
import { checkShareNumber, checkStorageIndex, storageIndexToBase32, type ShareNumber, type ShareTree, type StorageIndex } from './storage-index.js';

/** The secrets of a mutable write: the per-server write enabler and the lease's pair. */
export interface MutableWriteSecrets {
  readonly writeEnabler: Uint8Array;
  readonly leaseRenew: Uint8Array;
  readonly leaseCancel: Uint8Array;
}

export interface TestAndWriteResult {
  /** false when a test failed; then nothing was written */
  readonly success: boolean;
  /** the read vectors applied to every mutable share held, before any write */
  readonly readData: Map<number, Uint8Array[]>;
}

/** What the backend lends the mutable-share operations. */
export interface MutableSlotsContext {
  readonly tree: ShareTree;
  /** this server's 20-byte node id (its lease seed), recorded with write enablers and leases */
  readonly nodeId: Uint8Array;
  /** the largest share data accepted (the backend's maxShareSize) */
  readonly maxShareSize: number;
  readonly now: () => number;
  readonly lock: <T>(si: StorageIndex, task: () => Promise<T>) => Promise<T>;
  readonly listShares: (si: StorageIndex) => Promise<ShareNumber[]>;
  readonly availableSpace: () => Promise<number>;
}

/** At most this many bytes are returned by one call's read vectors, over all shares. */
export const MAX_READ_BYTES_PER_CALL = 64 * 1024 * 1024;
/** Owner number of leases added by mutable writes (as Tahoe). */
const MUTABLE_WRITE_LEASE_OWNER = 1;
const EMPTY = new Uint8Array(0);

function sameSecret(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** One share's planned change: its new file bytes, or deletion. */
interface PlannedWrite {
  readonly shareNumber: ShareNumber;
  readonly bytes: Uint8Array | undefined;
  readonly growth: number;
}

/**
 * Tahoe's mutable slots (storage-protocol.md, mutable-and-dirnodes.md §5–6): reads, and the
 * test-and-set write. Each runs under the storage index's lock; a write checks the write
 * enabler of every share held and every test before it changes anything, and then replaces
 * each changed share file whole (temp file, fsync, rename), so a crash leaves every share
 * either as it was or as written, never torn.
 */
export class MutableSlots {
  readonly #context: MutableSlotsContext;

  constructor(context: MutableSlotsContext) {
    this.#context = context;
  }

  /** The largest share data a mutable write may make. */
  get maxDataSize(): number {
    return Math.min(this.#context.maxShareSize, MAX_MUTABLE_SHARE_SIZE);
  }

  /** Applies the read vectors to the listed mutable shares (all held when 'all'); shares not held are left out. */
  async read(storageIndex: Uint8Array, shareNumbers: readonly number[] | 'all', readVectors: readonly ReadVector[]): Promise<Map<number, Uint8Array[]>> {
    const si = checkStorageIndex(storageIndex);
    const wanted = shareNumbers === 'all' ? undefined : new Set(checkShareNumberList(shareNumbers));
    const ranges = checkReadVectors(readVectors);
    return this.#context.lock(si, async () => {
      const held = (await this.#mutableShares(si)).filter((shnum) => wanted === undefined || wanted.has(shnum));
      return this.#readAll(si, held, ranges);
    });
  }

  async testAndWrite(
    storageIndex: Uint8Array,
    secrets: MutableWriteSecrets,
    writes: ReadonlyMap<number, ShareWrite>,
    readVectors: readonly ReadVector[],
  ): Promise<TestAndWriteResult> {
    const si = checkStorageIndex(storageIndex);
    if (!(secrets.writeEnabler instanceof Uint8Array) || secrets.writeEnabler.length !== WRITE_ENABLER_SIZE) {
      throw new BadArgumentError(`a write enabler is ${WRITE_ENABLER_SIZE} bytes`);
    }
    checkLeaseSecret(secrets.leaseRenew, 'renew secret');
    checkLeaseSecret(secrets.leaseCancel, 'cancel secret');
    const checkedWrites = checkShareWrites(writes, this.maxDataSize);
    const ranges = checkReadVectors(readVectors);
    return this.#context.lock(si, async () => {
      const { tree } = this.#context;
      const held = await this.#context.listShares(si);
      const mutable: ShareNumber[] = [];
      const containers = new Map<ShareNumber, MutableContainer>();
      for (const shnum of held) {
        const path = tree.sharePath(si, shnum);
        if ((await containerKindOf(path)) === 'immutable') {
          if (checkedWrites.has(shnum)) throw new BadArgumentError(`share ${shnum} of storage index ${storageIndexToBase32(si)} is an immutable share`);
          continue;
        }
        mutable.push(shnum);
        const header = checkedWrites.has(shnum) ? await readMutableContainerFile(path) : await readMutableHeaderOf(path);
        if (!sameSecret(header.writeEnabler, secrets.writeEnabler)) {
          throw new BadWriteEnablerError(
            `the write enabler does not match share ${shnum} of storage index ${storageIndexToBase32(si)} (recorded by server ${base32Encode(header.writeEnablerNodeId)})`,
          );
        }
        if ('data' in header) containers.set(shnum, header);
      }

      const success = [...checkedWrites].every(([shnum, write]) => write.testVectors.every((test) => testPasses(containers.get(shnum)?.data ?? EMPTY, test)));
      const readData = await this.#readAll(si, mutable, ranges, containers);
      if (!success) return { success, readData };

      const plan = [...checkedWrites].flatMap(([shnum, write]) => this.#plan(shnum, containers.get(shnum), write, secrets));
      const growth = plan.reduce((sum, p) => sum + p.growth, 0);
      if (growth > 0 && growth > (await this.#context.availableSpace())) {
        throw new NoSpaceError(`no space for ${growth} more bytes of mutable shares of storage index ${storageIndexToBase32(si)}`);
      }
      await this.#apply(si, plan);
      return { success, readData };
    });
  }

  #plan(shareNumber: ShareNumber, old: MutableContainer | undefined, write: ShareWrite, secrets: MutableWriteSecrets): PlannedWrite[] {
    const oldSize = old === undefined ? 0 : mutableContainerSize(old.data.length, old.leases.length);
    if (old === undefined && (write.writeVectors.length === 0 || write.newLength === 0)) return []; // nothing to create
    const data = applyShareWrite(old?.data ?? EMPTY, write);
    if (data === undefined) return [{ shareNumber, bytes: undefined, growth: 0 }];
    const version = old?.version ?? CURRENT_MUTABLE_CONTAINER_VERSION;
    const container: MutableContainer = {
      version,
      writeEnablerNodeId: old?.writeEnablerNodeId ?? this.#context.nodeId,
      writeEnabler: old?.writeEnabler ?? secrets.writeEnabler,
      data,
      leases: this.#leasesAfterWrite(old?.leases ?? [], mutableSecretStorageOf(version), secrets),
    };
    const bytes = buildMutableContainer(container, this.#context.nodeId);
    return [{ shareNumber, bytes, growth: bytes.length - oldSize }];
  }

  /** A write renews the writer's lease on the share, or adds one. */
  #leasesAfterWrite(leases: readonly MutableLeaseRecord[], storage: 'cleartext' | 'blake2b', secrets: MutableWriteSecrets): MutableLeaseRecord[] {
    const now = this.#context.now();
    const matching = (lease: MutableLeaseRecord) => secretMatches(storage, lease.renewSecret, secrets.leaseRenew);
    if (leases.some(matching)) return leases.map((lease) => (matching(lease) ? renewed(lease, now) : lease));
    return [...leases, newLease(storage, MUTABLE_WRITE_LEASE_OWNER, secrets.leaseRenew, secrets.leaseCancel, now)];
  }

  async #apply(si: StorageIndex, plan: readonly PlannedWrite[]): Promise<void> {
    const { tree } = this.#context;
    const bucket = tree.bucketDir(si);
    if (plan.some((p) => p.bytes !== undefined)) {
      await ensureDirectory(bucket);
      await ensureDirectory(tree.mutableTempDir());
    }
    for (const { shareNumber, bytes } of plan) {
      if (bytes !== undefined) await replaceFileAtomically(tree.mutableTempPath(si, shareNumber), tree.sharePath(si, shareNumber), bytes);
    }
    const deleted = plan.filter((p) => p.bytes === undefined);
    for (const { shareNumber } of deleted) {
      await unlink(tree.sharePath(si, shareNumber)).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
    }
    if (deleted.length > 0) {
      const removed = await removeIfEmpty(bucket);
      await syncDirectory(removed ? dirname(bucket) : bucket);
    }
  }

  async #mutableShares(si: StorageIndex): Promise<ShareNumber[]> {
    const out: ShareNumber[] = [];
    for (const shnum of await this.#context.listShares(si)) {
      try {
        if ((await containerKindOf(this.#context.tree.sharePath(si, shnum))) === 'mutable') out.push(shnum);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    return out;
  }

  async #readAll(
    si: StorageIndex,
    shares: readonly ShareNumber[],
    ranges: readonly ReadVector[],
    loaded: ReadonlyMap<ShareNumber, MutableContainer> = new Map(),
  ): Promise<Map<number, Uint8Array[]>> {
    const out = new Map<number, Uint8Array[]>();
    let total = 0;
    for (const shnum of shares) {
      const container = loaded.get(shnum);
      const dataLength = container?.data.length ?? (await readMutableHeaderOf(this.#context.tree.sharePath(si, shnum)).catch(skipMissing))?.dataLength;
      if (dataLength === undefined) continue;
      total += ranges.reduce((sum, { offset, length }) => sum + Math.max(0, Math.min(dataLength, offset + length) - offset), 0);
      if (total > MAX_READ_BYTES_PER_CALL) throw new BadArgumentError(`the read vectors ask for more than ${MAX_READ_BYTES_PER_CALL} bytes in one call`);
      if (container !== undefined) {
        out.set(shnum, ranges.map(({ offset, length }) => container.data.slice(offset, offset + length)));
        continue;
      }
      const read = await readMutableData(this.#context.tree.sharePath(si, shnum), ranges).catch(skipMissing);
      if (read !== undefined) out.set(shnum, read);
    }
    return out;
  }
}

function skipMissing(error: unknown): undefined {
  if (isMissing(error)) return undefined;
  throw error;
}

function checkShareNumberList(values: readonly number[]): ShareNumber[] {
  if (!Array.isArray(values)) throw new BadArgumentError("share numbers must be a list or 'all'");
  return values.map((value) => checkShareNumber(value));
}
