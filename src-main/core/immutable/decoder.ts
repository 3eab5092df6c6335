import type { ChkReadCap, ChkVerifyCap } from '../../../src-shared/caps/index.js';

/** What checking a share needs of a cap: its UEB hash and numbers, not its key (a verify cap will do). */
type ChkShareCap = ChkReadCap | ChkVerifyCap;
import { equalBytes } from '../bytes.js';
import { HASH_SIZE, taggedHash } from '../crypto/hashes.js';
import { BLOCK_TAG } from '../crypto/tags.js';
import { BadHashError, PartialHashTree, neededHashes, nextPowerOfTwo } from '../hash-tree.js';
import { BadShareError, NotEnoughSharesError, UriExtensionError, type ShareProblem } from './errors.js';
import { geometryFor, type ChkGeometry } from './params.js';
import { decodeSegment, inProcessSegmentDecoder, type DecodedSegment, type SegmentDecodeJob, type SegmentDecoder } from './segment-decoder.js';
import { PrefetchingShareSource, type ShareSource } from './share-source.js';
import {
  MAX_HEADER_SIZE,
  checkLayoutMatches,
  parseShareHashes,
  parseShareHeader,
  uebLengthFieldSize,
  type ShareLayout,
} from './share-layout.js';
import { MAX_UEB_SIZE, unpackUriExtension, uriExtensionHash, type UriExtension } from './uri-extension.js';

export interface ChkDecodeOptions {
  /** told of every share the decoder rejects, as soon as it does */
  readonly onBadShare?: (error: BadShareError) => void;
  /**
   * Hash areas up to this many bytes are read and checked whole when a share is opened
   * (one read, and every byte but the block data verified up front). Larger ones (files of
   * tens of GiB) are checked node by node as segments are read, keeping memory bounded.
   */
  readonly wholeTreeCheckLimit?: number;
  /**
   * Segments whose blocks may be asked for ahead of the one being decoded (default 4). Reads
   * from a network then overlap with decoding; memory grows by this many segments.
   */
  readonly readAhead?: number;
  /**
   * …and at most this many bytes of segments ahead (default 4 MiB: four of Tahoe's largest
   * default segments), so that files with large segments do not read megabytes ahead of a
   * consumer that waits. Segment by segment, the decoder reads only as its consumer pulls.
   */
  readonly readAheadBytes?: number;
  /**
   * Consecutive blocks of a share are asked for in one read of about this many bytes
   * (default 1 MiB), within the read-ahead. Each read is a request to a server, and a
   * request costs both sides far more CPU than its bytes do.
   */
  readonly readBatchBytes?: number;
  /** only these plaintext bytes, [start, end): just the segments that hold them are read */
  readonly range?: ByteRange;
  /**
   * 'all' (the default) opens every candidate share at the start, so that a bad one is named
   * even if it is not needed. 'needed' opens K (the primary shares first) and opens a spare
   * only when a share fails: over a network, opening shares that are not used costs their
   * servers and this side several reads each.
   */
  readonly openShares?: 'all' | 'needed';
  /**
   * Runs each segment's hashing, erasure decoding and decryption: on this thread by default.
   * A decoder on another thread (core/workers) works on one segment while the next one's
   * blocks are read; nothing it returns is emitted before its hashes are verified here.
   */
  readonly segmentDecoder?: SegmentDecoder;
}

/** Bytes [start, end) of a file. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

interface OpenShare {
  readonly source: ShareSource;
  readonly shareNumber: number;
  readonly layout: ShareLayout;
  readonly blockTree: PartialHashTree;
  /** this share's copy of the crypttext hash tree, when it was checked whole at open */
  readonly crypttextTree?: PartialHashTree;
  /** block reads started ahead of need (unverified bytes), by segment */
  readonly blocksAhead?: Map<number, Promise<Uint8Array>>;
}

const DEFAULT_READ_AHEAD = 4;
const DEFAULT_READ_AHEAD_BYTES = 4 * 1024 * 1024;
const DEFAULT_READ_BATCH_BYTES = 1024 * 1024;

const DEFAULT_WHOLE_TREE_CHECK_LIMIT = 8 * 1024 * 1024;

/** What the UEB (checked against the cap) says about the file. */
interface FileFacts {
  readonly ueb: UriExtension;
  readonly geometry: ChkGeometry;
}

