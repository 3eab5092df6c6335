import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { concatBytes, equalBytes } from '../core/bytes.js';
import { BadArgumentError, BucketClosedError, ConflictingWriteError, DataTooLargeError } from './errors.js';
import {
  CONTAINER_HEADER_SIZE,
  CURRENT_CONTAINER_VERSION,
  LEASE_COUNT_OFFSET,
  SHARE_DATA_OFFSET,
  encodeContainerHeader,
  encodeLeaseCount,
  leaseOffset,
} from './immutable-container.js';
import { IMMUTABLE_LEASE_RECORD_SIZE, encodeImmutableLease, leaseExpiration, type LeaseRecord } from './lease-record.js';
import { readAt, writeAt, writeChunksAt } from './share-file.js';
import type { ShareNumber, StorageIndex } from './storage-index.js';
import { WrittenRanges } from './written-ranges.js';
import { alreadyExists, ensureDirectory, isMissing, removeIfEmpty, syncDirectory } from './directories.js';
import { checkByteCount } from './arguments.js';

/** An upload with no write for this long is aborted (Tahoe: 30 minutes). */
export const IDLE_WRITER_TIMEOUT_SECONDS = 30 * 60;

/** What the backend lends a writer: paths, the clock and the bucket's lock. */
export interface BucketWriterContext {
  readonly storageIndex: StorageIndex;
  readonly shareNumber: ShareNumber;
  readonly allocatedSize: number;
  readonly incomingPath: string;
  readonly finalPath: string;
  /** the lease the share gets on close; its expiration is set then */
  readonly lease: Omit<LeaseRecord, 'expirationTime'>;
  readonly now: () => number;
  /** runs `task` holding this storage index's lock */
  readonly lockBucket: <T>(task: () => Promise<T>) => Promise<T>;
  /** told once, when the writer closes or aborts */
  readonly finished: (writer: BucketWriter) => void;
}

type WriterState = { kind: 'open' } | { kind: 'closed' } | { kind: 'aborted'; why: string };

/**
 * Receives one share's bytes into `shares/incoming/…`, and on close renames the finished
 * container into `shares/…`, so a partial share never looks whole.
 */
export class BucketWriter {
  readonly #context: BucketWriterContext;
  readonly #handle: FileHandle;
  readonly #written = new WrittenRanges();
  #state: WriterState = { kind: 'open' };
  #lastActivity: number;
  /** operations run one at a time, in call order */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(context: BucketWriterContext, handle: FileHandle) {
    this.#context = context;
    this.#handle = handle;
    this.#lastActivity = context.now();
  }

  /**
   * Creates the incoming file (caller holds the bucket lock). Resolves to undefined if an
   * upload of this share is already in progress (the file exists).
   */
  static async create(context: BucketWriterContext): Promise<BucketWriter | undefined> {
    await ensureDirectory(dirname(context.incomingPath));
    let handle: FileHandle;
    try {
      handle = await open(context.incomingPath, 'wx+'); // read back to check rewrites
    } catch (error) {
      if (alreadyExists(error)) return undefined;
      throw error;
    }
    try {
      await writeAt(handle, 0, encodeContainerHeader(CURRENT_CONTAINER_VERSION, context.allocatedSize, 0));
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(context.incomingPath, { force: true });
      throw error;
    }
    return new BucketWriter(context, handle);
  }

  get storageIndex(): StorageIndex {
    return this.#context.storageIndex;
  }

  get shareNumber(): ShareNumber {
    return this.#context.shareNumber;
  }

  get allocatedSize(): number {
    return this.#context.allocatedSize;
  }

  get isOpen(): boolean {
    return this.#state.kind === 'open';
  }

