// A client for one remote storage server over /cairn/storage/1.0.0, shaped like the
// StorageBackend it fronts: allocate → writers (write, close, abort), list → readers (read).
//
// Every call is one request on its own stream over the one connection libp2p keeps to the
// server. Large writes are split into MAX_WRITE_BYTES requests, a few in flight at once per
// writer; large reads into MAX_READ_BYTES requests. A per-server cap on requests in flight
// keeps all callers together below the streams libp2p allows on one connection.

import type { Libp2p, PeerId } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { ShareSource } from '../../core/immutable/share-source.js';
import { checkStorageIndex, type ShareNumber, type StorageIndex } from '../../storage/storage-index.js';
import {
  RequestError,
  sendRequest,
  type RequestErrorCode,
  type RequestLimits,
  type Response,
} from '../request.js';
import {
  MAX_LIST_PREFIX_BYTES,
  MAX_PUT_SHARES_BODY_BYTES,
  MAX_READ_BYTES,
  MAX_WRITE_BYTES,
  STORAGE_LIMITS,
  STORAGE_PROTOCOL,
  StorageMessageError,
  describeStorageRequest,
  encodeStorageRequest,
  listedPrefixLength,
  parseAddLeaseResponse,
  parseAdviseCorruptResponse,
  parseAllocateResponse,
  parseEmptyResponse,
  parseListResponse,
  parseReadResponse,
  parseStorageRequest,
  parseVersionResponse,
  type StorageRejectionCode,
  type AllocateResponse,
  type StorageRequest,
  type VersionResponse,
} from './messages.js';
import type { AllocationRefusal, ShareListHints } from '../../storage/backend.js';
import {
  MAX_SLOT_READ_BYTES,
  parseSlotReadResponse,
  parseSlotTestAndWriteResponse,
  splitShareWrites,
  type SlotReadVector,
  type SlotShareWrite,
} from './slot-messages.js';
import { concatBytes } from '../../core/bytes.js';

/**
 * Why a call failed: the server's refusal code when it refused (`refused` is true), else what
 * broke the exchange (`dial`, `timeout`, `closed`, `protocol`, `aborted`, `too-large`,
 * `source`), or `bad-response` for an answer that breaks the protocol, or `upload-finished`
 * for a call on a writer this client already closed or aborted.
 */
export type RemoteStorageErrorCode =
  | StorageRejectionCode
  | 'internal'
  | 'timeout'
  | 'too-large'
  | Exclude<RequestErrorCode, 'remote'>
  | 'bad-response'
  | 'upload-finished';

