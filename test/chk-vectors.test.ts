import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { formatCap } from '../src-shared/caps/index.js';
import { readVectorText } from './support/vectors.js';
import { encodeToMemory, stretch } from './support/chk.js';
import { convergentKey } from '../src-main/core/immutable/convergence.js';
import { encodeChk } from '../src-main/core/immutable/encoder.js';
import { effectiveSegmentSize } from '../src-main/core/immutable/params.js';
import { chunked } from './support/chk.js';

interface Vector {
  convergence: string;
  expected: string;
  format: { kind: string };
  sample: { seed: string; length: number };
  zfec: { required: number; total: number; segmentSize: number };
}

const vectors = (parse(readVectorText('test_vectors.yaml')) as { vector: Vector[] }).vector.filter((v) => v.format.kind === 'chk');

/** The cap alone: encode and discard the blocks. */
async function capOf(v: Vector): Promise<string> {
  const data = stretch(Buffer.from(v.sample.seed, 'base64'), v.sample.length);
  const params = { neededShares: v.zfec.required, totalShares: v.zfec.total, maxSegmentSize: v.zfec.segmentSize };
  const key = await convergentKey(chunked(data), Buffer.from(v.convergence, 'base64'), params.neededShares, params.totalShares, effectiveSegmentSize(data.length, params));
  for await (const event of encodeChk(chunked(data, 1 << 20), { ...params, size: data.length, key })) {
    if (event.type === 'end') return formatCap(event.cap);
  }
  throw new Error('no cap');
}

describe('Tahoe-LAFS CHK test vectors (test_vectors.yaml)', () => {
  it('has all 120 CHK vectors', () => {
    expect(vectors).toHaveLength(120);
  });

  it.each(vectors.map((v) => [`${v.sample.length} bytes, ${v.zfec.required}-of-${v.zfec.total}, secret ${v.convergence}`, v] as const))(
    '%s',
    async (_, v) => {
      expect(await capOf(v)).toBe(v.expected);
    },
  );

  it('an encoded vector file keeps its shares consistent (share size as laid out)', async () => {
    const v = vectors.find((x) => x.sample.length === 131073 && x.zfec.required === 2)!;
    const data = stretch(Buffer.from(v.sample.seed, 'base64'), v.sample.length);
    const file = await encodeToMemory(data, { neededShares: 2, totalShares: 3, maxSegmentSize: 131072, convergence: Buffer.from(v.convergence, 'base64') });
    expect(formatCap(file.cap)).toBe(v.expected);
    expect(new Set(file.shares.map((s) => s.length)).size).toBe(1);
    expect(createHash('sha256').update(file.shares[0]!).digest('hex')).not.toBe(createHash('sha256').update(file.shares[1]!).digest('hex'));
  });
});
