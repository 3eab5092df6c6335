// Serves a StorageBackend as /cairn/storage/1.0.0 (immutable and mutable shares).
//
// Open uploads belong to the peer that allocated them: writers are kept per remote peer id,
// and only that peer may write, close or abort them. When the peer's last connection closes,
// its open uploads are aborted (Tahoe's "canary"), which deletes the partial files and frees
// the space promised to them. Every request is checked field by field (messages.ts); bad
// input and refusals become ERROR frames with a code, never a crash.

import type { Libp2p, PeerId } from '@libp2p/interface';
import { concatBytes } from '../../core/bytes.js';
import type { StorageBackend } from '../../storage/backend.js';
import type { BucketReader } from '../../storage/bucket-reader.js';
import type { BucketWriter } from '../../storage/bucket-writer.js';
import { StorageError, type StorageErrorCode } from '../../storage/errors.js';
import { storageIndexToBase32, type ShareNumber, type StorageIndex } from '../../storage/storage-index.js';
import { handleRequests, stopHandlingRequests, RequestRejection, type IncomingRequest, type OutgoingMessage, type RequestLimits } from '../request.js';
import { encodeReadData, joinShareWrites, slotWriteBodyLength } from './slot-messages.js';
import {
  MAX_APPLICATION_VERSION_CHARS,
  STORAGE_LIMITS,
  STORAGE_PROTOCOL,
  StorageMessageError,
  StorageRejectionCode,
  describeStorageRequest,
  encodeAddLeaseResponse,
  encodeAdviseCorruptResponse,
  encodeAllocateResponse,
  encodeListResponse,
  encodeReadResponse,
  encodeVersionResponse,
  listedPrefixLength,
  parseStorageRequest,
  type StorageRequest,
} from './messages.js';

export type StorageLogLevel = 'info' | 'warn' | 'error';
/** Where the server reports what it does and refuses. Never called with a secret. */
export type StorageLog = (level: StorageLogLevel, message: string) => void;

export interface StorageServerOptions {
  readonly log?: StorageLog;
  /** frame limits and the per-exchange deadline (STORAGE_LIMITS) */
  readonly limits?: RequestLimits;
  /** open uploads one peer may hold at once (each holds a file handle); default 2048 */
  readonly maxOpenUploadsPerPeer?: number;
  /** storage indexes whose share list is kept for reads; default 1024 */
  readonly readerCacheSize?: number;
  /**
   * Bytes of write and read data held in memory at once, over all requests (default 64 MiB).
   * Requests beyond it wait their turn (within their deadline), so many concurrent 4 MiB
   * reads or 1 MiB writes cannot exhaust memory.
   */
  readonly maxBufferedBytes?: number;
}

export interface StorageService {
  readonly protocol: string;
  /** open uploads, over all peers */
  readonly openUploads: number;
  /** Stops serving the protocol and aborts every open upload. */
  close(): Promise<void>;
}

const DEFAULT_MAX_OPEN_UPLOADS_PER_PEER = 2048;
const DEFAULT_READER_CACHE_SIZE = 1024;
const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** Reads are taken from disk and sent in pieces of this size… */
const READ_PIECE_BYTES = 1024 * 1024;
/**
 * …except that a rest smaller than this joins the piece before it. A download asks for three
 * blocks of a 1 MiB segment at once, 1 MiB and 2 bytes: without this, the 2 bytes would be a
 * disk read of their own (an open, a read and a close). They still go as a DATA frame of
 * their own: a frame's limit is the protocol's.
 */
const READ_PIECE_SLACK = 64 * 1024;

/** Registers the storage protocol on `host`, backed by `backend`. */
export async function serveStorage(host: Libp2p, backend: StorageBackend, options: StorageServerOptions = {}): Promise<StorageService> {
  const server = new StorageServer(host, backend, options);
  await server.start();
  return server;
}