  /** Disk space this upload may still take (the final file's size minus what is written). */
  get promisedBytes(): number {
    if (this.#state.kind !== 'open') return 0;
    return CONTAINER_HEADER_SIZE + this.allocatedSize + IMMUTABLE_LEASE_RECORD_SIZE - this.#written.total;
  }

  isIdle(now: number): boolean {
    return now - this.#lastActivity >= IDLE_WRITER_TIMEOUT_SECONDS;
  }

  /**
   * Writes share data at `offset`: one array, or several written one after another (as they
   * came off the network, without joining them). Rewriting a range is allowed only with the
   * same bytes.
   */
  write(offset: number, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
    return this.#serially(async () => {
      await this.#checkOpen();
      checkByteCount(offset, 'write offset');
      const chunks = data instanceof Uint8Array ? [data] : data;
      if (!Array.isArray(chunks) || !chunks.every((c) => c instanceof Uint8Array)) throw new BadArgumentError('write data must be bytes');
      const length = chunks.reduce((sum, c) => sum + c.length, 0);
      const end = offset + length;
      if (end > this.allocatedSize) {
        throw new DataTooLargeError(
          `share ${this.shareNumber}: a write of ${length} bytes at offset ${offset} ends at ${end}, past the allocated size of ${this.allocatedSize}`,
        );
      }
      const overlaps = this.#written.overlaps(offset, end);
      const bytes = overlaps.length > 0 ? concatBytes(chunks) : undefined; // joined only to compare
      for (const range of overlaps) {
        const onDisk = await readAt(this.#handle, SHARE_DATA_OFFSET + range.start, range.end - range.start);
        const incoming = bytes!.subarray(range.start - offset, range.end - offset);
        if (!equalBytes(onDisk, incoming)) {
          throw new ConflictingWriteError(
            `share ${this.shareNumber}: bytes ${range.start}..${range.end} were already written with different content`,
          );
        }
      }
      await writeChunksAt(this.#handle, SHARE_DATA_OFFSET + offset, chunks);
      this.#written.add(offset, end);
      this.#lastActivity = this.#context.now();
    });
  }

  /**
   * Finishes the share: adds its lease, syncs, and renames it into place. Like Tahoe, it
   * does not check that every byte was written; gaps read as zeros.
   */
  close(): Promise<void> {
    return this.#serially(async () => {
      await this.#checkOpen();
      const context = this.#context;
      try {
        const lease: LeaseRecord = { ...context.lease, expirationTime: leaseExpiration(context.now()) };
        await writeAt(this.#handle, leaseOffset(this.allocatedSize, 0), encodeImmutableLease(lease));
        await writeAt(this.#handle, LEASE_COUNT_OFFSET, encodeLeaseCount(1));
        await this.#handle.sync();
        await this.#handle.close();
        await context.lockBucket(async () => {
          await ensureDirectory(dirname(context.finalPath));
          await rename(context.incomingPath, context.finalPath).catch((error: unknown) => {
            if (isMissing(error)) throw new BucketClosedError(`share ${this.shareNumber}: the incoming file disappeared before close`);
            throw error;
          });
          await syncDirectory(dirname(context.finalPath));
          await removeIfEmpty(dirname(context.incomingPath));
        });
      } catch (error) {
        await this.#discard(`closing failed: ${(error as Error).message}`);
        throw error;
      }
      this.#state = { kind: 'closed' };
      context.finished(this);
    });
  }

  /** Deletes the partial share and releases its space. Does nothing once closed or aborted. */
  abort(): Promise<void> {
    return this.#serially(() => this.#discard('aborted by the client'));
  }

  /** Aborts if idle for 30 minutes by the injected clock; true if it did. */
  abortIfIdle(): Promise<boolean> {
    return this.#serially(async () => {
      if (this.#state.kind !== 'open' || !this.isIdle(this.#context.now())) return false;
      await this.#discard('aborted after 30 minutes without a write');
      return true;
    });
  }

  async #checkOpen(): Promise<void> {
    if (this.#state.kind === 'open' && this.isIdle(this.#context.now())) {
      await this.#discard('aborted after 30 minutes without a write');
    }
    const state = this.#state;
    if (state.kind === 'closed') throw new BucketClosedError(`share ${this.shareNumber}: the upload is already closed`);
    if (state.kind === 'aborted') throw new BucketClosedError(`share ${this.shareNumber}: the upload was ${state.why}`);
  }

  async #discard(why: string): Promise<void> {
    if (this.#state.kind !== 'open') return;
    this.#state = { kind: 'aborted', why };
    const context = this.#context;
    try {
      await this.#handle.close().catch(() => undefined);
      await context.lockBucket(async () => {
        await rm(context.incomingPath, { force: true });
        await removeIfEmpty(dirname(context.incomingPath));
      });
    } finally {
      context.finished(this);
    }
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(task, task);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