export class RemoteStorageError extends Error {
  override readonly name = 'RemoteStorageError';
  constructor(
    /** a RemoteStorageErrorCode, or a code from a newer server */
    readonly code: RemoteStorageErrorCode | (string & NonNullable<unknown>),
    /** how the server is named in messages */
    readonly server: string,
    /** true if the server answered with a refusal; false if the exchange itself failed */
    readonly refused: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface RemoteStorageServerOptions {
  /** how messages name the server, e.g. its nickname; default: its peer id */
  readonly name?: string;
  /** frame limits and the per-request deadline (STORAGE_LIMITS) */
  readonly limits?: RequestLimits;
  /** requests in flight to this server at once, over all callers (default 16) */
  readonly maxConcurrentRequests?: number;
  /** write requests in flight per bucket writer (default 4) */
  readonly writeWindow?: number;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** The secrets of a slot test-and-write: this server's write enabler and the lease's pair. */
export interface SlotWriteSecrets {
  readonly writeEnabler: Uint8Array;
  readonly leaseRenew: Uint8Array;
  readonly leaseCancel: Uint8Array;
}

export interface SlotWriteResult {
  /** false when a test failed; then the server wrote nothing */
  readonly success: boolean;
  /** the read vectors applied to every mutable share the server holds, before any write */
  readonly readData: Map<number, Uint8Array[]>;
}

export interface RemoteSharePut {
  /** every share the server holds for the storage index, not only those asked for */
  readonly alreadyHave: number[];
  /** shares written and final */
  readonly written: number[];
  /** shares refused for `refusedBecause`; shares in none of these lists are being uploaded by another client */
  readonly refused: number[];
  readonly refusedBecause: AllocationRefusal | undefined;
}

export interface RemoteAllocation {
  /** every share the server holds for the storage index, not only those asked for */
  readonly alreadyHave: number[];
  /** a writer for each share this client may now upload */
  readonly writers: Map<number, RemoteBucketWriter>;
  /** shares refused for `refusedBecause`; shares in none of these lists are being uploaded by another client */
  readonly refused: number[];
  readonly refusedBecause: AllocationRefusal | undefined;
}

const DEFAULT_MAX_CONCURRENT_REQUESTS = 16;
const DEFAULT_WRITE_WINDOW = 4;
const VERSION_CACHE_MS = 30_000;

/** A FIFO counting semaphore. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(count: number) {
    this.#free = count;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${what} must be a positive integer`);
  return value;
}

function checkedStorageIndex(value: Uint8Array): StorageIndex {
  try {
    return checkStorageIndex(value);
  } catch (error) {
    throw new StorageMessageError((error as Error).message);
  }
}

function checkCount(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new StorageMessageError(`the ${what} must be a non-negative safe integer, not ${String(value)}`);
  return value;
}

/** The addresses, each ending in /p2p/<peer> (so a dial verifies whom it reached). */
function dialAddresses(peer: PeerId, addrs: readonly (Multiaddr | string)[]): Multiaddr[] {
  const id = peer.toString();
  return addrs.map((input) => {
    const addr = typeof input === 'string' ? multiaddr(input) : input;
    const named = addr.getComponents().filter((c) => c.name === 'p2p').at(-1)?.value;
    if (named === undefined) return addr.encapsulate(`/p2p/${id}`);
    if (named !== id) throw new RangeError(`address ${addr.toString()} names peer ${named}, not ${id}`);
    return addr;
  });
}

/** One remote storage server. Cheap to make; holds no connection of its own. */
export class RemoteStorageServer {
  readonly peerId: PeerId;
  /** how messages name this server */
  readonly name: string;
  readonly #host: Libp2p;
  readonly #target: PeerId | Multiaddr[];
  readonly #limits: RequestLimits;
  readonly #requests: Slots;
  readonly #writeWindow: number;
  #version: { readonly answer: VersionResponse; readonly at: number } | undefined;

  /**
   * @param addrs the server's multiaddrs (with or without /p2p/<peerId>); if empty, libp2p
   *   dials the peer id from its peer store.
   */
  constructor(host: Libp2p, peerId: PeerId, addrs: readonly (Multiaddr | string)[] = [], options: RemoteStorageServerOptions = {}) {
    this.#host = host;
    this.peerId = peerId;
    this.name = options.name ?? peerId.toString();
    const dial = dialAddresses(peerId, addrs);
    this.#target = dial.length > 0 ? dial : peerId;
    this.#limits = options.limits ?? STORAGE_LIMITS;
    this.#requests = new Slots(positiveInteger(options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS, 'maxConcurrentRequests'));
    this.#writeWindow = positiveInteger(options.writeWindow ?? DEFAULT_WRITE_WINDOW, 'writeWindow');
  }

  /**
   * The server's version and space. An answer is reused for VERSION_CACHE_MS: every upload
   * asks each candidate server, and its limits change slowly (a full server still refuses
   * allocations itself).
   */
  async version(options: CallOptions = {}): Promise<VersionResponse> {
    const cached = this.#version;
    if (cached !== undefined && Date.now() - cached.at < VERSION_CACHE_MS) return cached.answer;
    const request: StorageRequest = { kind: 'version' };
    const response = await this.exchange(request, undefined, options);
    const answer = this.#parsed(request, () => parseVersionResponse(response.head));
    this.#version = { answer, at: Date.now() };
    return answer;
  }

  /**
   * Leases the shares the server holds for the storage index, and opens an upload for each
   * requested share that is neither held nor being uploaded, while the server has space.
   */
  async allocateBuckets(
    storageIndex: Uint8Array,
    renewSecret: Uint8Array,
    cancelSecret: Uint8Array,
    shareNumbers: Iterable<number>,
    allocatedSize: number,
    options: CallOptions = {},
  ): Promise<RemoteAllocation> {
    const si = checkedStorageIndex(storageIndex);
    const request = parseStorageRequest(
      encodeStorageRequest({
        kind: 'allocate',
        storageIndex: si,
        renewSecret,
        cancelSecret,
        shareNumbers: [...shareNumbers] as ShareNumber[],
        allocatedSize: checkCount(allocatedSize, 'allocated size'),
      }),
    );
    if (request.kind !== 'allocate') throw new Error('unreachable');
    const response = await this.exchange(request, undefined, options);
    const answer = this.#parsed(request, () => parseAllocateResponse(response.head, request.shareNumbers));
    const writers = new Map<number, RemoteBucketWriter>();
    for (const shnum of answer.allocated) {
      writers.set(shnum, new RemoteBucketWriter(this, si, shnum, request.allocatedSize, this.#writeWindow));
    }
    return { alreadyHave: answer.alreadyHave, writers, refused: answer.refused, refusedBecause: answer.refusedBecause };
  }

  /**
   * Puts whole shares in one exchange (allocate, write, close): for small files, whose
   * shares are all `shareSize` bytes, at most MAX_PUT_SHARE_BYTES each. Larger sets go out in
   * several requests at once. `written` are final when this resolves.
   */
  async putShares(
    storageIndex: Uint8Array,
    renewSecret: Uint8Array,
    cancelSecret: Uint8Array,
    shares: ReadonlyMap<number, Uint8Array>,
    options: CallOptions = {},
  ): Promise<RemoteSharePut> {
    const si = checkedStorageIndex(storageIndex);
    const sizes = new Set([...shares.values()].map((share) => share.length));
    if (sizes.size > 1) throw new StorageMessageError('the shares of one put must all be the same size');
    const shareSize = sizes.values().next().value ?? 0;
    const perRequest = Math.max(1, Math.floor(MAX_PUT_SHARES_BODY_BYTES / Math.max(1, shareSize)));
    const numbers = [...shares.keys()].sort((a, b) => a - b);
    const groups: number[][] = [];
    for (let i = 0; i < numbers.length; i += perRequest) groups.push(numbers.slice(i, i + perRequest));
    const answers = await Promise.all(
      groups.map(async (group) => {
        const request = this.#checked({ kind: 'put-shares', storageIndex: si, renewSecret, cancelSecret, shareNumbers: group as ShareNumber[], shareSize });
        if (request.kind !== 'put-shares') throw new Error('unreachable');
        const response = await this.exchange(request, concatBytes(request.shareNumbers.map((n) => shares.get(n)!)), options);
        return this.#parsed(request, () => parseAllocateResponse(response.head, request.shareNumbers));
      }),
    );
    const merged = (pick: (answer: AllocateResponse) => readonly number[]) => [...new Set(answers.flatMap(pick))].sort((a, b) => a - b);
    return {
      alreadyHave: merged((a) => a.alreadyHave),
      written: merged((a) => a.allocated),
      refused: merged((a) => a.refused),
      refusedBecause: answers.find((a) => a.refusedBecause !== undefined)?.refusedBecause,
    };
  }

  /**
   * The final shares the server holds for the storage index (empty if none). With
   * `prefetchBytes`, each share's first bytes (up to MAX_LIST_PREFIX_BYTES) come with the
   * list, and its reader answers reads inside them without asking again.
   */
  async getBuckets(storageIndex: Uint8Array, hints: ShareListHints = {}, options: CallOptions = {}): Promise<Map<number, RemoteBucketReader>> {
    const si = checkedStorageIndex(storageIndex);
    const prefixLength = Math.min(checkCount(hints.prefetchBytes ?? 0, 'prefetch length'), MAX_LIST_PREFIX_BYTES);
    const request: StorageRequest = { kind: 'list', storageIndex: si, prefixLength };
    const response = await this.exchange(request, undefined, options);
    const listing = this.#parsed(request, () => parseListResponse(response.head));
    const lengths = listing.shares.map((share) => listedPrefixLength(share, prefixLength));
    const expected = lengths.reduce((sum, n) => sum + n, 0);
    if (response.body.length !== expected) throw this.badResponse(request, `the body has ${response.body.length} bytes of share prefixes, not ${expected}`);
    let at = 0;
    return new Map(
      listing.shares.map((share, i) => {
        const prefix = response.body.subarray(at, (at += lengths[i]!));
        return [share.shareNumber, new RemoteBucketReader(this, si, share.shareNumber, share.size, prefix)];
      }),
    );
  }

  /**
   * Adds a lease (or renews the one with this renew secret) on every share of the storage
   * index. Resolves to whether the server held any share (a hint: there was nothing to lease).
   */
  async addLease(storageIndex: Uint8Array, renewSecret: Uint8Array, cancelSecret: Uint8Array, options: CallOptions = {}): Promise<boolean> {
    const request = this.#checked({ kind: 'add-lease', storageIndex: checkedStorageIndex(storageIndex), renewSecret, cancelSecret });
    const response = await this.exchange(request, undefined, options);
    return this.#parsed(request, () => parseAddLeaseResponse(response.head)).held;
  }

  /** Renews the leases with this renew secret; refused with 'no-such-lease' if none has it. */
  async renewLease(storageIndex: Uint8Array, renewSecret: Uint8Array, options: CallOptions = {}): Promise<void> {
    const request = this.#checked({ kind: 'renew-lease', storageIndex: checkedStorageIndex(storageIndex), renewSecret });
    const response = await this.exchange(request, undefined, options);
    this.#parsed(request, () => parseEmptyResponse(response.head, request.kind));
  }

  /**
   * Tells the server a share failed its hash checks. Resolves to whether it wrote a report
   * (not if it lacks the share). The reason is at most MAX_REASON_BYTES of UTF-8.
   */
  async adviseCorruptShare(
    shareType: 'immutable' | 'mutable',
    storageIndex: Uint8Array,
    shareNumber: number,
    reason: string,
    options: CallOptions = {},
  ): Promise<boolean> {
    const request = this.#checked({
      kind: 'advise-corrupt',
      shareType,
      storageIndex: checkedStorageIndex(storageIndex),
      shareNumber: shareNumber as ShareNumber,
      reason,
    });
    const response = await this.exchange(request, undefined, options);
    return this.#parsed(request, () => parseAdviseCorruptResponse(response.head)).recorded;
  }

  /**
   * Tahoe's slot_readv: the read vectors applied to the listed mutable shares ('all': every
   * one held; an empty list: none). Shares the server lacks are left out. Reads too large
   * for one request are split (only for listed shares).
   */
  async readMutableShares(
    storageIndex: Uint8Array,
    shareNumbers: readonly number[] | 'all',
    readVectors: readonly SlotReadVector[],
    options: CallOptions = {},
  ): Promise<Map<number, Uint8Array[]>> {
    const si = checkedStorageIndex(storageIndex);
    const list = shareNumbers === 'all' ? 'all' : ([...shareNumbers] as ShareNumber[]);
    const asked = readVectors.reduce((sum, v) => sum + v.length, 0) * (list === 'all' ? 256 : list.length);
    if (asked > MAX_SLOT_READ_BYTES && list !== 'all') return this.#readMutablePieces(si, list, readVectors, options);
    const request = this.#checked({ kind: 'slot-read', storageIndex: si, shareNumbers: list, readVectors: readVectors.map((v) => ({ offset: v.offset, length: v.length })) });
    if (request.kind !== 'slot-read') throw new Error('unreachable');
    const response = await this.exchange(request, undefined, options);
    return this.#parsed(request, () => parseSlotReadResponse(response.head, response.body, request));
  }

  /** A large read as single-share, single-vector requests of at most MAX_SLOT_READ_BYTES, joined. */
  async #readMutablePieces(si: StorageIndex, shareNumbers: readonly ShareNumber[], readVectors: readonly SlotReadVector[], options: CallOptions): Promise<Map<number, Uint8Array[]>> {
    const perShare = await Promise.all(
      shareNumbers.map(async (shareNumber) => {
        const vectors = await Promise.all(
          readVectors.map(async (vector) => {
            const pieces: Uint8Array[] = [];
            for (let at = 0; at < vector.length; at += MAX_SLOT_READ_BYTES) {
              const length = Math.min(MAX_SLOT_READ_BYTES, vector.length - at);
              const got = (await this.readMutableShares(si, [shareNumber], [{ offset: vector.offset + at, length }], options)).get(shareNumber);
              if (got === undefined) return undefined;
              pieces.push(got[0]!);
              if (got[0]!.length < length) break; // the share's data ended
            }
            return concatBytes(pieces);
          }),
        );
        return [shareNumber, vectors] as const;
      }),
    );
    const out = new Map<number, Uint8Array[]>();
    for (const [shareNumber, vectors] of perShare) {
      if (vectors.every((v) => v !== undefined)) out.set(shareNumber, vectors as Uint8Array[]);
    }
    return out;
  }

  /**
   * Tahoe's slot_testv_and_readv_and_writev: if every test of every share passes, applies the
   * writes; the read vectors are applied to every mutable share held, before any write. A
   * failed test is not an error (`success` is false). A wrong write enabler is refused with
   * 'bad-write-enabler'.
   */
  async testvAndReadvAndWritev(
    storageIndex: Uint8Array,
    secrets: SlotWriteSecrets,
    writes: ReadonlyMap<number, SlotShareWrite>,
    readVectors: readonly SlotReadVector[],
    options: CallOptions = {},
  ): Promise<SlotWriteResult> {
    const { heads, body } = splitShareWrites(writes);
    const request = this.#checked({
      kind: 'slot-test-and-write',
      storageIndex: checkedStorageIndex(storageIndex),
      writeEnabler: secrets.writeEnabler,
      renewSecret: secrets.leaseRenew,
      cancelSecret: secrets.leaseCancel,
      writes: heads,
      readVectors: readVectors.map((v) => ({ offset: v.offset, length: v.length })),
    });
    if (request.kind !== 'slot-test-and-write') throw new Error('unreachable');
    const response = await this.exchange(request, concatBytes(body), options);
    return this.#parsed(request, () => parseSlotTestAndWriteResponse(response.head, response.body, request.readVectors));
  }