const rejectionFor: { readonly [K in StorageErrorCode]: StorageRejectionCode | undefined } = {
  'bad-storage-index': StorageRejectionCode.badRequest,
  'bad-share-number': StorageRejectionCode.badRequest,
  'bad-argument': StorageRejectionCode.badRequest,
  'data-too-large': StorageRejectionCode.dataTooLarge,
  'conflicting-write': StorageRejectionCode.conflictingWrite,
  'bucket-closed': StorageRejectionCode.noSuchBucket,
  'no-such-lease': StorageRejectionCode.noSuchLease,
  'no-space': StorageRejectionCode.serverFull,
  'share-gone': StorageRejectionCode.noSuchShare,
  'bad-container': StorageRejectionCode.shareUnreadable,
  'bad-write-enabler': StorageRejectionCode.badWriteEnabler,
};

class StorageServer implements StorageService {
  readonly protocol = STORAGE_PROTOCOL;
  readonly #host: Libp2p;
  readonly #backend: StorageBackend;
  readonly #log: StorageLog;
  readonly #limits: RequestLimits;
  readonly #maxUploadsPerPeer: number;
  readonly #readerCacheSize: number;
  readonly #memory: ByteBudget;
  /** open uploads: peer id → `<b32 SI>/<shnum>` → writer */
  readonly #uploads = new Map<string, Map<string, BucketWriter>>();
  /** final shares per storage index, most recently used last (shares never change once final) */
  readonly #readers = new Map<string, Map<number, BucketReader>>();
  /** errors the handler has logged already, so onError does not log them twice */
  readonly #logged = new WeakSet<Error>();
  #closed = false;

  constructor(host: Libp2p, backend: StorageBackend, options: StorageServerOptions) {
    this.#host = host;
    this.#backend = backend;
    this.#log = options.log ?? (() => undefined);
    this.#limits = options.limits ?? STORAGE_LIMITS;
    this.#maxUploadsPerPeer = positiveInteger(options.maxOpenUploadsPerPeer ?? DEFAULT_MAX_OPEN_UPLOADS_PER_PEER, 'maxOpenUploadsPerPeer');
    this.#readerCacheSize = positiveInteger(options.readerCacheSize ?? DEFAULT_READER_CACHE_SIZE, 'readerCacheSize');
    this.#memory = new ByteBudget(positiveInteger(options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, 'maxBufferedBytes'));
  }