async function readExact(source: ShareSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await source.read(offset, length);
  } catch (error) {
    throw new BadShareError(source.label, 'read-failed', `reading ${what} failed: ${(error as Error).message}`);
  }
  if (bytes.length < length) {
    throw new BadShareError(source.label, 'truncated', `share is truncated: ${what} needs ${length} bytes at offset ${offset}, got ${bytes.length}`);
  }
  return bytes;
}

function fail(source: ShareSource, problem: ShareProblem, detail: string): never {
  throw new BadShareError(source.label, problem, detail);
}

/** Checks the UEB fields against the cap and each other; an authentic but malformed UEB means no share can help. */
function factsFromUeb(cap: ChkShareCap, ueb: UriExtension): FileFacts {
  if (ueb.neededShares !== cap.neededShares || ueb.totalShares !== cap.totalShares || ueb.size !== cap.size) {
    throw new UriExtensionError(
      `the file's URI extension block says ${ueb.neededShares}-of-${ueb.totalShares}, ${ueb.size} bytes, but the cap says ${cap.neededShares}-of-${cap.totalShares}, ${cap.size} bytes`,
    );
  }
  const geometry = geometryFor(ueb.size, ueb.neededShares, ueb.totalShares, ueb.segmentSize);
  if (geometry.numSegments !== ueb.numSegments || geometry.paddedTailSize !== ueb.tailSegmentSize) {
    throw new UriExtensionError("the file's URI extension block has inconsistent segment counts");
  }
  return { ueb, geometry };
}

/** The first read of a share: its header, and the whole share when the file is small. */
const FIRST_READ_BYTES = 64 * 1024;