  /**
   * Sends one checked request (used by the writers and readers). Throws RemoteStorageError.
   * @internal
   */
  async exchange(request: StorageRequest, body: Uint8Array | undefined, options: CallOptions): Promise<Response> {
    const head = encodeStorageRequest(request);
    return this.#requests.run(async () => {
      try {
        return await sendRequest(
          this.#host,
          this.#target,
          STORAGE_PROTOCOL,
          body === undefined ? { head } : { head, body },
          this.#limits,
          options.signal === undefined ? {} : { signal: options.signal },
        );
      } catch (error) {
        throw this.#failure(request, error);
      }
    });
  }

  /** Checks a request built from caller arguments (throws StorageMessageError). */
  #checked(request: StorageRequest): StorageRequest {
    return parseStorageRequest(encodeStorageRequest(request));
  }

  /** Runs a response parser; a broken answer becomes RemoteStorageError('bad-response'). */
  #parsed<T>(request: StorageRequest, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof StorageMessageError)) throw error;
      throw new RemoteStorageError(
        'bad-response',
        this.name,
        false,
        `storage server ${this.name}: ${describeStorageRequest(request)}: bad response: ${error.message}`,
        { cause: error },
      );
    }
  }

  /** @internal */
  badResponse(request: StorageRequest, message: string): RemoteStorageError {
    return new RemoteStorageError('bad-response', this.name, false, `storage server ${this.name}: ${describeStorageRequest(request)}: bad response: ${message}`);
  }

  #failure(request: StorageRequest, error: unknown): Error {
    if (!(error instanceof RequestError)) return error as Error;
    // RequestError messages start "<protocol> to <addresses>: "; this names the server instead.
    const prefix = `${STORAGE_PROTOCOL} to `;
    let detail = error.message;
    if (detail.startsWith(prefix)) {
      const cut = detail.indexOf(': ', prefix.length);
      if (cut >= 0) detail = detail.slice(cut + 2);
    }
    const refused = error.code === 'remote';
    const code = refused ? (error.remoteCode ?? 'internal') : error.code;
    return new RemoteStorageError(code, this.name, refused, `storage server ${this.name}: ${describeStorageRequest(request)}: ${detail}`, {
      cause: error,
    });
  }
}