  get openUploads(): number {
    let count = 0;
    for (const owned of this.#uploads.values()) count += owned.size;
    return count;
  }

  async start(): Promise<void> {
    this.#host.addEventListener('peer:disconnect', this.#onPeerDisconnect);
    try {
      await handleRequests(this.#host, STORAGE_PROTOCOL, (request) => this.#handle(request), this.#limits, {
        onError: (error, peer) => {
          if (this.#logged.has(error)) return;
          this.#log('warn', `storage exchange with ${peer.toString()} failed: ${error.name}: ${error.message}`);
        },
      });
    } catch (error) {
      this.#host.removeEventListener('peer:disconnect', this.#onPeerDisconnect);
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#host.removeEventListener('peer:disconnect', this.#onPeerDisconnect);
    await stopHandlingRequests(this.#host, STORAGE_PROTOCOL);
    const peers = [...this.#uploads.keys()];
    await Promise.all(peers.map((peer) => this.#abortUploadsOf(peer, 'the storage service closed')));
    this.#readers.clear();
  }

  async #handle(request: IncomingRequest): Promise<OutgoingMessage> {
    const peer = request.peer.toString();
    let parsed: StorageRequest;
    try {
      parsed = parseStorageRequest(request.head);
    } catch (error) {
      throw this.#refuse(peer, 'a request', error);
    }
    try {
      return await this.#dispatch(parsed, request);
    } catch (error) {
      throw this.#refuse(peer, describeStorageRequest(parsed), error);
    }
  }

  /** Turns a failure into what the client is told, and logs it once. */
  #refuse(peer: string, what: string, error: unknown): Error {
    if (error instanceof Error && this.#logged.has(error)) return error;
    let out: Error;
    if (error instanceof RequestRejection) out = error;
    else if (error instanceof StorageMessageError) out = new RequestRejection(StorageRejectionCode.badRequest, error.message);
    else if (error instanceof StorageError && rejectionFor[error.code] !== undefined) {
      out = new RequestRejection(rejectionFor[error.code] ?? StorageRejectionCode.badRequest, error.message);
    } else {
      // Internal: the client hears only 'internal' (request.ts); the details stay here.
      out = error instanceof Error ? error : new Error(String(error));
      this.#log('error', `storage: ${what} from ${peer} failed: ${out.name}: ${out.message}`);
      this.#logged.add(out);
      return out;
    }
    const code = (out as RequestRejection).code;
    this.#log('warn', `storage: refused ${what} from ${peer} (${code}): ${out.message}`);
    this.#logged.add(out);
    return out;
  }

  async #dispatch(request: StorageRequest, incoming: IncomingRequest): Promise<OutgoingMessage> {
    const peer = incoming.peer;
    switch (request.kind) {
      case 'version': {
        const version = await this.#backend.version();
        return {
          head: encodeVersionResponse({
            ...version,
            applicationVersion: version.applicationVersion.slice(0, MAX_APPLICATION_VERSION_CHARS),
          }),
        };
      }
      case 'allocate':
        return { head: encodeAllocateResponse(await this.#allocate(request, peer)) };
      case 'write': {
        const writer = this.#ownedUpload(peer, request.storageIndex, request.shareNumber);
        const end = request.offset + request.length;
        if (end > writer.allocatedSize) {
          throw new RequestRejection(
            StorageRejectionCode.dataTooLarge,
            `share ${request.shareNumber}: a write of ${request.length} bytes at offset ${request.offset} ends at ${end}, past the allocated size of ${writer.allocatedSize}`,
          );
        }
        const held = await this.#memory.acquire(request.length, incoming.signal);
        try {
          await writer.write(request.offset, await readExactly(incoming.body, request.length));
        } finally {
          this.#memory.release(held);
          if (!writer.isOpen) this.#forget(peer.toString(), request.storageIndex, request.shareNumber);
        }
        return { head: {} };
      }
      case 'close': {
        const writer = this.#ownedUpload(peer, request.storageIndex, request.shareNumber);
        try {
          await writer.close();
        } finally {
          this.#forget(peer.toString(), request.storageIndex, request.shareNumber);
          this.#readers.delete(storageIndexToBase32(request.storageIndex)); // a new final share
        }
        this.#log('info', `storage: ${describeStorageRequest(request)} from ${peer.toString()}: share complete`);
        return { head: {} };
      }
      case 'abort': {
        const writer = this.#ownedUpload(peer, request.storageIndex, request.shareNumber);
        try {
          await writer.abort();
        } finally {
          this.#forget(peer.toString(), request.storageIndex, request.shareNumber);
        }
        this.#log('info', `storage: ${describeStorageRequest(request)} from ${peer.toString()}: upload aborted`);
        return { head: {} };
      }
      case 'put-shares': {
        const length = request.shareNumbers.length * request.shareSize;
        const held = await this.#memory.acquire(length, incoming.signal);
        try {
          const body = concatBytes(await readExactly(incoming.body, length));
          const shares = new Map(request.shareNumbers.map((shnum, i) => [shnum, body.subarray(i * request.shareSize, (i + 1) * request.shareSize)]));
          const put = await this.#backend.putShares(request.storageIndex, request.renewSecret, request.cancelSecret, shares);
          if (put.written.length > 0) this.#readers.delete(storageIndexToBase32(request.storageIndex)); // new final shares
          this.#log(
            'info',
            `storage: ${describeStorageRequest(request)} from ${peer.toString()}: written [${put.written.join(',')}]` +
              (put.refused.length > 0 ? `, refused [${put.refused.join(',')}] (${put.refusedBecause ?? '?'})` : ''),
          );
          return { head: encodeAllocateResponse({ alreadyHave: put.alreadyHave, allocated: put.written, refused: put.refused, refusedBecause: put.refusedBecause }) };
        } finally {
          this.#memory.release(held);
        }
      }
      case 'list': {
        const readers = [...(await this.#listReaders(request.storageIndex)).values()].sort((a, b) => a.shareNumber - b.shareNumber);
        const shares = readers.map((reader) => ({ shareNumber: reader.shareNumber, size: reader.size }));
        if (request.prefixLength === 0) return { head: encodeListResponse({ shares }) };
        const lengths = shares.map((share) => listedPrefixLength(share, request.prefixLength));
        const held = await this.#memory.acquire(lengths.reduce((sum, n) => sum + n, 0), incoming.signal);
        try {
          const prefixes = await Promise.all(readers.map((reader, i) => reader.read(0, lengths[i]!)));
          prefixes.forEach((prefix, i) => {
            if (prefix.length !== lengths[i]) throw new Error(`share ${readers[i]!.shareNumber} gave ${prefix.length} bytes, not the ${lengths[i]!} its size promises`);
          });
          return { head: encodeListResponse({ shares }), body: concatBytes(prefixes) };
        } catch (error) {
          this.#readers.delete(storageIndexToBase32(request.storageIndex));
          throw error;
        } finally {
          this.#memory.release(held);
        }
      }
      case 'read': {
        const siText = storageIndexToBase32(request.storageIndex);
        let reader = this.#cachedReaders(siText)?.get(request.shareNumber);
        reader ??= (await this.#listReaders(request.storageIndex)).get(request.shareNumber);
        if (reader === undefined) {
          throw new RequestRejection(StorageRejectionCode.noSuchShare, `no share ${request.shareNumber} of storage index ${siText} here`);
        }
        // Shares never change once final, so the listed size says how much there is to send.
        const length = Math.max(0, Math.min(request.length, reader.size - request.offset));
        return {
          head: encodeReadResponse({ length }),
          body: this.#readPieces(reader, request.offset, length, incoming.signal, peer.toString()),
        };
      }
      case 'add-lease': {
        const held = (await this.#listReaders(request.storageIndex)).size > 0;
        await this.#backend.addLease(request.storageIndex, request.renewSecret, request.cancelSecret);
        return { head: encodeAddLeaseResponse({ held }) };
      }
      case 'renew-lease':
        await this.#backend.renewLease(request.storageIndex, request.renewSecret);
        return { head: {} };
      case 'advise-corrupt': {
        const recorded = await this.#backend.adviseCorruptShare(request.shareType, request.storageIndex, request.shareNumber, request.reason);
        this.#log(
          'warn',
          `storage: ${peer.toString()} reports ${request.shareType} share ${storageIndexToBase32(request.storageIndex)}/${request.shareNumber} corrupt` +
            (recorded ? ' (report written to corruption-advisories/)' : ' (no report written: share not held, or no space)'),
        );
        return { head: encodeAdviseCorruptResponse({ recorded }) };
      }
      case 'slot-read': {
        const asked = request.readVectors.reduce((sum, v) => sum + v.length, 0) * (request.shareNumbers === 'all' ? 256 : request.shareNumbers.length);
        const held = await this.#memory.acquire(asked, incoming.signal);
        try {
          const { shares, body } = encodeReadData(await this.#backend.readMutableShares(request.storageIndex, request.shareNumbers, request.readVectors));
          return { head: { shares }, body };
        } finally {
          this.#memory.release(held);
        }
      }
      case 'slot-test-and-write': {
        const length = slotWriteBodyLength(request.writes);
        const held = await this.#memory.acquire(length, incoming.signal);
        try {
          const writes = joinShareWrites(request.writes, concatBytes(await readExactly(incoming.body, length)));
          const secrets = { writeEnabler: request.writeEnabler, leaseRenew: request.renewSecret, leaseCancel: request.cancelSecret };
          const result = await this.#backend.testvAndReadvAndWritev(request.storageIndex, secrets, writes, request.readVectors);
          this.#log('info', `storage: ${describeStorageRequest(request)} from ${peer.toString()}: ${result.success ? 'written' : 'a test failed, nothing written'}`);
          const { shares, body } = encodeReadData(result.readData);
          return { head: { success: result.success, shares }, body };
        } finally {
          this.#memory.release(held);
        }
      }
    }
  }

  async #allocate(request: StorageRequest & { kind: 'allocate' }, peer: PeerId) {
    const peerKey = peer.toString();
    const siText = storageIndexToBase32(request.storageIndex);
    const before = this.#uploads.get(peerKey);
    for (const [key, writer] of before ?? []) if (!writer.isOpen) before?.delete(key); // aborted when idle
    const openBefore = before?.size ?? 0;
    if (openBefore + request.shareNumbers.length > this.#maxUploadsPerPeer) {
      throw new RequestRejection(
        StorageRejectionCode.tooManyUploads,
        `this peer already has ${openBefore} open uploads; at most ${this.#maxUploadsPerPeer} are allowed at once`,
      );
    }
    const allocation = await this.#backend.allocateBuckets(
      request.storageIndex,
      request.renewSecret,
      request.cancelSecret,
      request.shareNumbers,
      request.allocatedSize,
    );
    // Looked up again: a disconnect during the await may have dropped this peer's entry.
    const owned = this.#uploadsOf(peerKey);
    for (const [shnum, writer] of allocation.writers) owned.set(uploadKey(siText, shnum), writer);
    const allocated = [...allocation.writers.keys()] as ShareNumber[];
    // Asking again for shares this peer is already uploading (a retry) gives them again.
    for (const shnum of request.shareNumbers) {
      const mine = owned.get(uploadKey(siText, shnum));
      if (!allocation.writers.has(shnum) && mine?.isOpen === true && mine.allocatedSize === request.allocatedSize) {
        allocated.push(shnum);
      }
    }
    allocated.sort((a, b) => a - b);
    if (owned.size === 0) this.#uploads.delete(peerKey);
    // A peer that went away while the backend worked would leave these writers to the idle
    // timeout: its disconnect event may already have passed.
    if (this.#closed || this.#host.getConnections(peer).length === 0) {
      await this.#abortUploadsOf(peerKey, 'the peer disconnected during allocation');
      throw new RequestRejection(StorageRejectionCode.noSuchBucket, 'the connection closed during allocation');
    }
    if (allocation.writers.size > 0 || allocation.refused.length > 0) {
      this.#log(
        'info',
        `storage: ${describeStorageRequest(request)} from ${peerKey}: allocated [${[...allocation.writers.keys()].join(',')}]` +
          (allocation.refused.length > 0 ? `, refused [${allocation.refused.join(',')}] (${allocation.refusedBecause ?? '?'})` : ''),
      );
    }
    return {
      alreadyHave: allocation.alreadyHave,
      allocated,
      refused: allocation.refused,
      refusedBecause: allocation.refusedBecause,
    };
  }

  /**
   * A read's bytes, taken from disk a piece at a time while the previous piece is sent, each
   * piece counted against the memory budget until it has been written to the stream. Nothing
   * is taken before the response HEAD is on its way (a generator that never starts holds
   * nothing).
   */
  async *#readPieces(reader: BucketReader, offset: number, length: number, signal: AbortSignal, peer: string): AsyncGenerator<Uint8Array> {
    let at = 0;
    while (at < length) {
      const rest = length - at;
      const size = rest <= READ_PIECE_BYTES + READ_PIECE_SLACK ? rest : READ_PIECE_BYTES;
      const held = await this.#memory.acquire(size, signal);
      try {
        let piece: Uint8Array;
        try {
          piece = await reader.read(offset + at, size);
          if (piece.length !== size) {
            throw new Error(`the share file gave ${piece.length} bytes at ${offset + at}, not the ${size} its size promises`);
          }
        } catch (error) {
          this.#readers.delete(storageIndexToBase32(reader.storageIndex));
          throw this.#refuse(peer, `read ${storageIndexToBase32(reader.storageIndex)}/${reader.shareNumber}`, error);
        }
        yield piece;
      } finally {
        this.#memory.release(held);
      }
      at += size;
    }
  }

  /** This peer's open uploads (an entry is made if there is none). */
  #uploadsOf(peerKey: string): Map<string, BucketWriter> {
    let owned = this.#uploads.get(peerKey);
    if (owned === undefined) {
      owned = new Map<string, BucketWriter>();
      this.#uploads.set(peerKey, owned);
    }
    return owned;
  }

  /** The open upload this peer allocated, or a 'no-such-bucket' refusal. */
  #ownedUpload(peer: PeerId, si: StorageIndex, shnum: ShareNumber): BucketWriter {
    const siText = storageIndexToBase32(si);
    const writer = this.#uploads.get(peer.toString())?.get(uploadKey(siText, shnum));
    if (writer === undefined || !writer.isOpen) {
      if (writer !== undefined) this.#forget(peer.toString(), si, shnum);
      throw new RequestRejection(
        StorageRejectionCode.noSuchBucket,
        `no open upload of share ${shnum} of storage index ${siText} by this peer (never allocated over this connection, or already closed or aborted)`,
      );
    }
    return writer;
  }

  #forget(peerKey: string, si: StorageIndex, shnum: ShareNumber): void {
    const owned = this.#uploads.get(peerKey);
    if (owned === undefined) return;
    owned.delete(uploadKey(storageIndexToBase32(si), shnum));
    if (owned.size === 0) this.#uploads.delete(peerKey);
  }

  async #abortUploadsOf(peerKey: string, why: string): Promise<void> {
    const owned = this.#uploads.get(peerKey);
    if (owned === undefined) return;
    this.#uploads.delete(peerKey);
    const entries = [...owned];
    const open = entries.filter(([, writer]) => writer.isOpen);
    await Promise.all(
      entries.map(([key, writer]) =>
        writer.abort().catch((error: unknown) => {
          this.#log('error', `storage: could not abort the upload of ${key}: ${(error as Error).message}`);
        }),
      ),
    );
    if (open.length > 0) {
      this.#log('info', `storage: ${why}: aborted ${open.length} open upload(s) of ${peerKey}: ${open.map(([key]) => key).join(' ')}`);
    }
  }

  readonly #onPeerDisconnect = (event: CustomEvent<PeerId>): void => {
    const peerKey = event.detail.toString();
    if (!this.#uploads.has(peerKey)) return;
    void this.#abortUploadsOf(peerKey, `${peerKey} disconnected`);
  };

  #cachedReaders(siText: string): Map<number, BucketReader> | undefined {
    const readers = this.#readers.get(siText);
    if (readers !== undefined) {
      this.#readers.delete(siText); // most recently used goes last
      this.#readers.set(siText, readers);
    }
    return readers;
  }

