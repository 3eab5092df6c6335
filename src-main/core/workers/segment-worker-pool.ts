import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DEFAULT_ENCODING_PARAMETERS, effectiveSegmentSize } from '../immutable/params.js';
import { inProcessSegmentEncoder, type EncodedSegment, type SegmentEncoder, type SegmentJob } from '../immutable/segment-encoder.js';
import { laneViews, segmentLaneLayout } from '../immutable/segment-lane.js';
import { inProcessSegmentDecoder, type DecodedSegment, type SegmentDecodeJob, type SegmentDecoder } from '../immutable/segment-decoder.js';
import type { SegmentDecodeRequest, SegmentReply, SegmentRequest, SegmentWireResult, SegmentWorkerData, SegmentWorkerReady } from './segment-worker.js';
import { ownsBuffer } from './transfer.js';

/** By default, segments up to this size are encoded on the calling thread. */
const DEFAULT_INLINE_SEGMENT_BYTES = 64 * 1024;
/**
 * Lanes per worker: enough that the encoder's segments in flight (6) and the one its consumer
 * holds find a lane between two workers.
 */
const DEFAULT_LANES_PER_WORKER = 4;
/** A lane holds one full segment of the default encoding (3-of-10, 1 MiB); others fall back to buffers. */
const DEFAULT_LANE_BYTES = segmentLaneLayout(
  effectiveSegmentSize(Number.MAX_SAFE_INTEGER, DEFAULT_ENCODING_PARAMETERS),
  DEFAULT_ENCODING_PARAMETERS.neededShares,
  DEFAULT_ENCODING_PARAMETERS.totalShares,
).bytes;

interface PendingEncode {
  readonly kind: 'encode';
  readonly job: SegmentJob;
  /** the plaintext's length (the plaintext itself is transferred away) */
  readonly size: number;
  readonly lane: number | undefined;
  resolve: (segment: EncodedSegment) => void;
  reject: (error: Error) => void;
}

interface PendingDecode {
  readonly kind: 'decode';
  resolve: (segment: DecodedSegment) => void;
  reject: (error: Error) => void;
}

type Pending = PendingEncode | PendingDecode;

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** the worker's shared lanes, once it has said where they are */
  lanes?: { readonly memory: ArrayBufferLike; readonly at: number };
  readonly freeLanes: number[];
  /** settles when the worker has said where its lanes are, or has failed to start */
  readonly ready: Promise<void>;
}

export interface SegmentWorkerPoolOptions {
  /** worker threads (default: the cores, at most 4) */
  readonly size?: number;
  /** segments up to this size are encoded on the calling thread: it takes microseconds, less than a trip to a worker and back */
  readonly inlineSegmentBytes?: number;
  readonly lanesPerWorker?: number;
  readonly laneBytes?: number;
}

/**
 * Starts the worker script beside this module. The built app runs the compiled .js; under
 * the test runner the sources are .ts, so a small bootstrap registers tsx first (Node 20
 * ignores `--import` in a worker's execArgv).
 */