type WriterState = 'open' | 'closing' | 'closed' | 'aborted';

/** An upload of one share to a remote server: write, then close (or abort). */
export class RemoteBucketWriter {
  #state: WriterState = 'open';
  readonly #window: Slots;
  /** write requests in flight (close waits for them) */
  readonly #inFlight = new Set<Promise<unknown>>();

  /** @internal made by RemoteStorageServer.allocateBuckets */
  constructor(
    readonly server: RemoteStorageServer,
    readonly storageIndex: StorageIndex,
    readonly shareNumber: number,
    readonly allocatedSize: number,
    writeWindow: number,
  ) {
    this.#window = new Slots(writeWindow);
  }

  /**
   * Writes share data at `offset`, in requests of at most MAX_WRITE_BYTES, several in flight.
   * Rewriting a range is allowed only with the same bytes. On failure some parts may have
   * been written; abort the upload. Do not reuse `bytes` until this settles.
   */
  async write(offset: number, bytes: Uint8Array, options: CallOptions = {}): Promise<void> {
    this.#checkOpen('write');
    checkCount(offset, 'write offset');
    if (!(bytes instanceof Uint8Array)) throw new StorageMessageError('write data must be bytes');
    checkCount(offset + bytes.length, 'write end');
    let failure: { error: unknown } | undefined;
    const parts: Promise<void>[] = [];
    for (let at = 0; at < bytes.length; at += MAX_WRITE_BYTES) {
      await this.#window.acquire();
      if (failure !== undefined) {
        this.#window.release();
        break;
      }
      const chunk = bytes.subarray(at, at + MAX_WRITE_BYTES);
      const request: StorageRequest = {
        kind: 'write',
        storageIndex: this.storageIndex,
        shareNumber: this.shareNumber as ShareNumber,
        offset: offset + at,
        length: chunk.length,
      };
      const part = this.server
        .exchange(request, chunk, options)
        .then((response) => parseEmptyResponse(response.head, 'write'))
        .catch((error: unknown) => {
          failure ??= {
            error: error instanceof StorageMessageError ? this.server.badResponse(request, error.message) : error,
          };
        })
        .finally(() => {
          this.#window.release();
          this.#inFlight.delete(part);
        });
      this.#inFlight.add(part);
      parts.push(part);
    }
    await Promise.all(parts);
    if (failure !== undefined) throw (failure as { error: unknown }).error;
  }