async function openShare(
  original: ShareSource,
  cap: ChkShareCap,
  knownFacts: FileFacts | undefined,
  wholeTreeCheckLimit: number,
): Promise<{ share: OpenShare; facts: FileFacts }> {
  // At most two reads to open a share: its start (everything, for a small file), then the
  // hashes and the UEB at its end. Each would otherwise be a round trip of its own.
  const source = new PrefetchingShareSource(original);
  // When the blocks alone are larger than a first read, the rest of it would go unused.
  const firstRead = cap.size / cap.neededShares > FIRST_READ_BYTES ? MAX_HEADER_SIZE : FIRST_READ_BYTES;
  await source.prefetch('start', 0, firstRead).catch((error: Error) => fail(source, 'read-failed', `reading the header failed: ${error.message}`));
  const headerBytes = await source.read(0, MAX_HEADER_SIZE);
  let layout: ShareLayout;
  try {
    layout = parseShareHeader(headerBytes);
  } catch (error) {
    fail(source, 'bad-header', (error as Error).message);
  }
  const hashesAndUeb = uebLengthFieldSize(layout.version) + MAX_UEB_SIZE + (layout.uebOffset - layout.plaintextTreeOffset);
  if (layout.uebOffset + uebLengthFieldSize(layout.version) > firstRead && hashesAndUeb <= wholeTreeCheckLimit) {
    await source.prefetch('end', layout.plaintextTreeOffset, hashesAndUeb).catch((error: Error) => fail(source, 'read-failed', `reading the hashes failed: ${error.message}`));
  }
  const fieldSize = uebLengthFieldSize(layout.version);
  const lengthBytes = await readExact(source, layout.uebOffset, fieldSize, 'the URI extension length');
  const lengthView = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, fieldSize);
  const uebLength = fieldSize === 4 ? lengthView.getUint32(0) : Number(lengthView.getBigUint64(0));
  if (uebLength >= MAX_UEB_SIZE) fail(source, 'bad-ueb', `URI extension block length ${uebLength} is too large`);
  const uebBytes = await readExact(source, layout.uebOffset + fieldSize, uebLength, 'the URI extension block');
  if (!equalBytes(uriExtensionHash(uebBytes), cap.uebHash)) {
    fail(source, 'ueb-mismatch', 'its URI extension block does not match the cap (a share of another file, or corrupt)');
  }
  const facts = knownFacts ?? factsFromUeb(cap, unpackUriExtension(uebBytes));
  const layoutProblem = checkLayoutMatches(layout, facts.geometry);
  if (layoutProblem !== undefined) fail(source, 'bad-header', layoutProblem);

  const shareHashBytes = await readExact(source, layout.shareHashesOffset, layout.uebOffset - layout.shareHashesOffset, 'the share hashes');
  let shareHashes: Map<number, Uint8Array>;
  try {
    shareHashes = parseShareHashes(shareHashBytes);
  } catch (error) {
    fail(source, 'bad-share-hashes', (error as Error).message);
  }
  const blockRoot = await readExact(source, layout.blockTreeOffset, HASH_SIZE, 'the block hash tree root');
  const shareNumber = shareNumberOf(source, facts.geometry.totalShares, shareHashes, blockRoot);
  const expectedEntries = neededHashes(facts.geometry.totalShares, shareNumber, true);
  if (expectedEntries.length !== shareHashes.size || expectedEntries.some((index) => !shareHashes.has(index))) {
    fail(source, 'bad-share-hashes', `its share hashes are for nodes ${[...shareHashes.keys()].sort((a, b) => a - b).join(',')}, expected ${expectedEntries.join(',')}`);
  }
  try {
    // Each share's chain is checked on its own, so every one of its hashes is verified.
    new PartialHashTree(facts.geometry.totalShares, facts.ueb.shareRootHash).verifyLeaf(shareNumber, blockRoot, shareHashes);
  } catch (error) {
    if (!(error instanceof BadHashError) && !(error instanceof RangeError)) throw error;
    fail(source, 'bad-share-hashes', `its share hash chain does not lead to the file's share root (${error.message})`);
  }
  const numSegments = facts.geometry.numSegments;
  const hashAreaSize = layout.shareHashesOffset - layout.plaintextTreeOffset;
  if (hashAreaSize > wholeTreeCheckLimit) {
    source.forget('end');
    return { share: { source, shareNumber, layout, blockTree: new PartialHashTree(numSegments, blockRoot), blocksAhead: new Map() }, facts };
  }
  const hashArea = await readExact(source, layout.plaintextTreeOffset, hashAreaSize, 'the hash trees');
  const treeSize = layout.blockTreeOffset - layout.crypttextTreeOffset;
  if (hashArea.subarray(0, treeSize).some((byte) => byte !== 0)) {
    fail(source, 'bad-header', 'its unused plaintext hash tree area is not zero-filled');
  }
  const storedTree = (at: number, root: Uint8Array, problem: ShareProblem, name: string): PartialHashTree => {
    try {
      return PartialHashTree.fromStoredTree(numSegments, root, hashArea.subarray(at, at + treeSize));
    } catch (error) {
      if (!(error instanceof BadHashError)) throw error;
      fail(source, problem, `its ${name} is corrupt: ${error.message}`);
    }
  };
  const crypttextTree = storedTree(treeSize, facts.ueb.crypttextRootHash, 'bad-crypttext-hash-tree', 'crypttext hash tree');
  const blockTree = storedTree(2 * treeSize, blockRoot, 'bad-block-hash-tree', 'block hash tree');
  source.forget('end'); // parsed into the trees above; the start stays, for a small file's blocks
  return { share: { source, shareNumber, layout, blockTree, crypttextTree, blocksAhead: new Map() }, facts };
}

/**
 * A share does not state its number; its share-hash chain includes its own leaf, whose
 * hash is its block-tree root. Of the (at most two) leaf-level entries that match, prefer
 * the number the caller claimed.
 */
function shareNumberOf(source: ShareSource, totalShares: number, entries: Map<number, Uint8Array>, blockRoot: Uint8Array): number {
  const firstLeaf = nextPowerOfTwo(totalShares) - 1;
  const candidates = [...entries.entries()]
    .filter(([index, hash]) => index >= firstLeaf && index - firstLeaf < totalShares && equalBytes(hash, blockRoot))
    .map(([index]) => index - firstLeaf);
  if (candidates.length === 0) fail(source, 'bad-share-hashes', 'its block hash tree root is not among its share hashes');
  const claimed = source.claimedShareNumber;
  return claimed !== undefined && candidates.includes(claimed) ? claimed : Math.min(...candidates);
}

function blockLength(geometry: ChkGeometry, segment: number): number {
  return segment === geometry.numSegments - 1 ? geometry.tailBlockSize : geometry.blockSize;
}

