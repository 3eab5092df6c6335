import type { ChkReadCap, FileCap } from '../../src-shared/caps/index.js';
import { deriveBucketLeaseSecrets } from '../core/lease-secrets.js';
import { convergentKeyHasher, randomKey } from '../core/immutable/convergence.js';
import { BufferRecycler } from '../core/immutable/buffer-recycler.js';
import { encodeChk, type ChkEncodeStart } from '../core/immutable/encoder.js';
import { isLiteralSize, literalCap } from '../core/immutable/literal.js';
import { effectiveSegmentSize } from '../core/immutable/params.js';
import type { SegmentEncoder } from '../core/immutable/segment-encoder.js';
import { concatBytes } from '../core/bytes.js';
import { UploadUnhappinessError } from './errors.js';
import type { GridServer, ShareWriter } from './grid-server.js';
import { permuteServers, uploadCandidates } from './placement/permuted-ring.js';
import { replanSharePlacement, planSharePlacement, type PlacementRequest, type PlacementServer } from './placement/share-placement.js';
import { unhappinessMessage } from './placement/unhappiness-message.js';

/** How a source that reads (a file) should read: `chunkSize` bytes at a time, into buffers from `allocate`. */
export interface ChunkReading {
  readonly chunkSize: number;
  readonly allocate: (size: number) => Uint8Array;
}

/**
 * Something to upload; `open()` may be called twice (convergent keys read the data first).
 * A source that reads should read as `reading` says: the uploader then reuses its buffers.
 * Any other chunks are copied, never taken over.
 */
export interface Uploadable {
  readonly size: number;
  open(reading?: ChunkReading): AsyncIterable<Uint8Array>;
}

export interface UploadEncoding {
  readonly needed: number;
  readonly happy: number;
  readonly total: number;
}

export interface UploadOptions {
  /** the storage servers connected now */
  readonly servers: readonly GridServer[];
  readonly encoding: UploadEncoding;
  readonly maxSegmentSize?: number;
  /** the node's 32-byte lease secret */
  readonly leaseSecret: Uint8Array;
  /** without one the key is random (no dedupe) */
  readonly convergenceSecret?: Uint8Array;
  /** the encryption key to use as it is (a repair re-encodes with the file's own key) */
  readonly key?: Uint8Array;
  /** the storage index, when it is not the key's (repair from a verify cap, checker.ts) */
  readonly storageIndex?: Uint8Array;
  readonly segmentEncoder?: SegmentEncoder;
  readonly onProgress?: (bytesDone: number, size: number) => void;
  /** how long a server may take to answer a share query or allocation (default 15 s) */
  readonly queryTimeoutMs?: number;
  /** attempts after servers fail mid-upload (default 3) */
  readonly attempts?: number;
  /** stops the upload (its open buckets are aborted) and rejects with the signal's reason */
  readonly signal?: AbortSignal;
}

export interface UploadResult {
  readonly cap: FileCap;
  /** share numbers each server holds for the file (new and already present) */
  readonly placement: ReadonlyMap<string, ReadonlySet<number>>;
  readonly happiness: number;
}

const DEFAULT_MAX_SEGMENT_SIZE = 1024 * 1024;
/** Shares up to this size are assembled in memory and written in one request. */
const SMALL_SHARE_BYTES = 64 * 1024;
/** Segments whose blocks are being written at once (memory: this many segments × N/K). */
const SEGMENTS_IN_FLIGHT = 3;
/**
 * Segments being encoded at once: enough for two workers. With the segments being written,
 * that fits in the worker pool's eight lanes, so every block is written from where a worker made it.
 */
const SEGMENTS_ENCODING = 3;

/** A bounded set of tasks in flight; the first failure is rethrown by add() or drain(). */
class InFlight {
  readonly #tasks = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  constructor(readonly limit: number) {}

