import '../../../src-shared/polyfills/promise-with-resolvers.js';
import { parentPort } from 'node:worker_threads';
import { encodeSegment, type SegmentJob } from '../immutable/segment-encoder.js';

export interface SegmentRequest {
  readonly id: number;
  readonly job: SegmentJob;
}

/** An encoded segment in a form that crosses threads without copies. */
export interface SegmentWireResult {
  readonly index: number;
  /** the padded ciphertext: the unpadded ciphertext and the K primary blocks are views of it */
  readonly padded: Uint8Array;
  readonly ciphertextLength: number;
  readonly secondaries: Uint8Array[];
  readonly crypttextSegmentHash: Uint8Array;
  readonly blockHashes: Uint8Array[];
}

export type SegmentReply =
  | { readonly id: number; readonly result: SegmentWireResult }
  | { readonly id: number; readonly error: string };

/** A view that owns its whole ArrayBuffer is transferred; any other is copied compactly. */
function owned(bytes: Uint8Array, transfers: ArrayBuffer[]): Uint8Array {
  const compact = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  transfers.push(compact.buffer as ArrayBuffer);
  return compact;
}

const port = parentPort;
if (port === null) throw new Error('segment-worker must run in a worker thread');

port.on('message', (request: SegmentRequest) => {
  try {
    const { index, ciphertext, crypttextSegmentHash, blocks, blockHashes } = encodeSegment(request.job);
    const k = request.job.neededShares;
    const first = blocks[0]!;
    const transfers: ArrayBuffer[] = [];
    const result: SegmentWireResult = {
      index,
      padded: owned(new Uint8Array(first.buffer, first.byteOffset, first.length * k), transfers),
      ciphertextLength: ciphertext.length,
      secondaries: blocks.slice(k).map((b) => owned(b, transfers)),
      crypttextSegmentHash: crypttextSegmentHash.slice(),
      blockHashes: blockHashes.map((h) => h.slice()),
    };
    port.postMessage({ id: request.id, result } satisfies SegmentReply, transfers);
  } catch (error) {
    port.postMessage({ id: request.id, error: (error as Error).message } satisfies SegmentReply);
  }
});
