import type { ChkReadCap } from '../../../src-shared/caps/index.js';
import { storageIndexOfKey } from '../../../src-shared/caps/index.js';
import { concatBytes } from '../bytes.js';
import { TaggedHasher } from '../crypto/hashes.js';
import { CIPHERTEXT_TAG } from '../crypto/tags.js';
import { AES_KEY_SIZE } from '../crypto/aes-ctr.js';
import { HashTree, treeNodeCount } from '../hash-tree.js';
import { EncodingParameterError } from './errors.js';
import {
  DEFAULT_ENCODING_PARAMETERS,
  chkGeometry,
  segmentRange,
  type ChkGeometry,
  type EncodingParameters,
} from './params.js';
import { inProcessSegmentEncoder, type EncodedSegment, type SegmentEncoder } from './segment-encoder.js';
import { readSegments } from './segment-reader.js';
import type { BufferRecycler } from './buffer-recycler.js';
import {
  encodeShareHashes,
  encodeShareHeader,
  encodeUebWithLength,
  shareLayout,
  shareSize,
  type ShareLayout,
} from './share-layout.js';
import { packUriExtension, uriExtensionHash, type UriExtension } from './uri-extension.js';

export interface ChkEncodeOptions extends Partial<EncodingParameters> {
  /** the exact plaintext size; the stream must deliver exactly this many bytes */
  readonly size: number;
  /** the AES key: convergent (see convergence.ts) or random */
  readonly key: Uint8Array;
  /** the storage index, when it is not the key's (a repair from a verify cap encodes under a stand-in key) */
  readonly storageIndex?: Uint8Array;
  /** where segment work runs; defaults to this thread */
  readonly segmentEncoder?: SegmentEncoder;
  /**
   * Segments being encoded at once (bounds memory); default 6. With two workers, each then has
   * a segment queued behind the one it works on even while this thread hashes and hands out a
   * finished one: bench/encode ran 2-3 % faster than with 4 (20 interleaved rounds each).
   */
  readonly segmentsInFlight?: number;
  /**
   * Reuse buffers through this recycler. The encoder then owns the plaintext chunks it is
   * given (a whole-buffer chunk of exactly one segment is used without a copy), and the
   * blocks of a 'segment' event are valid only until the next event is requested (or, with
   * `holdBlocks`, until the event's `release` is called).
   */
  readonly buffers?: BufferRecycler;
  /**
   * With `buffers`: the consumer keeps each segment's blocks past the next event (it sends
   * several segments at once) and hands them back by calling the event's `release` when it
   * is done with them. A segment never released is left to the garbage collector, and its
   * lane (if a worker lent one) stays taken.
   */
  readonly holdBlocks?: boolean;
}

/** First event: everything a share writer needs before any block. */
export interface ChkEncodeStart {
  readonly type: 'start';
  readonly geometry: ChkGeometry;
  readonly layout: ShareLayout;
  /** the header bytes, identical for every share */
  readonly header: Uint8Array;
  /** total bytes of each share (what a server must allocate) */
  readonly shareSize: number;
  readonly storageIndex: Uint8Array;
}

/** One per segment, in order: block j is the next data for share j. */
export interface ChkEncodeSegment {
  readonly type: 'segment';
  readonly index: number;
  readonly blocks: readonly Uint8Array[];
  /** plaintext bytes encoded so far (for progress) */
  readonly bytesDone: number;
  /** with `holdBlocks`: hands the blocks back for reuse (call it once nothing reads them any more) */
  readonly release?: () => void;
}

/** Last event: each share's hashes and UEB (appended after its blocks), and the cap. */
export interface ChkEncodeEnd {
  readonly type: 'end';
  readonly trailers: readonly Uint8Array[];
  readonly uriExtension: Uint8Array;
  readonly cap: ChkReadCap;
}

export type ChkEncodeEvent = ChkEncodeStart | ChkEncodeSegment | ChkEncodeEnd;

const ZERO_HASH = new Uint8Array(32);
const DEFAULT_SEGMENTS_IN_FLIGHT = 6;

function uriExtensionFor(geometry: ChkGeometry, hashes?: Pick<UriExtension, 'crypttextHash' | 'crypttextRootHash' | 'shareRootHash'>): UriExtension {
  return {
    codecName: 'crs',
    segmentSize: geometry.segmentSize,
    neededShares: geometry.neededShares,
    totalShares: geometry.totalShares,
    numSegments: geometry.numSegments,
    size: geometry.size,
    tailSegmentSize: geometry.paddedTailSize,
    crypttextHash: hashes?.crypttextHash ?? ZERO_HASH,
    crypttextRootHash: hashes?.crypttextRootHash ?? ZERO_HASH,
    shareRootHash: hashes?.shareRootHash ?? ZERO_HASH,
  };
}

/**
 * Tahoe CHK encoding as a streaming transform: plaintext in, share bytes out, segment by
 * segment. Memory is O(segmentsInFlight × segment × N/K) plus the hash trees.
 */