/** The blocks of segments first..last (inclusive) of one share, in one read, as one promise each. */
function readRawBlocks(share: OpenShare, geometry: ChkGeometry, first: number, last: number): Array<Promise<Uint8Array>> {
  const length = (last - first) * geometry.blockSize + blockLength(geometry, last);
  const what = first === last ? `block ${first}` : `blocks ${first} to ${last}`;
  const read = readExact(share.source, share.layout.dataOffset + first * geometry.blockSize, length, what);
  const blocks: Array<Promise<Uint8Array>> = [];
  for (let segment = first; segment <= last; segment++) {
    const at = (segment - first) * geometry.blockSize;
    blocks.push(read.then((bytes) => bytes.subarray(at, at + blockLength(geometry, segment))));
  }
  return blocks;
}

/** How the decoder reads blocks ahead of the segment it decodes. */
interface ReadSchedule {
  /** segments ahead of the current one (counting it) whose blocks may be in flight */
  readonly window: number;
  /** consecutive blocks asked for in one read */
  readonly batch: number;
  /** the last segment wanted */
  readonly last: number;
}

/**
 * Starts reading, in batches of consecutive blocks, the blocks of segments from `segment`
 * on that each share is not reading yet, as long as a whole batch fits in the window.
 * Blocks wait unverified until readBlock checks them.
 */
function readBlocksAhead(shares: readonly OpenShare[], geometry: ChkGeometry, segment: number, schedule: ReadSchedule): void {
  const windowEnd = Math.min(schedule.last, segment + schedule.window - 1);
  for (const share of shares) {
    const ahead = share.blocksAhead;
    if (ahead === undefined) continue;
    let next = segment;
    while (ahead.has(next)) next++;
    while (next <= windowEnd) {
      // Nothing in flight (the start, or a spare just opened): the block needed now comes
      // alone, so that decoding starts before a whole batch has arrived.
      const size = next === segment ? 1 : schedule.batch;
      const last = Math.min(next + size - 1, windowEnd);
      if (last - next + 1 < size && windowEnd !== schedule.last) break; // a short batch only at the end of the file
      for (const [i, read] of readRawBlocks(share, geometry, next, last).entries()) {
        read.catch(() => undefined); // reported when (if) the decoder gets to this block
        ahead.set(next + i, read);
      }
      next = last + 1;
    }
  }
}

/** The block of `segment` of one share, unverified: from the read-ahead, or read now. */
function rawBlock(share: OpenShare, geometry: ChkGeometry, segment: number): Promise<Uint8Array> {
  const ahead = share.blocksAhead?.get(segment);
  share.blocksAhead?.delete(segment);
  return ahead ?? readRawBlocks(share, geometry, segment, segment)[0]!;
}

/** Checks a block's hash against its share's block hash tree, reading the tree nodes it lacks. */
async function verifyBlock(share: OpenShare, segment: number, blockHash: Uint8Array): Promise<void> {
  const nodes = new Map<number, Uint8Array>();
  for (const index of share.blockTree.missingFor(segment)) {
    nodes.set(index, await readExact(share.source, share.layout.blockTreeOffset + index * HASH_SIZE, HASH_SIZE, `block hash tree node ${index}`));
  }
  try {
    share.blockTree.verifyLeaf(segment, blockHash, nodes);
  } catch (error) {
    if (!(error instanceof BadHashError)) throw error;
    fail(share.source, 'bad-block', `block ${segment} does not match its hash`);
  }
}

async function readBlock(share: OpenShare, geometry: ChkGeometry, segment: number): Promise<Uint8Array> {
  const block = await rawBlock(share, geometry, segment);
  await verifyBlock(share, segment, taggedHash(BLOCK_TAG, block));
  return block;
}

/**
 * The shares a decode reads: K active ones (primary shares first: they need no erasure
 * decoding) and spares, opened at the start or only when an active share fails.
 */
class ShareSet {
  /** the K shares blocks are read from, in no particular order */
  readonly active: OpenShare[] = [];
  readonly #spares: OpenShare[] = [];
  /** candidates not opened yet: claimed primaries first */
  readonly #unopened: ShareSource[];
  readonly #k: number;
  #facts: FileFacts | undefined;

