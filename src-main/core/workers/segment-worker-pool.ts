import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { inProcessSegmentEncoder, type EncodedSegment, type SegmentEncoder, type SegmentJob } from '../immutable/segment-encoder.js';
import type { SegmentReply, SegmentRequest, SegmentWireResult } from './segment-worker.js';
import { ownsBuffer } from './transfer.js';

/** By default, segments up to this size are encoded on the calling thread. */
const DEFAULT_INLINE_SEGMENT_BYTES = 64 * 1024;

interface Pending {
  readonly job: SegmentJob;
  resolve: (segment: EncodedSegment) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/**
 * Starts the worker script beside this module. The built app runs the compiled .js; under
 * the test runner the sources are .ts, so a small bootstrap registers tsx first (Node 20
 * ignores `--import` in a worker's execArgv).
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./segment-worker.js', import.meta.url));
  const href = new URL('./segment-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(href)}); })`;
  return new Worker(bootstrap, { eval: true });
}

function fromWire(result: SegmentWireResult, k: number, n: number): EncodedSegment {
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

/** Encodes segments on worker threads so that both cores work; the calling thread stays free. */
export class SegmentWorkerPool implements SegmentEncoder {
  private readonly workers: PoolWorker[] = [];
  private nextId = 0;
  private closed = false;

  /**
   * @param inlineSegmentBytes segments up to this size are encoded on the calling thread: it
   *   takes microseconds, less than a trip to a worker and back
   */
  constructor(
    readonly size: number = Math.max(1, Math.min(availableParallelism(), 4)),
    readonly inlineSegmentBytes: number = DEFAULT_INLINE_SEGMENT_BYTES,
  ) {}

  /**
   * Workers start with the first job: each is a V8 isolate of its own (tens of MiB), and a
   * node that only downloads never needs them.
   */
  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const worker = startWorker();
      const poolWorker: PoolWorker = { worker, pending: new Map() };
      worker.on('message', (reply: SegmentReply) => this.settle(poolWorker, reply));
      worker.on('error', (error) => this.failAll(poolWorker, error));
      worker.on('exit', (code) => this.failAll(poolWorker, new Error(`segment worker exited with code ${code}`)));
      worker.unref();
      this.workers.push(poolWorker);
    }
  }

  encode(job: SegmentJob): Promise<EncodedSegment> {
    if (this.closed) return Promise.reject(new Error('the segment worker pool is closed'));
    if (job.plaintext.length <= this.inlineSegmentBytes) return inProcessSegmentEncoder.encode(job);
    if (this.workers.length === 0) this.start();
    const target = this.workers.reduce((best, w) => (w.pending.size < best.pending.size ? w : best));
    const id = this.nextId++;
    return new Promise<EncodedSegment>((resolve, reject) => {
      target.pending.set(id, { job, resolve, reject });
      target.worker.ref(); // keep the process alive while a job is out
      // Whole buffers move to the worker without a copy (and come back with the result).
      const transfers = [job.plaintext, job.paddedBuffer, job.secondaryBuffer].filter((b) => b !== undefined && b.byteLength > 0 && ownsBuffer(b));
      const request: SegmentRequest = { id, job };
      target.worker.postMessage(request, [...new Set(transfers.map((b) => b!.buffer as ArrayBuffer))]);
    });
  }

  private settle(poolWorker: PoolWorker, reply: SegmentReply): void {
    const pending = poolWorker.pending.get(reply.id);
    if (pending === undefined) return;
    poolWorker.pending.delete(reply.id);
    if (poolWorker.pending.size === 0) poolWorker.worker.unref(); // an idle pool never holds the process open
    if ('error' in reply) pending.reject(new Error(`segment encoding failed: ${reply.error}`));
    else pending.resolve(fromWire(reply.result, pending.job.neededShares, pending.job.totalShares));
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
