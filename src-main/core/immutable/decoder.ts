import type { ChkReadCap, ChkVerifyCap } from '../../../src-shared/caps/index.js';

/** What checking a share needs of a cap: its UEB hash and numbers, not its key (a verify cap will do). */
type ChkShareCap = ChkReadCap | ChkVerifyCap;
import { aesCtr } from '../crypto/aes-ctr.js';
import { equalBytes } from '../bytes.js';
import { HASH_SIZE, TaggedHasher, taggedHash } from '../crypto/hashes.js';
import { BLOCK_TAG, CIPHERTEXT_SEGMENT_TAG } from '../crypto/tags.js';
import { ReedSolomon } from '../fec/reed-solomon.js';
import { BadHashError, PartialHashTree, neededHashes, nextPowerOfTwo } from '../hash-tree.js';
import { BadShareError, NotEnoughSharesError, UriExtensionError, type ShareProblem } from './errors.js';
import { geometryFor, type ChkGeometry } from './params.js';
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

async function readBlock(share: OpenShare, geometry: ChkGeometry, segment: number): Promise<Uint8Array> {
  const ahead = share.blocksAhead?.get(segment);
  share.blocksAhead?.delete(segment);
  const block = await (ahead ?? readRawBlocks(share, geometry, segment, segment)[0]!);
  const nodes = new Map<number, Uint8Array>();
  for (const index of share.blockTree.missingFor(segment)) {
    nodes.set(index, await readExact(share.source, share.layout.blockTreeOffset + index * HASH_SIZE, HASH_SIZE, `block hash tree node ${index}`));
  }
  try {
    share.blockTree.verifyLeaf(segment, taggedHash(BLOCK_TAG, block), nodes);
  } catch (error) {
    if (!(error instanceof BadHashError)) throw error;
    fail(share.source, 'bad-block', `block ${segment} does not match its hash`);
  }
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

  /** Reports `share` bad and puts a spare in its place (opening one if need be), or throws NotEnoughSharesError. */
  async replace(share: OpenShare, error: unknown): Promise<void> {
    this.reject(error);
    const at = this.active.indexOf(share);
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
  const coder = k === geometry.totalShares ? undefined : new ReedSolomon(k, geometry.totalShares);
  const { start, end } = options.range ?? { start: 0, end: geometry.size };
  const firstSegment = Math.floor(start / geometry.segmentSize);
  const lastSegment = Math.floor((end - 1) / geometry.segmentSize);
  const schedule = readSchedule(geometry, k, lastSegment, options);
  for (let segment = firstSegment; segment <= lastSegment; segment++) {
    readBlocksAhead(active, geometry, segment, schedule);
    const blocks = await readBlocks(active, geometry, segment, replace);
    const segmentLength = segment === geometry.numSegments - 1 ? geometry.tailSize : geometry.segmentSize;
    // The segment's ciphertext is its K primary blocks, cut to its length. They are hashed
    // and decrypted piece by piece, never joined: a copy less per segment (less garbage,
    // which a slow reader would otherwise see pile up as memory).
    const ciphertext = cutTo(primaryBlocks(blocks, active, k, coder), segmentLength);
    await checkSegment(crypttextTree, segment, ciphertext, active, replace);
    if (checkedWhole === undefined) {
      // Trees checked node by node: keep only what later segments still need.
      crypttextTree.forgetBefore(segment + 1);
      for (const share of active) share.blockTree.forgetBefore(segment + 1);
    }
    const segmentStart = segment * geometry.segmentSize;
    let pieceStart = segmentStart;
    for (const piece of ciphertext) {
      // only the part of the piece inside [start, end)
      const from = Math.max(0, start - pieceStart);
      const to = Math.min(piece.length, end - pieceStart);
      if (to > from) yield aesCtr(cap.key, piece.subarray(from, to), pieceStart + from);
      pieceStart += piece.length;
    }
  }
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

/** The first `length` bytes of `pieces`, as views. */
function cutTo(pieces: readonly Uint8Array[], length: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let left = length;
  for (const piece of pieces) {
    if (left <= 0) break;
    out.push(piece.length <= left ? piece : piece.subarray(0, left));
    left -= piece.length;
  }
  return out;
}

/** Checks a range against a file size (RangeError if it is empty or out of bounds). */
export function checkByteRange(range: ByteRange, size: number): ByteRange {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start || end > size) {
    throw new RangeError(`byte range [${start}, ${end}) is not within the ${size}-byte file`);
  }
  return range;
}

async function readBlocks(
  active: OpenShare[],
  geometry: ChkGeometry,
  segment: number,
  replace: (share: OpenShare, error: unknown) => Promise<void>,
): Promise<Uint8Array[]> {
  while (true) {
    const shares = [...active];
    const results = await Promise.allSettled(shares.map((share) => readBlock(share, geometry, segment)));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed < 0) return results.map((r) => (r as PromiseFulfilledResult<Uint8Array>).value);
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') await replace(shares[i]!, r.reason);
    }
  }
}

/** The K primary blocks in order: as read, or rebuilt from parity. */
function primaryBlocks(blocks: Uint8Array[], active: readonly OpenShare[], k: number, coder: ReedSolomon | undefined): Uint8Array[] {
  const indices = active.map((s) => s.shareNumber);
  const primaries = indices.every((shareNumber, i) => shareNumber === i) || coder === undefined ? orderBy(blocks, indices) : coder.decode(blocks, indices);
  return primaries.slice(0, k);
}

function orderBy(blocks: Uint8Array[], indices: number[]): Uint8Array[] {
  const ordered: Uint8Array[] = [];
  indices.forEach((shareNumber, i) => (ordered[shareNumber] = blocks[i]!));
  return ordered;
}

/** Checks a decoded segment against the crypttext hash tree, reading missing nodes from any active share. */
async function checkSegment(
  tree: PartialHashTree,
  segment: number,
  ciphertext: readonly Uint8Array[],
  active: OpenShare[],
  replace: (share: OpenShare, error: unknown) => Promise<void>,
): Promise<void> {
  const hasher = new TaggedHasher(CIPHERTEXT_SEGMENT_TAG);
  for (const piece of ciphertext) hasher.update(piece);
  const segmentHash = hasher.digest();
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