  constructor(
    private readonly cap: ChkReadCap,
    candidates: readonly ShareSource[],
    private readonly reject: (error: unknown) => void,
    private readonly badShares: readonly BadShareError[],
    private readonly options: ChkDecodeOptions,
  ) {
    this.#k = cap.neededShares;
    const claimsPrimary = (source: ShareSource): boolean => source.claimedShareNumber !== undefined && source.claimedShareNumber < this.#k;
    this.#unopened = [...candidates.filter(claimsPrimary), ...candidates.filter((c) => !claimsPrimary(c))];
  }

  /** Opens shares until K are usable; the file's facts, from the first share opened. */
  async start(): Promise<FileFacts> {
    await this.#open(this.options.openShares === 'needed' ? this.#k : this.#unopened.length);
    while (this.#spares.length < this.#k && this.#unopened.length > 0) await this.#open(this.#k - this.#spares.length);
    if (this.#facts === undefined || this.#spares.length < this.#k) throw new NotEnoughSharesError(this.#k, this.#spares.length, [...this.badShares]);
    this.active.push(...this.#spares.splice(0, this.#k));
    return this.#facts;
  }

  /** Every share opened so far. */
  opened(): OpenShare[] {
    return [...this.active, ...this.#spares];
  }

  /**
   * Reports `share` bad and puts a spare in its place (opening one if need be), or throws
   * NotEnoughSharesError. A share no longer active was replaced, and reported, already.
   */
  async replace(share: OpenShare, error: unknown): Promise<void> {
    const at = this.active.indexOf(share);
    if (at < 0) return;
    this.reject(error);
    this.active.splice(at, 1);
    while (this.#spares.length === 0 && this.#unopened.length > 0) await this.#open(1);
    const spare = this.#spares.shift();
    if (spare === undefined) throw new NotEnoughSharesError(this.#k, this.active.length, [...this.badShares]);
    this.active.splice(at, 0, spare);
  }

  /** Opens the next `count` unopened candidates at once (each open is a few dependent reads, a round trip each over a network). */
  async #open(count: number): Promise<void> {
    const sources = this.#unopened.splice(0, count);
    const limit = this.options.wholeTreeCheckLimit ?? DEFAULT_WHOLE_TREE_CHECK_LIMIT;
    const openings = await Promise.allSettled(sources.map((source) => openShare(source, this.cap, undefined, limit)));
    for (const [i, opening] of openings.entries()) {
      try {
        if (opening.status === 'rejected') throw opening.reason;
        const { share, facts } = opening.value;
        this.#facts ??= facts;
        if (this.opened().some((s) => s.shareNumber === share.shareNumber)) {
          fail(sources[i]!, 'duplicate', `it holds share ${share.shareNumber}, which another share already provides`);
        }
        this.#spares.push(share);
      } catch (error) {
        this.reject(error);
      }
    }
    this.#spares.sort((a, b) => a.shareNumber - b.shareNumber); // primary shares first
  }
}

/**
 * Tahoe CHK decoding as a streaming transform: a read-cap and candidate shares in,
 * verified plaintext out, one segment at a time. Every block is checked against its
 * share's block hash tree and every segment against the crypttext hash tree whose root
 * the cap commits to, before a byte of it is decrypted and emitted. A bad share is
 * reported (onBadShare) and replaced by a spare; with fewer than K good shares left the
 * decoder throws NotEnoughSharesError. Memory stays O(segment × K).
 */
export async function* decodeChk(
  cap: ChkReadCap,
  candidates: readonly ShareSource[],
  options: ChkDecodeOptions = {},
): AsyncGenerator<Uint8Array> {
  const k = cap.neededShares;
  if (options.range !== undefined) checkByteRange(options.range, cap.size);
  const badShares: BadShareError[] = [];
  const reject = (error: unknown): void => {
    if (!(error instanceof BadShareError)) throw error;
    badShares.push(error);
    options.onBadShare?.(error);
  };

  const shares = new ShareSet(cap, candidates, reject, badShares, options);
  const { geometry, ueb } = await shares.start();
  const { active } = shares;
  const replace = (share: OpenShare, error: unknown): Promise<void> => shares.replace(share, error);

  const checkedWhole = shares.opened().find((s) => s.crypttextTree)?.crypttextTree;
  const crypttextTree = checkedWhole ?? new PartialHashTree(geometry.numSegments, ueb.crypttextRootHash);
  const { start, end } = options.range ?? { start: 0, end: geometry.size };
  const firstSegment = Math.floor(start / geometry.segmentSize);
  const lastSegment = Math.floor((end - 1) / geometry.segmentSize);
  const schedule = readSchedule(geometry, k, lastSegment, options);
  const segmentDecoder = options.segmentDecoder ?? inProcessSegmentDecoder;
  // With a decoder off this thread, the next segment's blocks are read while it works.
  const decodeAhead = options.segmentDecoder === undefined ? 0 : DECODE_AHEAD;

  const jobFor = (segment: number, { shares, blocks }: ReadBlocks): SegmentDecodeJob => {
    const offset = segment * geometry.segmentSize;
    const segmentLength = segment === geometry.numSegments - 1 ? geometry.tailSize : geometry.segmentSize;
    const shareNumbers = shares.map((share) => share.shareNumber);
    // only the part of the segment inside [start, end)
    const [from, to] = [Math.max(0, start - offset), Math.min(segmentLength, end - offset)];
    return { key: cap.key, blocks, shareNumbers, neededShares: k, totalShares: geometry.totalShares, segmentLength, offset, from, to };
  };

  /** Verifies a decoded segment (decoding it again from blocks checked one by one if a block is bad); its plaintext. */
  const finish = async ({ segment, read, decoded }: StartedSegment): Promise<Uint8Array[]> => {
    let result = await decoded;
    const failures = await blockFailures(read.shares, segment, result.blockHashes);
    if (failures.length > 0) {
      for (const [share, error] of failures) await replace(share, error);
      // the blocks that matched their hashes are used as they are; only the spares' are read
      const failed = new Set(failures.map(([share]) => share));
      const checked = new Map(read.shares.flatMap((share, i) => (failed.has(share) ? [] : [[share, read.blocks[i]!] as const])));
      const again = await readBlocks(active, segment, (share) => Promise.resolve(checked.get(share) ?? readBlock(share, geometry, segment)), replace);
      result = decodeSegment(jobFor(segment, again));
    }
    await checkSegment(crypttextTree, segment, result.segmentHash, active, replace);
    if (checkedWhole === undefined) {
      // Trees checked node by node: keep only what later segments still need.
      crypttextTree.forgetBefore(segment + 1);
      for (const share of active) share.blockTree.forgetBefore(segment + 1);
    }
    return result.plaintext;
  };

  const started: StartedSegment[] = [];
  for (let segment = firstSegment; segment <= lastSegment; segment++) {
    readBlocksAhead(active, geometry, segment, schedule);
    const read = await readBlocks(active, segment, (share) => rawBlock(share, geometry, segment), replace);
    const decoded = segmentDecoder.decodeSegment(jobFor(segment, read));
    decoded.catch(() => undefined); // awaited (and its failure thrown) when the segment is finished
    started.push({ segment, read, decoded });
    while (started.length > decodeAhead || (segment === lastSegment && started.length > 0)) {
      yield* await finish(started.shift()!);
    }
  }
}

/** Segments a decoder off this thread works on while the decoder reads the next one's blocks. */
const DECODE_AHEAD = 1;

/** A segment whose blocks were read and handed to the segment decoder, not yet verified. */
interface StartedSegment {
  readonly segment: number;
  /** its blocks as read (not yet checked), and the shares they came from */
  readonly read: ReadBlocks;
  readonly decoded: Promise<DecodedSegment>;
}

/** The shares whose block of `segment` does not match its hash, with the reason. */
async function blockFailures(shares: readonly OpenShare[], segment: number, blockHashes: readonly Uint8Array[]): Promise<Array<[OpenShare, unknown]>> {
  const results = await Promise.allSettled(shares.map((share, i) => verifyBlock(share, segment, blockHashes[i]!)));
  const failures: Array<[OpenShare, unknown]> = [];
  results.forEach((result, i) => {
    if (result.status === 'rejected') {
      if (!(result.reason instanceof BadShareError)) throw result.reason;
      failures.push([shares[i]!, result.reason]);
    }
  });
  return failures;
}

/** The read-ahead window and batch size for this file within the options' limits. */
function readSchedule(geometry: ChkGeometry, k: number, last: number, options: ChkDecodeOptions): ReadSchedule {
  // A segment is its maximum size rounded up to a multiple of K: the K-1 extra bytes do not count.
  const segmentsInBudget = Math.floor((options.readAheadBytes ?? DEFAULT_READ_AHEAD_BYTES) / (geometry.segmentSize - (k - 1)));
  const ahead = Math.max(0, Math.min(options.readAhead ?? DEFAULT_READ_AHEAD, segmentsInBudget));
  const window = ahead + 1; // the segment being decoded, and those ahead of it
  const perRead = Math.round((options.readBatchBytes ?? DEFAULT_READ_BATCH_BYTES) / geometry.blockSize);
  // Batches no larger than the read-ahead, so that a new one starts while others are in flight.
  return { window, batch: Math.max(1, Math.min(perRead, ahead)), last };
}

/** Checks a range against a file size (RangeError if it is empty or out of bounds). */
export function checkByteRange(range: ByteRange, size: number): ByteRange {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start || end > size) {
    throw new RangeError(`byte range [${start}, ${end}) is not within the ${size}-byte file`);
  }
  return range;
}

/** The blocks of one segment, block i from shares[i]. */
interface ReadBlocks {
  readonly shares: OpenShare[];
  readonly blocks: Uint8Array[];
}

/** Reads one block from each active share, replacing those that fail until K blocks are in. */
async function readBlocks(
  active: OpenShare[],
  segment: number,
  read: (share: OpenShare) => Promise<Uint8Array>,
  replace: (share: OpenShare, error: unknown) => Promise<void>,
): Promise<ReadBlocks> {
  while (true) {
    const shares = [...active];
    const results = await Promise.allSettled(shares.map(read));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed < 0) return { shares, blocks: results.map((r) => (r as PromiseFulfilledResult<Uint8Array>).value) };
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') await replace(shares[i]!, r.reason);
    }
  }
}

/** Checks a decoded segment's hash against the crypttext hash tree, reading missing nodes from any active share. */
async function checkSegment(
  tree: PartialHashTree,
  segment: number,
  segmentHash: Uint8Array,
  active: OpenShare[],
  replace: (share: OpenShare, error: unknown) => Promise<void>,
): Promise<void> {
  while (true) {
    const share = active[0]!;
    try {
      const nodes = new Map<number, Uint8Array>();
      for (const index of tree.missingFor(segment)) {
        const at = share.layout.crypttextTreeOffset + index * HASH_SIZE;
        nodes.set(index, await readExact(share.source, at, HASH_SIZE, `crypttext hash tree node ${index}`));
      }
      try {
        tree.verifyLeaf(segment, segmentHash, nodes);
        return;
      } catch (error) {
        if (!(error instanceof BadHashError)) throw error;
        if (nodes.size === 0) {
          // Every node was already verified, so the segment itself is wrong; blocks were
          // each verified, so this cannot be one share's fault.
          throw new UriExtensionError(`segment ${segment} decoded from verified blocks fails the crypttext hash tree: the file was encoded wrongly`);
        }
        fail(share.source, 'bad-crypttext-hash-tree', `its crypttext hash tree is corrupt at segment ${segment}`);
      }
    } catch (error) {
      if (!(error instanceof BadShareError)) throw error;
      await replace(share, error);
    }
  }
}

/**
 * Checks one share completely without decoding the file: its header, UEB (against the cap),
 * hash chain, hash trees and every block. Returns its share number, or throws BadShareError
 * saying what is wrong. Reads the whole share once; memory O(block).
 */
export async function verifyChkShare(cap: ChkShareCap, source: ShareSource, options: Pick<ChkDecodeOptions, 'wholeTreeCheckLimit'> = {}): Promise<number> {
  const { share, facts } = await openShare(source, cap, undefined, options.wholeTreeCheckLimit ?? DEFAULT_WHOLE_TREE_CHECK_LIMIT);
  const lazy = share.crypttextTree === undefined;
  for (let segment = 0; segment < facts.geometry.numSegments; segment++) {
    await readBlock(share, facts.geometry, segment);
    if (lazy) share.blockTree.forgetBefore(segment + 1);
  }
  return share.shareNumber;
}

/** The file's URI extension block, read from one share and checked against the cap. */
export async function readVerifiedUriExtension(cap: ChkShareCap, source: ShareSource): Promise<UriExtension> {
  return (await openShare(source, cap, undefined, 0)).facts.ueb;
}