  /** Finishes the share (after the writes in flight); the server then serves it. */
  async close(options: CallOptions = {}): Promise<void> {
    this.#checkOpen('close');
    this.#state = 'closing';
    try {
      await Promise.all([...this.#inFlight]);
      await this.#simple('close', options);
      this.#state = 'closed';
    } catch (error) {
      this.#state = 'open'; // the server may still hold the upload: abort it, or retry
      throw error;
    }
  }

  /**
   * Deletes the partial share on the server. Does nothing if this writer was closed or
   * aborted already, or if the server no longer has the upload.
   */
  async abort(options: CallOptions = {}): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'aborted') return;
    this.#state = 'aborted';
    try {
      await this.#simple('abort', options);
    } catch (error) {
      if (error instanceof RemoteStorageError && error.code === 'no-such-bucket') return;
      throw error;
    }
  }

  async #simple(kind: 'close' | 'abort', options: CallOptions): Promise<void> {
    const request: StorageRequest = { kind, storageIndex: this.storageIndex, shareNumber: this.shareNumber as ShareNumber };
    const response = await this.server.exchange(request, undefined, options);
    try {
      parseEmptyResponse(response.head, kind);
    } catch (error) {
      throw this.server.badResponse(request, (error as Error).message);
    }
  }

  #checkOpen(what: string): void {
    if (this.#state !== 'open') {
      throw new RemoteStorageError(
        'upload-finished',
        this.server.name,
        false,
        `storage server ${this.server.name}: cannot ${what} share ${this.shareNumber}: this upload is ${this.#state === 'closing' ? 'closing' : `already ${this.#state}`}`,
      );
    }
  }
}