  /** Starts tracking `task`; waits while `limit` tasks are running. */
  async add(task: Promise<void>): Promise<void> {
    const tracked: Promise<void> = task
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => this.#tasks.delete(tracked));
    this.#tasks.add(tracked);
    while (this.#tasks.size >= this.limit && this.#failure === undefined) await Promise.race(this.#tasks);
    this.#throwIfFailed();
  }

  /** Waits for every task; rethrows the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    this.#throwIfFailed();
  }

  /** Waits for every task, whatever happened to it. */
  async settle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.all(this.#tasks);
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure.error;
  }
}

/** A server failed while shares were being written; the attempt is retried without it. */
class ServerFailedError extends Error {
  constructor(readonly serverId: string, cause: unknown) {
    super(`storage server ${serverId} failed: ${(cause as Error).message}`);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface OpenWriter {
  readonly server: GridServer;
  readonly shareNumber: number;
  readonly writer: ShareWriter;
}

/**
 * Uploads an immutable file: encrypts and encodes it, places its N shares on the permuted
 * ring so that servers-of-happiness holds, and streams every share to its server. A server
 * that fails mid-upload is dropped and the upload starts again without it, so its shares go
 * elsewhere; when happiness cannot be reached, every open bucket is aborted (no share that
 * looks complete is left) and UploadUnhappinessError says why.
 */
export async function uploadImmutable(uploadable: Uploadable, options: UploadOptions): Promise<UploadResult> {
  const { size } = uploadable;
  if (isLiteralSize(size)) {
    const data = concatBytes(await collect(uploadable.open()));
    if (data.length !== size) throw new Error(`the input has ${data.length} bytes, but its declared size is ${size}`);
    return { cap: literalCap(data), placement: new Map(), happiness: 0 };
  }
  const params = {
    neededShares: options.encoding.needed,
    totalShares: options.encoding.total,
    maxSegmentSize: options.maxSegmentSize ?? DEFAULT_MAX_SEGMENT_SIZE,
  };
  const segmentSize = effectiveSegmentSize(size, params);
  const source = new RecycledSource(uploadable, segmentSize);
  let key: Uint8Array;
  if (options.key !== undefined) {
    key = options.key;
  } else if (options.convergenceSecret === undefined) {
    key = randomKey();
  } else {
    const hasher = convergentKeyHasher(options.convergenceSecret, params.neededShares, params.totalShares, segmentSize);
    for await (const chunk of source.scan()) {
      options.signal?.throwIfAborted();
      hasher.update(chunk);
      source.giveBack(chunk);
    }
    key = hasher.digest();
  }
  const excluded = new Set<string>();
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await uploadAttempt(source, key, params, options, excluded);
    } catch (error) {
      if (!(error instanceof ServerFailedError) || attempt >= attempts) throw error;
      excluded.add(error.serverId);
    }
  }
}

/**
 * The upload's plaintext, read in segment-sized chunks into recycled buffers. Encoding a
 * large file otherwise allocates several MiB per segment (plaintext, ciphertext, parity)
 * that live while segments are being written: V8 promotes them, and their bytes then call
 * for a full garbage collection every few segments. Chunks the uploadable did not read into
 * our buffers are copied, so that the encoder (which takes over its chunks) never detaches
 * a buffer of the caller's.
 */
class RecycledSource {
  readonly buffers = new BufferRecycler();
  readonly #ours = new WeakSet<ArrayBufferLike>();
  readonly #reading: ChunkReading;

  constructor(private readonly uploadable: Uploadable, chunkSize: number) {
    this.#reading = {
      chunkSize,
      allocate: (length) => {
        const buffer = this.buffers.take(length);
        this.#ours.add(buffer.buffer);
        return buffer;
      },
    };
  }

  get size(): number {
    return this.uploadable.size;
  }

