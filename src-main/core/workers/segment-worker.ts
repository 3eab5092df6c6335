import '../../../src-shared/polyfills/promise-with-resolvers.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { getSharedKernel } from '../fec/kernel.js';
import { decodeSegment, type DecodedSegment, type SegmentDecodeJob } from '../immutable/segment-decoder.js';
import { encodeSegment, type EncodedSegment, type SegmentJob } from '../immutable/segment-encoder.js';
import { encodeSegmentInLane } from '../immutable/segment-lane.js';
import { ownsBuffer } from './transfer.js';

/** What the pool tells a worker when it starts it. */
export interface SegmentWorkerData {
  readonly laneCount: number;
  readonly laneBytes: number;
}

export interface SegmentRequest {
  readonly id: number;
  readonly job: SegmentJob;
  /** encode into this lane of the worker's shared memory (the job has `lendOutput`) */
  readonly lane?: number;
}

/** An encoded segment in a form that crosses threads without copies. */
export type SegmentWireResult =
  | {
      readonly kind: 'buffers';
      readonly index: number;
      /** the padded ciphertext: the unpadded ciphertext and the K primary blocks are views of it */
      readonly padded: Uint8Array;
      readonly ciphertextLength: number;
      /** the N-K secondary blocks back to back */
      readonly secondaryBuffer: Uint8Array;
      readonly crypttextSegmentHash: Uint8Array;
      readonly blockHashes: Uint8Array[];
      /** the job's plaintext buffer, sent back for reuse */
      readonly plaintext: Uint8Array;
    }
  | {
      /** the blocks are in the request's lane; only the hashes travel */
      readonly kind: 'lane';
      readonly index: number;
      readonly crypttextSegmentHash: Uint8Array;
      readonly blockHashes: Uint8Array[];
      readonly plaintext: Uint8Array;
    };

/** A segment to hash, rebuild and decrypt; its blocks are views of a buffer transferred with it. */
export interface SegmentDecodeRequest {
  readonly id: number;
  readonly decode: SegmentDecodeJob;
}

export type SegmentReply =
  | { readonly id: number; readonly result: SegmentWireResult }
  | { readonly id: number; readonly decoded: DecodedSegment }
  | { readonly id: number; readonly error: string };

/** The worker's first message: its lanes, as a shared buffer and the offset where lane 0 starts. */
export interface SegmentWorkerReady {
  readonly ready: true;
  readonly memory: ArrayBufferLike;
  readonly lanesAt: number;
}

/** A view that owns its whole ArrayBuffer is transferred; any other is copied compactly. */
function owned(bytes: Uint8Array, transfers: ArrayBuffer[]): Uint8Array {
  const compact = ownsBuffer(bytes) ? bytes : bytes.slice();
  if (compact.byteLength > 0 && !transfers.includes(compact.buffer as ArrayBuffer)) transfers.push(compact.buffer as ArrayBuffer);
  return compact;
}

function toWire(encoded: EncodedSegment, inLane: boolean, transfers: ArrayBuffer[]): SegmentWireResult {
  const hashes = {
    index: encoded.index,
    crypttextSegmentHash: encoded.crypttextSegmentHash.slice(),
    blockHashes: encoded.blockHashes.map((h) => h.slice()),
    plaintext: owned(encoded.plaintext, transfers),
  };
  if (inLane) return { kind: 'lane', ...hashes };
  return {
    kind: 'buffers',
    ...hashes,
    padded: owned(encoded.padded, transfers),
    ciphertextLength: encoded.ciphertext.length,
    secondaryBuffer: owned(encoded.secondaryBuffer, transfers),
  };
}

/**
 * Each segment's AES output (node:crypto allocates it: it cannot encrypt into a given buffer)
 * is garbage outside the V8 heap once copied into place, as is a decoded segment's buffer of
 * blocks once its reply is sent. A worker allocates so little on its
 * heap that V8 lets up to its external-memory limit (64 MiB) of that garbage wait for a
 * collection, in each worker. A minor GC after every few MiB encoded frees it: measured on a
 * 1 GiB encode with two workers, peak RSS 188–206 MiB without, 168–172 MiB with.
 */
const COLLECT_EVERY_BYTES = 16 * 1024 * 1024;
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as (options: { type: 'minor' }) => void;
let bytesSinceCollection = 0;

function countDone(bytes: number): void {
  bytesSinceCollection += bytes;
  if (bytesSinceCollection < COLLECT_EVERY_BYTES) return;
  bytesSinceCollection = 0;
  collectGarbage({ type: 'minor' });
}

const port = parentPort;
if (port === null) throw new Error('segment-worker must run in a worker thread');
const { laneCount, laneBytes } = workerData as SegmentWorkerData;
const lanes = getSharedKernel().lend(laneCount * laneBytes);
port.postMessage({ ready: true, memory: lanes.buffer, lanesAt: lanes.offset } satisfies SegmentWorkerReady);

function replyDecoded(request: SegmentDecodeRequest): void {
  const decoded = decodeSegment(request.decode);
  const transfers: ArrayBuffer[] = [];
  const wire: DecodedSegment = { ...decoded, plaintext: decoded.plaintext.map((piece) => owned(piece, transfers)) };
  port!.postMessage({ id: request.id, decoded: wire } satisfies SegmentReply, transfers);
  countDone(request.decode.segmentLength);
}

port.on('message', (request: SegmentRequest | SegmentDecodeRequest) => {
  try {
    if ('decode' in request) return replyDecoded(request);
    const inLane = request.lane !== undefined;
    const encoded = inLane ? encodeSegmentInLane(request.job, lanes.offset + request.lane! * laneBytes) : encodeSegment(request.job);
    const transfers: ArrayBuffer[] = [];
    const size = encoded.padded.length; // read before its buffer is transferred away
    port.postMessage({ id: request.id, result: toWire(encoded, inLane, transfers) } satisfies SegmentReply, transfers);
    countDone(size); // after the reply: the caller need not wait for it
  } catch (error) {
    port.postMessage({ id: request.id, error: (error as Error).message } satisfies SegmentReply);
  }
});
