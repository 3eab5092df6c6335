import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from '../src-shared/base32.js';
import { formatCap, verifyCapOf } from '../src-shared/caps/index.js';
import { HASH_SIZE } from '../src-main/core/crypto/hashes.js';
import { HashTree } from '../src-main/core/hash-tree.js';
import { convergenceTag } from '../src-main/core/immutable/convergence.js';
import { chkGeometry } from '../src-main/core/immutable/params.js';
import { parseShareHashes, parseShareHeader } from '../src-main/core/immutable/share-layout.js';
import { unpackUriExtension } from '../src-main/core/immutable/uri-extension.js';
import { encodeToMemory, stretch } from './support/chk.js';
import { readVectorJson } from './support/vectors.js';

interface Case {
  inputs: { convergence_b64: string; seed_b64: string; length: number; k: number; n: number; max_segment_size: number };
  expected_cap_from_tahoe_vectors: string;
  convergence_tag_hex: string;
  key_b32: string;
  storage_index_b32: string;
  segment_size: number;
  num_segments: number;
  tail_segment_size: number;
  padded_tail_size: number;
  block_size: number;
  tail_block_size: number;
  share_data_size: number;
  crypttext_hash_tree_nodes_b32: string[];
  block_hash_tree_roots_b32: string[];
  share_hash_tree_nodes_b32: string[];
  ueb_hex: string;
  ueb_hash_b32: string;
  verify_cap: string;
  share_buckets_v1?: Record<string, { share_hash_entry_order: number[]; bucket_b64: string }>;
}

const cases = readVectorJson<{ cases: Case[] }>('chk-intermediates.json').cases;

describe('CHK intermediate values (chk-intermediates.json)', () => {
  it.each(cases.map((c) => [`${c.inputs.length} bytes ${c.inputs.k}-of-${c.inputs.n}`, c] as const))('%s', async (_, c) => {
    const { k, n, length } = c.inputs;
    const params = { neededShares: k, totalShares: n, maxSegmentSize: c.inputs.max_segment_size };
    const convergence = Buffer.from(c.inputs.convergence_b64, 'base64');
    const data = stretch(Buffer.from(c.inputs.seed_b64, 'base64'), length);

    const geometry = chkGeometry(length, params);
    expect(geometry).toMatchObject({
      segmentSize: c.segment_size,
      numSegments: c.num_segments,
      tailSize: c.tail_segment_size,
      paddedTailSize: c.padded_tail_size,
      blockSize: c.block_size,
      tailBlockSize: c.tail_block_size,
      shareDataSize: c.share_data_size,
    });
    expect(Buffer.from(convergenceTag(convergence, k, n, geometry.segmentSize)).toString('hex')).toBe(c.convergence_tag_hex);

    const file = await encodeToMemory(data, { ...params, convergence });
    expect(base32Encode(file.cap.key)).toBe(c.key_b32);
    expect(formatCap(file.cap)).toBe(c.expected_cap_from_tahoe_vectors);
    expect(formatCap(verifyCapOf(file.cap))).toBe(c.verify_cap);
    expect(Buffer.from(file.uriExtension).toString('hex')).toBe(c.ueb_hex);
    expect(base32Encode(file.cap.uebHash)).toBe(c.ueb_hash_b32);

    const ueb = unpackUriExtension(file.uriExtension);
    expect(base32Encode(ueb.crypttextRootHash)).toBe(c.crypttext_hash_tree_nodes_b32[0]);
    expect(base32Encode(ueb.shareRootHash)).toBe(c.share_hash_tree_nodes_b32[0]);

    file.shares.forEach((share, j) => {
      const layout = parseShareHeader(share);
      const tree = (offset: number) =>
        Array.from({ length: c.crypttext_hash_tree_nodes_b32.length }, (_, i) => base32Encode(share.subarray(offset + i * HASH_SIZE, offset + (i + 1) * HASH_SIZE)));
      expect(tree(layout.crypttextTreeOffset)).toEqual(c.crypttext_hash_tree_nodes_b32);
      expect(base32Encode(share.subarray(layout.blockTreeOffset, layout.blockTreeOffset + HASH_SIZE))).toBe(c.block_hash_tree_roots_b32[j]);
      const entries = parseShareHashes(share.subarray(layout.shareHashesOffset, layout.uebOffset));
      for (const [index, hash] of entries) expect(base32Encode(hash)).toBe(c.share_hash_tree_nodes_b32[index]);
    });
    const shareTree = new HashTree(c.block_hash_tree_roots_b32.map(base32Decode));
    expect(shareTree.nodes.map(base32Encode)).toEqual(c.share_hash_tree_nodes_b32);

    // Whole buckets, byte for byte, apart from the order of share-hash entries (Tahoe writes
    // them in CPython set order; we write them ascending, which every reader accepts).
    for (const [shnum, bucket] of Object.entries(c.share_buckets_v1 ?? {})) {
      const tahoe = Buffer.from(bucket.bucket_b64, 'base64');
      const ours = Buffer.from(file.shares[Number(shnum)]!);
      expect(ours.length).toBe(tahoe.length);
      const layout = parseShareHeader(ours);
      expect(ours.subarray(0, layout.shareHashesOffset)).toEqual(tahoe.subarray(0, layout.shareHashesOffset));
      expect(ours.subarray(layout.uebOffset)).toEqual(tahoe.subarray(layout.uebOffset));
      const theirEntries = parseShareHashes(tahoe.subarray(layout.shareHashesOffset, layout.uebOffset));
      expect([...theirEntries.keys()]).toEqual(bucket.share_hash_entry_order);
      expect(parseShareHashes(ours.subarray(layout.shareHashesOffset, layout.uebOffset))).toEqual(theirEntries);
    }
  });
});