/** One final share on a remote server; usable directly as a decoder's ShareSource. */
export class RemoteBucketReader implements ShareSource {
  readonly label: string;
  readonly claimedShareNumber: number;

  /** @internal made by RemoteStorageServer.getBuckets */
  constructor(
    readonly server: RemoteStorageServer,
    readonly storageIndex: StorageIndex,
    readonly shareNumber: number,
    /** bytes of share data, as listed */
    readonly size: number,
    /** the share's first bytes, if they came with the list */
    readonly prefix: Uint8Array = new Uint8Array(0),
  ) {
    this.label = `share ${shareNumber} on storage server ${server.name}`;
    this.claimedShareNumber = shareNumber;
  }

  /** Up to `length` bytes at `offset`, cut at the end of the share; empty past the end. */
  async read(offset: number, length: number, options: CallOptions = {}): Promise<Uint8Array> {
    checkCount(offset, 'read offset');
    checkCount(length, 'read length');
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    if (offset + wanted <= this.prefix.length) return this.prefix.subarray(offset, offset + wanted);
    const parts: Uint8Array[] = [];
    let got = 0;
    while (got < wanted) {
      const ask = Math.min(wanted - got, MAX_READ_BYTES);
      const request: StorageRequest = {
        kind: 'read',
        storageIndex: this.storageIndex,
        shareNumber: this.shareNumber as ShareNumber,
        offset: offset + got,
        length: ask,
      };
      const response = await this.server.exchange(request, undefined, options);
      let declared: number;
      try {
        declared = parseReadResponse(response.head, ask).length;
      } catch (error) {
        throw this.server.badResponse(request, (error as Error).message);
      }
      if (response.body.length !== declared) {
        throw this.server.badResponse(request, `the body has ${response.body.length} bytes, the HEAD says ${declared}`);
      }
      parts.push(response.body);
      got += response.body.length;
      if (response.body.length < ask) break; // the share ended early
    }
    if (parts.length === 1 && parts[0] !== undefined) return parts[0];
    const out = new Uint8Array(got);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Reports this share as corrupt (see RemoteStorageServer.adviseCorruptShare). */
  adviseCorrupt(reason: string, options: CallOptions = {}): Promise<boolean> {
    return this.server.adviseCorruptShare('immutable', this.storageIndex, this.shareNumber, reason, options);
  }
}