  /** Lists the final shares from disk and caches them for reads. */
  async #listReaders(si: StorageIndex): Promise<Map<number, BucketReader>> {
    const readers = await this.#backend.getBuckets(si);
    const siText = storageIndexToBase32(si);
    this.#readers.delete(siText);
    if (readers.size > 0) {
      this.#readers.set(siText, readers);
      while (this.#readers.size > this.#readerCacheSize) {
        const oldest = this.#readers.keys().next().value;
        if (oldest === undefined) break;
        this.#readers.delete(oldest);
      }
    }
    return readers;
  }
}

/** Counts bytes held in memory; callers beyond the limit wait in line (or give up on abort). */
class ByteBudget {
  #free: number;
  readonly #waiting: { bytes: number; grant: () => void }[] = [];

  constructor(readonly capacity: number) {
    this.#free = capacity;
  }

  /** Resolves to the amount held (a request larger than the whole budget takes all of it). */
  async acquire(bytes: number, signal: AbortSignal): Promise<number> {
    const amount = Math.min(bytes, this.capacity);
    signal.throwIfAborted();
    if (this.#waiting.length === 0 && amount <= this.#free) {
      this.#free -= amount;
      return amount;
    }
    await new Promise<void>((resolve, reject) => {
      const entry = {
        bytes: amount,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(entry);
        if (index >= 0) this.#waiting.splice(index, 1);
        this.#grant();
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(entry);
    });
    return amount;
  }

  release(amount: number): void {
    this.#free += amount;
    this.#grant();
  }

  #grant(): void {
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0];
      if (next === undefined || next.bytes > this.#free) return;
      this.#waiting.shift();
      this.#free -= next.bytes;
      next.grant();
    }
  }
}

function uploadKey(siText: string, shnum: number): string {
  return `${siText}/${shnum}`;
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${what} must be a positive integer`);
  return value;
}

/** The request body, which must be exactly `length` bytes (the HEAD promised that many). */
async function readExactly(body: AsyncIterable<Uint8Array>, length: number): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for await (const chunk of body) {
    if (at + chunk.length > length) {
      throw new RequestRejection(StorageRejectionCode.badRequest, `the body is longer than the ${length} bytes its HEAD declares`);
    }
    chunks.push(chunk);
    at += chunk.length;
  }
  if (at !== length) {
    throw new RequestRejection(StorageRejectionCode.badRequest, `the body has ${at} bytes, but its HEAD declares ${length}`);
  }
  return chunks; // as they arrived: the writer writes them with one writev, no copy
}