function startWorker(workerData: SegmentWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./segment-worker.js', import.meta.url), { workerData });
  const href = new URL('./segment-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

function fromBuffers(result: Extract<SegmentWireResult, { kind: 'buffers' }>, k: number, n: number): EncodedSegment {
  const blockLength = result.padded.length / k;
  const blocks: Uint8Array[] = [];
  for (let j = 0; j < k; j++) blocks.push(result.padded.subarray(j * blockLength, (j + 1) * blockLength));
  for (let j = 0; j < n - k; j++) blocks.push(result.secondaryBuffer.subarray(j * blockLength, (j + 1) * blockLength));
  return {
    index: result.index,
    ciphertext: result.padded.subarray(0, result.ciphertextLength),
    padded: result.padded,
    crypttextSegmentHash: result.crypttextSegmentHash,
    blocks,
    blockHashes: result.blockHashes,
    secondaryBuffer: result.secondaryBuffer,
    plaintext: result.plaintext,
  };
}

/**
 * Encodes segments on worker threads so that both cores work; the calling thread stays free.
 * A job with `lendOutput` is encoded into a lane of its worker's shared memory, and its blocks
 * are read there (no copy, nothing transferred) until it is released. It decodes segments too
 * (decodeChk's `segmentDecoder`), so that their hashing and decryption leave the thread that
 * reads the shares.
 */
export class SegmentWorkerPool implements SegmentEncoder, SegmentDecoder {
  readonly size: number;
  readonly inlineSegmentBytes: number;
  private readonly lanesPerWorker: number;
  private readonly laneBytes: number;
  private readonly workers: PoolWorker[] = [];
  /** settles when every worker has said where its lanes are (or one failed to start) */
  private lanesReady: Promise<unknown> | undefined;
  /** where each lent segment's lane is, until it is released */
  private readonly lent = new WeakMap<EncodedSegment, { readonly worker: PoolWorker; readonly lane: number }>();
  private nextId = 0;
  private closed = false;

  constructor(options: SegmentWorkerPoolOptions = {}) {
    this.size = options.size ?? Math.max(1, Math.min(availableParallelism(), 4));
    this.inlineSegmentBytes = options.inlineSegmentBytes ?? DEFAULT_INLINE_SEGMENT_BYTES;
    this.lanesPerWorker = options.lanesPerWorker ?? DEFAULT_LANES_PER_WORKER;
    this.laneBytes = options.laneBytes ?? DEFAULT_LANE_BYTES;
  }

  /**
   * Workers start with the first job: each is a V8 isolate of its own (tens of MiB), and a
   * node that only downloads never needs them. Their lanes are address space until used.
   */
  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const worker = startWorker({ laneCount: this.lanesPerWorker, laneBytes: this.laneBytes });
      let markReady!: () => void;
      let markFailed!: (error: Error) => void;
      const ready = new Promise<void>((resolve, reject) => {
        markReady = resolve;
        markFailed = reject;
      });
      ready.catch(() => undefined); // also reported to the jobs, through failAll
      const poolWorker: PoolWorker = { worker, pending: new Map(), freeLanes: [], ready };
      worker.on('message', (message: SegmentReply | SegmentWorkerReady) => {
        if ('ready' in message) {
          poolWorker.lanes = { memory: message.memory, at: message.lanesAt };
          for (let lane = 0; lane < this.lanesPerWorker; lane++) poolWorker.freeLanes.push(lane);
          if (poolWorker.pending.size === 0) worker.unref();
          markReady();
        } else {
          this.settle(poolWorker, message);
        }
      });
      const fail = (error: Error): void => {
        markFailed(error);
        this.failAll(poolWorker, error);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`segment worker exited with code ${code}`)));
      // Referenced until it is ready: a job may be waiting for its lanes (then unreferenced when idle).
      this.workers.push(poolWorker);
    }
    this.lanesReady = Promise.all(this.workers.map((w) => w.ready));
    this.lanesReady.catch(() => undefined); // a worker that fails is reported to the jobs waiting for it
  }

  async encode(job: SegmentJob): Promise<EncodedSegment> {
    if (this.closed) throw new Error('the segment worker pool is closed');
    if (job.plaintext.length <= this.inlineSegmentBytes) return inProcessSegmentEncoder.encode(job);
    if (this.workers.length === 0) this.start();
    const fitsLane = job.lendOutput === true && segmentLaneLayout(job.plaintext.length, job.neededShares, job.totalShares).bytes <= this.laneBytes;
    // The first jobs wait for the lanes rather than fall back to buffers (the workers must start anyway).
    if (fitsLane) await this.lanesReady;
    if (this.closed) throw new Error('the segment worker pool is closed');
    const withLane = fitsLane ? this.workers.filter((w) => w.freeLanes.length > 0) : [];
    const candidates = withLane.length > 0 ? withLane : this.workers;
    const target = candidates.reduce((best, w) => (w.pending.size < best.pending.size ? w : best));
    const lane = withLane.length > 0 ? target.freeLanes.pop() : undefined;
    const id = this.nextId++;
    return new Promise<EncodedSegment>((resolve, reject) => {
      target.pending.set(id, { kind: 'encode', job, size: job.plaintext.length, lane, resolve, reject });
      target.worker.ref(); // keep the process alive while a job is out
      // Whole buffers move to the worker without a copy (and come back with the result).
      const buffers = lane === undefined ? [job.plaintext, job.paddedBuffer, job.secondaryBuffer] : [job.plaintext];
      const transfers = buffers.filter((b) => b !== undefined && b.byteLength > 0 && ownsBuffer(b));
      const request: SegmentRequest = lane === undefined ? { id, job } : { id, job: { ...job, paddedBuffer: undefined, secondaryBuffer: undefined }, lane };
      target.worker.postMessage(request, [...new Set(transfers.map((b) => b!.buffer as ArrayBuffer))]);
    });
  }

  /**
   * Hashes, rebuilds and decrypts a segment on the least busy worker. Its blocks are copied
   * into one buffer that moves to the worker: they are views of reads that may still hold the
   * blocks of later segments.
   */
  async decodeSegment(job: SegmentDecodeJob): Promise<DecodedSegment> {
    if (this.closed) throw new Error('the segment worker pool is closed');
    if (job.segmentLength <= this.inlineSegmentBytes) return inProcessSegmentDecoder.decodeSegment(job);
    if (this.workers.length === 0) this.start();
    const target = this.workers.reduce((best, w) => (w.pending.size < best.pending.size ? w : best));
    const joined = new Uint8Array(job.blocks.reduce((sum, block) => sum + block.length, 0));
    const blocks: Uint8Array[] = [];
    let at = 0;
    for (const block of job.blocks) {
      joined.set(block, at);
      blocks.push(joined.subarray(at, at + block.length));
      at += block.length;
    }
    const id = this.nextId++;
    return new Promise<DecodedSegment>((resolve, reject) => {
      target.pending.set(id, { kind: 'decode', resolve, reject });
      target.worker.ref(); // keep the process alive while a job is out
      const request: SegmentDecodeRequest = { id, decode: { ...job, blocks } };
      target.worker.postMessage(request, joined.byteLength > 0 ? [joined.buffer] : []);
    });
  }

  /** Lanes holding a segment that is being encoded or has not been released yet. */
  get lanesInUse(): number {
    return this.workers.reduce((sum, w) => sum + (w.lanes === undefined ? 0 : this.lanesPerWorker - w.freeLanes.length), 0);
  }

  release(segment: EncodedSegment): void {
    const place = this.lent.get(segment);
    if (place === undefined) return;
    this.lent.delete(segment);
    place.worker.freeLanes.push(place.lane);
  }

  private settle(poolWorker: PoolWorker, reply: SegmentReply): void {
    const pending = poolWorker.pending.get(reply.id);
    if (pending === undefined) return;
    poolWorker.pending.delete(reply.id);
    if (poolWorker.pending.size === 0) poolWorker.worker.unref(); // an idle pool never holds the process open
    if (pending.kind === 'decode') {
      if ('decoded' in reply) pending.resolve(reply.decoded);
      else pending.reject(new Error(`segment decoding failed: ${'error' in reply ? reply.error : 'the worker sent no segment'}`));
      return;
    }
    if ('error' in reply) {
      if (pending.lane !== undefined) poolWorker.freeLanes.push(pending.lane);
      pending.reject(new Error(`segment encoding failed: ${reply.error}`));
      return;
    }
    if (!('result' in reply)) {
      pending.reject(new Error('segment encoding failed: the worker sent no encoded segment'));
      return;
    }
    const { neededShares: k, totalShares: n } = pending.job;
    if (reply.result.kind === 'buffers') {
      pending.resolve(fromBuffers(reply.result, k, n));
      return;
    }
    const layout = segmentLaneLayout(pending.size, k, n);
    const { memory, at } = poolWorker.lanes!;
    const { padded, blocks, secondary } = laneViews(memory, at + pending.lane! * this.laneBytes, layout, k, n);
    const segment: EncodedSegment = {
      index: reply.result.index,
      ciphertext: padded.subarray(0, pending.size),
      padded,
      crypttextSegmentHash: reply.result.crypttextSegmentHash,
      blocks,
      blockHashes: reply.result.blockHashes,
      secondaryBuffer: secondary,
      plaintext: reply.result.plaintext,
    };
    this.lent.set(segment, { worker: poolWorker, lane: pending.lane! });
    pending.resolve(segment);
  }

  private failAll(poolWorker: PoolWorker, error: Error): void {
    for (const pending of poolWorker.pending.values()) pending.reject(error);
    poolWorker.pending.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