  /** The plaintext for one look at each chunk (the convergent key); hand each back when done. */
  scan(): AsyncIterable<Uint8Array> {
    return this.uploadable.open(this.#reading);
  }

  /** A chunk of scan()'s that nothing reads any more: reused if it is one of ours. */
  giveBack(chunk: Uint8Array): void {
    if (this.#ours.has(chunk.buffer)) this.buffers.give(chunk);
  }

  /** The plaintext for the encoder, which takes over every chunk. */
  async *open(): AsyncGenerator<Uint8Array> {
    for await (const chunk of this.uploadable.open(this.#reading)) yield this.#ours.has(chunk.buffer) ? chunk : Uint8Array.from(chunk);
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const chunk of chunks) out.push(Uint8Array.from(chunk));
  return out;
}

async function uploadAttempt(
  source: RecycledSource,
  key: Uint8Array,
  params: { neededShares: number; totalShares: number; maxSegmentSize: number },
  options: UploadOptions,
  excluded: ReadonlySet<string>,
): Promise<UploadResult> {
  let writers: OpenWriter[] = [];
  let placement: ReadonlyMap<string, ReadonlySet<number>> = new Map();
  let happiness = 0;
  let start: ChkEncodeStart | undefined;
  /** each share whole, by share number, when they are small */
  let small: Map<number, Uint8Array> | undefined;
  const segmentWrites = new InFlight(SEGMENTS_IN_FLIGHT);
  const servers = options.servers.filter((s) => !excluded.has(s.id));
  const abortAll = async () => {
    await segmentWrites.settle();
    await Promise.all(writers.map((w) => w.writer.abort().catch(() => undefined)));
    writers = [];
  };
  try {
    const events = encodeChk(source.open(), {
      ...params,
      size: source.size,
      key,
      segmentEncoder: options.segmentEncoder,
      ...(options.storageIndex === undefined ? {} : { storageIndex: options.storageIndex }),
      buffers: source.buffers,
      holdBlocks: true,
      segmentsInFlight: SEGMENTS_ENCODING,
    });
    for await (const event of events) {
      // a cancelled upload stops here; the finally below aborts its open buckets
      if (options.signal?.aborted === true && event.type === 'segment') event.release!();
      options.signal?.throwIfAborted();
      if (event.type === 'start') {
        start = event;
        if (event.shareSize <= SMALL_SHARE_BYTES) {
          // A small file's shares are built whole, then placed and written in one request
          // per server: every round trip costs far more than its bytes.
          small = new Map(Array.from({ length: params.totalShares }, (_, n) => [n, new Uint8Array(event.shareSize)]));
          for (const share of small.values()) share.set(event.header, 0);
          continue;
        }
        ({ writers, placement, happiness } = await placeShares(event, servers, options));
        // Header, blocks and trailers go out without waiting on each other (a round trip
        // each); close waits for all of them.
        await segmentWrites.add(writeAll(writers, () => [0, event.header]));
      } else if (event.type === 'segment') {
        const { dataOffset } = start!.layout;
        const blockSize = start!.geometry.blockSize;
        const { bytesDone } = event;
        if (small !== undefined) {
          for (const [shareNumber, share] of small) share.set(event.blocks[shareNumber]!, dataOffset + event.index * blockSize);
          event.release!();
          options.onProgress?.(bytesDone, source.size);
          continue;
        }
        // Up to SEGMENTS_IN_FLIGHT segments are being sent at once, so the network never
        // waits for a round trip between segments. A segment's blocks are reused only once
        // every write of them has settled (writeAll waits for all, failed or not).
        const written = writeAll(writers, (w) => [dataOffset + event.index * blockSize, event.blocks[w.shareNumber]!]);
        await segmentWrites.add(
          written.finally(event.release).then(() => options.onProgress?.(bytesDone, source.size)),
        );
      } else {
        const trailerOffset = start!.layout.plaintextTreeOffset;
        if (small !== undefined) {
          for (const [shareNumber, share] of small) share.set(event.trailers[shareNumber]!, trailerOffset);
          ({ placement, happiness } = await putSmallShares(start!, small, servers, options));
          return { cap: event.cap satisfies ChkReadCap, placement, happiness };
        } else {
          await segmentWrites.add(writeAll(writers, (w) => [trailerOffset, event.trailers[w.shareNumber]!]));
        }
        await segmentWrites.drain();
        await Promise.all(
          writers.map((w) => w.writer.close().catch((error: unknown) => Promise.reject(new ServerFailedError(w.server.id, error)))),
        );
        writers = [];
        return { cap: event.cap satisfies ChkReadCap, placement, happiness };
      }
    }
    throw new Error('the encoder stopped before it finished');
  } finally {
    await abortAll();
  }
}

/** Writes to every writer; settles when all have, and then rejects with the first failure if any. */
async function writeAll(writers: readonly OpenWriter[], what: (w: OpenWriter) => [number, Uint8Array]): Promise<void> {
  const results = await Promise.allSettled(
    writers.map(async (w) => {
      const [offset, bytes] = what(w);
      try {
        await w.writer.write(offset, bytes);
      } catch (error) {
        throw new ServerFailedError(w.server.id, error);
      }
    }),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** Asks the ring's first 2N servers what they hold and have room for, then allocates until happy. */
async function placeShares(
  start: ChkEncodeStart,
  servers: readonly GridServer[],
  options: UploadOptions,
): Promise<{ writers: OpenWriter[]; placement: ReadonlyMap<string, ReadonlySet<number>>; happiness: number }> {
  const { storageIndex, shareSize } = start;
  const timeout = options.queryTimeoutMs ?? 15_000;
  const candidates = uploadCandidates(permuteServers(storageIndex, servers), options.encoding.total);
  const answers = await Promise.all(
    candidates.map(async (server): Promise<PlacementServer | undefined> => {
      try {
        const [version, held] = await withTimeout(
          Promise.all([server.api.version(), server.api.getBuckets(storageIndex)]),
          timeout,
          `asking ${server.nickname} for shares`,
        );
        return { id: server.id, writable: version.maximumImmutableShareSize >= shareSize, existingShares: new Set(held.keys()) };
      } catch {
        return undefined;
      }
    }),
  );
  const writers: OpenWriter[] = [];
  try {
    const placed = await placeUntilHappy(storageIndex, servers, answers, options, async (server, shares, secrets) => {
      const allocation = await withTimeout(
        server.api.allocateBuckets(storageIndex, secrets.renew, secrets.cancel, shares, shareSize),
        timeout,
        `allocating shares on ${server.nickname}`,
      );
      for (const [shareNumber, writer] of allocation.writers) writers.push({ server, shareNumber, writer });
      return { held: [...allocation.alreadyHave, ...allocation.writers.keys()], refused: allocation.refused.length > 0 };
    });
    return { writers, ...placed };
  } catch (error) {
    await Promise.all(writers.map((w) => w.writer.abort().catch(() => undefined)));
    throw error;
  }
}

/**
 * Places a small file's whole shares with one put-shares request per server and round, and
 * no query first: a server says which shares it already held in its answer, as Tahoe's
 * allocate_buckets does. A share put is final when answered, so there is nothing to abort.
 */
async function putSmallShares(
  start: ChkEncodeStart,
  shares: ReadonlyMap<number, Uint8Array>,
  servers: readonly GridServer[],
  options: UploadOptions,
): Promise<{ placement: ReadonlyMap<string, ReadonlySet<number>>; happiness: number }> {
  const { storageIndex, shareSize } = start;
  const timeout = options.queryTimeoutMs ?? 15_000;
  const candidates = uploadCandidates(permuteServers(storageIndex, servers), options.encoding.total);
  const answers = await Promise.all(
    candidates.map(async (server): Promise<PlacementServer | undefined> => {
      try {
        // a remote server's version is cached: usually no round trip
        const version = await withTimeout(server.api.version(), timeout, `asking ${server.nickname} for its version`);
        return { id: server.id, writable: version.maximumImmutableShareSize >= shareSize, existingShares: new Set<number>() };
      } catch {
        return undefined;
      }
    }),
  );
  return placeUntilHappy(storageIndex, servers, answers, options, async (server, wanted, secrets) => {
    const put = await withTimeout(
      server.api.putShares(storageIndex, secrets.renew, secrets.cancel, new Map([...wanted].map((n) => [n, shares.get(n)!]))),
      timeout,
      `putting shares on ${server.nickname}`,
    );
    return { held: [...put.alreadyHave, ...put.written], refused: put.refused.length > 0 };
  });
}

/** Puts (or allocates) `shares` on `server`: the shares it now holds or will, and whether it refused any. */
type PlaceOnServer = (
  server: GridServer,
  shares: ReadonlySet<number>,
  secrets: { readonly renew: Uint8Array; readonly cancel: Uint8Array },
) => Promise<{ readonly held: Iterable<number>; readonly refused: boolean }>;

/** Plans, places, and replans around refusals and failures until happy, or throws UploadUnhappinessError. */
async function placeUntilHappy(
  storageIndex: Uint8Array,
  servers: readonly GridServer[],
  answers: readonly (PlacementServer | undefined)[],
  options: UploadOptions,
  place: PlaceOnServer,
): Promise<{ placement: ReadonlyMap<string, ReadonlySet<number>>; happiness: number }> {
  const { happy, total } = options.encoding;
  const byId = new Map(servers.map((s) => [s.id, s]));
  let request: PlacementRequest = { servers: answers.filter((a) => a !== undefined), totalShares: total, happy };
  let plan = planSharePlacement(request);
  const everWritable = new Set(request.servers.filter((s) => s.writable).map((s) => s.id));
  for (let round = 0; round < 2 * total && plan.isHappy && plan.allocations.size > 0; round++) {
    const accepted = new Map<string, Set<number>>();
    const refused: string[] = [];
    const failed: string[] = [];
    await Promise.all(
      [...plan.allocations].map(async ([id, shares]) => {
        const server = byId.get(id)!;
        const secrets = deriveBucketLeaseSecrets(options.leaseSecret, storageIndex, server.leaseSeed);
        try {
          const answer = await place(server, shares, secrets);
          accepted.set(id, new Set([...answer.held].filter((n) => shares.has(n))));
          if (answer.refused) refused.push(id);
        } catch {
          failed.push(id);
        }
      }),
    );
    for (const id of [...refused, ...failed]) everWritable.delete(id);
    ({ request, plan } = replanSharePlacement(request, { accepted, refused, failed }));
  }
  if (!plan.isHappy) {
    throw new UploadUnhappinessError(
      unhappinessMessage({
        happy,
        connected: servers.length,
        responding: request.servers.length,
        writable: everWritable.size,
        happiness: plan.happiness,
      }),
    );
  }
  return { placement: plan.placement, happiness: plan.happiness };
}