export async function* encodeChk(
  plaintext: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ChkEncodeOptions,
): AsyncGenerator<ChkEncodeEvent> {
  const params: EncodingParameters = {
    neededShares: options.neededShares ?? DEFAULT_ENCODING_PARAMETERS.neededShares,
    totalShares: options.totalShares ?? DEFAULT_ENCODING_PARAMETERS.totalShares,
    maxSegmentSize: options.maxSegmentSize ?? DEFAULT_ENCODING_PARAMETERS.maxSegmentSize,
  };
  if (options.key.length !== AES_KEY_SIZE) {
    throw new EncodingParameterError(`the encryption key must be ${AES_KEY_SIZE} bytes, got ${options.key.length}`);
  }
  if (!Number.isSafeInteger(options.size) || options.size < 1) {
    throw new EncodingParameterError(`a CHK file must have at least 1 byte (got size ${options.size})`);
  }
  const geometry = chkGeometry(options.size, params);
  const { neededShares: k, totalShares: n } = geometry;
  const layout = shareLayout(geometry);
  const uebLength = packUriExtension(uriExtensionFor(geometry)).length;
  const storageIndex = options.storageIndex ?? storageIndexOfKey(options.key);
  yield {
    type: 'start',
    geometry,
    layout,
    header: encodeShareHeader(layout),
    shareSize: shareSize(layout, uebLength),
    storageIndex,
  };

  const segmentEncoder = options.segmentEncoder ?? inProcessSegmentEncoder;
  const inFlightLimit = Math.max(1, options.segmentsInFlight ?? DEFAULT_SEGMENTS_IN_FLIGHT);
  const crypttextHasher = new TaggedHasher(CIPHERTEXT_TAG);
  const segmentHashes: Uint8Array[] = [];
  const blockHashes: Uint8Array[][] = Array.from({ length: n }, () => []);
  const pending: Array<Promise<EncodedSegment>> = [];
  let bytesDone = 0;

  const finishOne = (segment: EncodedSegment): ChkEncodeSegment => {
    crypttextHasher.update(segment.ciphertext);
    segmentHashes.push(segment.crypttextSegmentHash);
    segment.blockHashes.forEach((hash, j) => blockHashes[j]!.push(hash));
    bytesDone += segment.ciphertext.length;
    return { type: 'segment', index: segment.index, blocks: segment.blocks, bytesDone };
  };

  const buffers = options.buffers;
  const segments = readSegments(plaintext, geometry.size, geometry.segmentSize, {
    allocate: buffers && ((length) => buffers.take(length)),
    adoptChunks: buffers !== undefined,
  });
  // A consumer that takes recycled buffers is done with a segment's blocks when it asks for
  // the next event, so the segment encoder may lend it views of its own memory meanwhile.
  const lendOutput = buffers !== undefined && segmentEncoder.release !== undefined;
  const giveBack = (segment: EncodedSegment): void => {
    segmentEncoder.release?.(segment);
    buffers?.give(segment.plaintext);
    if (lendOutput) return; // no job takes output buffers from the recycler then: keeping them would only hold memory
    buffers?.give(segment.padded);
    buffers?.give(segment.secondaryBuffer);
  };
  /** Yields one finished segment; once the consumer asks for more (or stops), its memory is reused. */
  async function* emit(segment: EncodedSegment): AsyncGenerator<ChkEncodeSegment> {
    if (options.holdBlocks === true && buffers !== undefined) {
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        giveBack(segment);
      };
      yield { ...finishOne(segment), release };
      return;
    }
    try {
      yield finishOne(segment);
    } finally {
      giveBack(segment);
    }
  }

  let index = 0;
  try {
    for await (const segmentPlaintext of segments) {
      const [offset] = segmentRange(geometry, index);
      const blockLength = Math.ceil(segmentPlaintext.length / k);
      const job = {
        index,
        key: options.key,
        offset,
        plaintext: segmentPlaintext,
        neededShares: k,
        totalShares: n,
        paddedBuffer: lendOutput ? undefined : buffers?.take(k * blockLength),
        secondaryBuffer: lendOutput ? undefined : buffers?.take((n - k) * blockLength),
        lendOutput,
      };
      const encoded = segmentEncoder.encode(job);
      encoded.catch(() => undefined); // surfaced when awaited in order below
      pending.push(encoded);
      index += 1;
      if (pending.length >= inFlightLimit) yield* emit(await pending.shift()!);
    }
    while (pending.length > 0) yield* emit(await pending.shift()!);
  } finally {
    // An abandoned or failed encode must not leave rejections unobserved, nor lent memory unreturned.
    for (const p of pending) p.then(giveBack, () => undefined);
  }

  const crypttextTree = new HashTree(segmentHashes);
  const blockTrees = blockHashes.map((leaves) => new HashTree(leaves));
  const shareTree = new HashTree(blockTrees.map((tree) => tree.root));
  const uriExtension = packUriExtension(
    uriExtensionFor(geometry, {
      crypttextHash: crypttextHasher.digest(),
      crypttextRootHash: crypttextTree.root,
      shareRootHash: shareTree.root,
    }),
  );
  const uebWithLength = encodeUebWithLength(layout, uriExtension);
  const plaintextTreeArea = new Uint8Array(treeNodeCount(geometry.numSegments) * 32);
  const crypttextTreeBytes = crypttextTree.serialize();
  const trailers = blockTrees.map((blockTree, j) =>
    concatBytes([
      plaintextTreeArea,
      crypttextTreeBytes,
      blockTree.serialize(),
      encodeShareHashes(shareTree.neededFor(j, true)),
      uebWithLength,
    ]),
  );
  const cap: ChkReadCap = {
    kind: 'chk',
    key: options.key,
    uebHash: uriExtensionHash(uriExtension),
    neededShares: k,
    totalShares: n,
    size: geometry.size,
  };
  yield { type: 'end', trailers, uriExtension, cap };
}
