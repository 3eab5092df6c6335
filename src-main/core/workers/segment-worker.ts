import '../../../src-shared/polyfills/promise-with-resolvers.js';
import { parentPort } from 'node:worker_threads';
import { encodeSegment, type SegmentJob } from '../immutable/segment-encoder.js';
import { ownsBuffer } from './transfer.js';

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
  /** the N-K secondary blocks back to back */
  readonly secondaryBuffer: Uint8Array;
  readonly crypttextSegmentHash: Uint8Array;
  readonly blockHashes: Uint8Array[];
  /** the job's plaintext buffer, sent back for reuse */
  readonly plaintext: Uint8Array;
}

export type SegmentReply =
  | { readonly id: number; readonly result: SegmentWireResult }
  | { readonly id: number; readonly error: string };

/** A view that owns its whole ArrayBuffer is transferred; any other is copied compactly. */
function owned(bytes: Uint8Array, transfers: ArrayBuffer[]): Uint8Array {
  const compact = ownsBuffer(bytes) ? bytes : bytes.slice();
  if (compact.byteLength > 0 && !transfers.includes(compact.buffer as ArrayBuffer)) transfers.push(compact.buffer as ArrayBuffer);
  return compact;
}

const port = parentPort;
if (port === null) throw new Error('segment-worker must run in a worker thread');

port.on('message', (request: SegmentRequest) => {
  try {
    const encoded = encodeSegment(request.job);
    const transfers: ArrayBuffer[] = [];
    const result: SegmentWireResult = {
      index: encoded.index,
      padded: owned(encoded.padded, transfers),
      ciphertextLength: encoded.ciphertext.length,
      secondaryBuffer: owned(encoded.secondaryBuffer, transfers),
      crypttextSegmentHash: encoded.crypttextSegmentHash.slice(),
      blockHashes: encoded.blockHashes.map((h) => h.slice()),
      plaintext: owned(encoded.plaintext, transfers),
    };
    port.postMessage({ id: request.id, result } satisfies SegmentReply, transfers);
  } catch (error) {
    port.postMessage({ id: request.id, error: (error as Error).message } satisfies SegmentReply);
  }
});
