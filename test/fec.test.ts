import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { GF_EXP, GF_LOG, gfInv, gfMul } from '../src-main/core/fec/gf256.js';
import { createKernel, getKernel, getSharedKernel, hasRelaxedSimd } from '../src-main/core/fec/kernel.js';
import * as kernelWasm from '../src-main/core/fec/kernel-wasm.js';
import { encodingMatrix, invertMatrix } from '../src-main/core/fec/matrix.js';
import { FecInputError, FecParameterError, ReedSolomon } from '../src-main/core/fec/reed-solomon.js';
import { assembleKernel, kernelBuilds } from '../scripts/build-wasm.mjs';
import { referenceDecode, referenceEncode, referenceMatrix, refMul } from './reference/reed-solomon-reference.js';
import { readVectorJson } from './support/vectors.js';

interface KnownCase {
  k: number;
  n: number;
  block_len?: number;
  primary_blocks_hex: string[];
  all_blocks_hex: string[];
}
interface KnownAnswers {
  cases: KnownCase[];
  extra_case_from_zfec_test_suite_inputs: KnownCase;
  encoding_matrices: Record<string, number[][]>;
}
const known = readVectorJson<KnownAnswers>('zfec-known-answers.json');

const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const concat = (blocks: readonly Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(blocks));

/** Deterministic xorshift32 bytes, so failures reproduce. */
function randomBlocks(count: number, len: number, seed: number): Uint8Array[] {
  let s = seed | 1;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  return Array.from({ length: count }, () => {
    const block = new Uint8Array(len);
    for (let i = 0; i < len; i++) block[i] = next() & 0xff;
    return block;
  });
}

function randomSubset(n: number, k: number, seed: number): number[] {
  const picks = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [picks[i], picks[j]] = [picks[j]!, picks[i]!];
  }
  return picks.slice(0, k);
}

function* subsets(n: number, k: number, start = 0): Generator<number[]> {
  if (k === 0) {
    yield [];
    return;
  }
  for (let i = start; i <= n - k; i++) for (const rest of subsets(n, k - 1, i + 1)) yield [i, ...rest];
}

/** Encodes `primaries` and returns all n blocks. */
function allBlocks(rs: ReedSolomon, primaries: Uint8Array[]): Uint8Array[] {
  return [...primaries, ...rs.encode(primaries)];
}

describe('GF(256)', () => {
  it('builds exp/log tables for polynomial 0x11D with generator 2', () => {
    expect([...GF_EXP.subarray(0, 10)]).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 0x1d, 0x3a]);
    expect(new Set(GF_EXP.subarray(0, 255)).size).toBe(255);
    for (let a = 1; a < 256; a++) expect(GF_EXP[GF_LOG[a]!]).toBe(a);
  });

  it('multiplies and inverts like the bitwise definition', () => {
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b += 7) expect(gfMul(a, b)).toBe(refMul(a, b));
      if (a > 0) expect(gfMul(a, gfInv(a))).toBe(1);
    }
    expect(() => gfInv(0)).toThrow(RangeError);
  });
});

describe('encoding matrix', () => {
  it.each(Object.entries(known.encoding_matrices))('matches zfec for (k,n) = (%s)', (name, expected) => {
    const [k, n] = name.split('-').map(Number) as [number, number];
    expect(encodingMatrix(k, n).map((row) => [...row])).toEqual(expected);
    expect(referenceMatrix(k, n)).toEqual(expected);
  });

  it('gives the spec examples for E(3,10)', () => {
    const rows = encodingMatrix(3, 10).slice(3).map((row) => [...row]);
    expect(rows).toEqual([[15, 8, 6], [45, 48, 28], [153, 224, 120], [11, 231, 237], [137, 59, 179], [70, 241, 182], [186, 217, 98]]);
  });

  it.each([[1, 256], [101, 256], [255, 256], [256, 256], [128, 256], [17, 40]])('matches the reference for (%i, %i)', (k, n) => {
    expect(encodingMatrix(k, n).map((row) => [...row])).toEqual(referenceMatrix(k, n));
  });

  it('inverts and rejects singular matrices', () => {
    const rows = encodingMatrix(4, 9).slice(3, 7);
    const inverse = invertMatrix(rows);
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        let dot = 0;
        for (let i = 0; i < 4; i++) dot ^= gfMul(rows[r]![i]!, inverse[i]![c]!);
        expect(dot).toBe(r === c ? 1 : 0);
      }
    }
    expect(() => invertMatrix([Uint8Array.of(1, 2), Uint8Array.of(2, 4)])).toThrow('singular');
  });
});

describe('zfec known answers', () => {
  const cases = [...known.cases, known.extra_case_from_zfec_test_suite_inputs];

  it.each(cases.map((c) => [`${c.k}-of-${c.n}`, c] as const))('%s', (_, c) => {
    const rs = new ReedSolomon(c.k, c.n);
    const primaries = c.primary_blocks_hex.map(fromHex);
    const expected = c.all_blocks_hex;
    expect(c.all_blocks_hex.slice(0, c.k)).toEqual(c.primary_blocks_hex);

    expect(allBlocks(rs, primaries).map(toHex)).toEqual(expected);
    const len = primaries[0]!.length;
    expect(rs.encodeSegment(concat(primaries), len).map(toHex)).toEqual(expected.slice(c.k));
    expect(referenceEncode(c.k, c.n, primaries).map(toHex)).toEqual(expected);

    // Decode from the last k blocks (as many secondaries as possible), in reverse order.
    const indices = Array.from({ length: c.k }, (_, i) => c.n - 1 - i);
    const decoded = rs.decode(indices.map((i) => fromHex(expected[i]!)), indices);
    expect(decoded.map(toHex)).toEqual(c.primary_blocks_hex);
  });

  it('uses the documented primary block rule', () => {
    for (const c of known.cases) {
      c.primary_blocks_hex.forEach((hex, i) => {
        expect([...fromHex(hex)]).toEqual(Array.from({ length: hex.length / 2 }, (_, j) => (i * 31 + j * 7 + 1) % 256));
      });
    }
  });
});

describe('WASM kernel vs reference', () => {
  const pairs: [number, number][] = [
    [1, 1], [1, 2], [1, 10], [2, 3], [3, 10], [5, 5], [7, 10], [10, 20], [16, 32], [71, 255],
    [1, 256], [101, 256], [128, 256], [255, 256], [256, 256],
  ];
  const lengths = [0, 1, 15, 16, 17, 63, 64, 65, 1000, 65537];
  // Keep the reference's byte loop to about 5M multiplies per case.
  const cases = pairs.flatMap(([k, n]) =>
    lengths.filter((len) => len <= 1000 || k * (n - k) * len <= 5e6).map((len) => [k, n, len] as const),
  );

  it.each(cases)('(%i, %i) with blocks of %i bytes', (k, n, len) => {
    const rs = new ReedSolomon(k, n);
    const primaries = randomBlocks(k, len, k * 1000 + n + len);
    const copies = primaries.map((b) => b.slice());
    const expected = referenceEncode(k, n, primaries).slice(k).map(toHex);

    const secondaries = rs.encode(primaries);
    expect(secondaries.map(toHex)).toEqual(expected);
    expect(secondaries.every((b) => b.length === len && b.byteOffset === 0 && b.buffer.byteLength === len)).toBe(true);
    expect(rs.encodeSegment(concat(primaries), len).map(toHex)).toEqual(expected);
    expect(primaries.map(toHex)).toEqual(copies.map(toHex)); // inputs untouched
  });

  it('handles megabyte blocks (memory growth) and then small ones again', () => {
    const rs = new ReedSolomon(3, 10);
    const len = 1_048_577;
    const segment = randomBlocks(1, 3 * len, 99)[0]!;
    const secondaries = rs.encodeSegment(segment, len);
    const p = [0, 1, 2].map((i) => segment.subarray(i * len, (i + 1) * len));
    const e = encodingMatrix(3, 10);
    for (const t of [0, 1, 12345, len - 65, len - 1]) {
      secondaries.forEach((block, j) => {
        const row = e[3 + j]!;
        expect(block[t]).toBe(refMul(row[0]!, p[0]![t]!) ^ refMul(row[1]!, p[1]![t]!) ^ refMul(row[2]!, p[2]![t]!));
      });
    }
    const decoded = rs.decode(secondaries.slice(4, 7), [7, 8, 9]);
    decoded.forEach((block, i) => expect(Buffer.compare(block, p[i]!)).toBe(0));

    const small = randomBlocks(3, 5, 7);
    expect(rs.encode(small).map(toHex)).toEqual(referenceEncode(3, 10, small).slice(3).map(toHex));
  });
});

describe('decode', () => {
  it.each([[1, 3], [2, 4], [3, 5], [3, 6], [4, 7], [5, 8]])('(%i, %i) from every k-subset', (k, n) => {
    const rs = new ReedSolomon(k, n);
    const primaries = randomBlocks(k, 33, k * 10 + n);
    const blocks = allBlocks(rs, primaries);
    const want = primaries.map(toHex);
    let count = 0;
    for (const subset of subsets(n, k)) {
      const order = count % 2 === 0 ? subset : [...subset].reverse();
      const decoded = rs.decode(order.map((i) => blocks[i]!), order);
      expect(decoded.map(toHex), `indices ${order.join(',')}`).toEqual(want);
      subset.filter((i) => i < k).forEach((i) => expect(decoded[i]).toBe(blocks[i])); // present primaries as-is
      count++;
    }
    expect(count).toBeGreaterThan(0);
  });

  it.each([[71, 255], [101, 256], [128, 256], [255, 256], [1, 256], [16, 200]])('(%i, %i) from random subsets', (k, n) => {
    const rs = new ReedSolomon(k, n);
    const primaries = randomBlocks(k, 77, k + n);
    const blocks = allBlocks(rs, primaries);
    const want = primaries.map(toHex);
    const tries = [randomSubset(n, k, 1), randomSubset(n, k, 2), randomSubset(n, k, 3)];
    tries.push(Array.from({ length: k }, (_, i) => n - 1 - i)); // as many secondaries as possible
    for (const subset of tries) {
      expect(rs.decode(subset.map((i) => blocks[i]!), subset).map(toHex)).toEqual(want);
    }
    const subset = tries[0]!;
    expect(referenceDecode(k, n, subset.map((i) => blocks[i]!), subset).map(toHex)).toEqual(want);
  });

  it('decodes odd lengths including 0', () => {
    const rs = new ReedSolomon(3, 10);
    for (const len of [0, 1, 15, 16, 17, 1000, 65537]) {
      const primaries = randomBlocks(3, len, len + 5);
      const blocks = allBlocks(rs, primaries);
      expect(rs.decode([blocks[9]!, blocks[1]!, blocks[4]!], [9, 1, 4]).map(toHex)).toEqual(primaries.map(toHex));
    }
  });

  it('returns the primaries themselves when all are present', () => {
    const rs = new ReedSolomon(3, 5);
    const p = randomBlocks(3, 4, 1);
    const decoded = rs.decode([p[2]!, p[0]!, p[1]!], [2, 0, 1]);
    decoded.forEach((block, i) => expect(block).toBe(p[i]));
  });
});

describe('errors', () => {
  it.each([
    [5, 3, 'k must be between 1 and n (got k=5, n=3)'],
    [0, 3, 'k must be between 1 and n (got k=0, n=3)'],
    [1.5, 3, 'k must be between 1 and n (got k=1.5, n=3)'],
    [3, 257, 'n must be an integer between 1 and 256 (got n=257)'],
    [1, 0, 'n must be an integer between 1 and 256 (got n=0)'],
  ])('rejects k=%s, n=%s', (k, n, message) => {
    expect(() => new ReedSolomon(k, n)).toThrow(FecParameterError);
    expect(() => new ReedSolomon(k, n)).toThrow(message);
  });

  const rs = new ReedSolomon(3, 5);
  const three = randomBlocks(3, 8, 3);
  const bad = (f: () => unknown, message: string): void => {
    expect(f).toThrow(FecInputError);
    expect(f).toThrow(message);
  };

  it('rejects bad encode inputs', () => {
    bad(() => rs.encode(three.slice(0, 2)), 'expected 3 primary blocks, got 2');
    bad(() => rs.encode([...three, three[0]!]), 'expected 3 primary blocks, got 4');
    bad(() => rs.encode([three[0]!, new Uint8Array(7), three[2]!]), 'all blocks must have the same length (block 1 has 7 bytes, block 0 has 8)');
    bad(() => rs.encodeSegment(new Uint8Array(10), 3), 'segment has 10 bytes, expected k·blockLength = 3·3 = 9');
    bad(() => rs.encodeSegment(new Uint8Array(0), -1), 'block length must be a non-negative integer (got -1)');
  });

  it('rejects bad decode inputs', () => {
    bad(() => rs.decode(three.slice(0, 2), [0, 1]), 'expected 3 blocks, got 2');
    bad(() => rs.decode(three, [0, 1]), 'expected 3 share indices, got 2');
    bad(() => rs.decode(three, [0, 4, 4]), 'duplicate share index 4');
    bad(() => rs.decode(three, [0, 1, 5]), 'share index 5 is out of range 0..4');
    bad(() => rs.decode(three, [-1, 1, 2]), 'share index -1 is out of range 0..4');
    bad(() => rs.decode([three[0]!, three[1]!, new Uint8Array(9)], [0, 1, 3]), 'all blocks must have the same length (block 2 has 9 bytes, block 0 has 8)');
  });

  it('names the error classes', () => {
    expect(new FecParameterError('x').name).toBe('FecParameterError');
    expect(new FecInputError('x')).toBeInstanceOf(Error);
  });
});

describe('kernel-wasm.ts', () => {
  it('holds exactly the four builds assembled from kernel.wat', async () => {
    const names = Object.keys(kernelBuilds) as (keyof typeof kernelBuilds)[];
    expect(names.sort()).toEqual(Object.keys(kernelWasm).sort());
    for (const name of names) {
      expect(Buffer.from(kernelWasm[name], 'base64').equals(Buffer.from(await assembleKernel(kernelBuilds[name]))), name).toBe(true);
    }
  });
});

describe('every kernel build vs reference', () => {
  // Node 20 runs relaxed SIMD once kernel.ts turns its flag on; the suite must cover both builds.
  it('runs relaxed SIMD here', () => expect(hasRelaxedSimd()).toBe(true));

  const builds = [false, true].flatMap((relaxed) => [false, true].map((shared) => ({ relaxed, shared })));
  // m = n − k rows: odd and even counts exercise the paired path and the single row after it
  const pairs: [number, number][] = [[1, 2], [2, 4], [3, 6], [3, 10], [4, 12], [5, 13], [20, 45], [1, 256]];
  const lengths = [1, 17, 64, 100, 4097, 50_001];
  const cases = builds.flatMap((build) =>
    pairs.flatMap(([k, n]) => lengths.filter((len) => k * (n - k) * len <= 5e6).map((len) => [build, k, n, len] as const)),
  );

  it.each(cases)('%o (%i, %i) with blocks of %i bytes', (build, k, n, len) => {
    const kernel = createKernel(build);
    expect(kernel.multipliesCorrectly()).toBe(true);
    const primaries = randomBlocks(k, len, k * 7919 + n + len);
    const parity = Uint8Array.from(encodingMatrix(k, n).slice(k).flatMap((row) => [...row]));
    expect(kernel.mulRows(parity, k, primaries, len).map(toHex)).toEqual(referenceEncode(k, n, primaries).slice(k).map(toHex));
  });

  it('chooses the relaxed build for this thread when the engine has it', () => {
    // the thread's kernels are whichever builds passed their known answer; both must multiply right
    expect(getKernel().multipliesCorrectly()).toBe(true);
    expect(getSharedKernel().multipliesCorrectly()).toBe(true);
  });
});

describe('worker threads', () => {
  it('gives each thread its own working instance', async () => {
    // Transpile the fec folder to plain JS so a worker can load it without a TS loader.
    const fecDir = new URL('../src-main/core/fec/', import.meta.url);
    const outDir = mkdtempSync(join(tmpdir(), 'cairn-fec-'));
    try {
      for (const file of readdirSync(fecDir).filter((f) => f.endsWith('.ts'))) {
        const source = readFileSync(new URL(file, fecDir), 'utf8');
        const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
        writeFileSync(join(outDir, file.replace(/\.ts$/, '.js')), js.outputText);
      }
      const workerFile = join(outDir, 'worker.mjs');
      writeFileSync(
        workerFile,
        `import { parentPort, workerData } from 'node:worker_threads';
         import { ReedSolomon } from './reed-solomon.js';
         const rs = new ReedSolomon(3, 10);
         const parity = rs.encode(workerData.primaries);
         const decoded = rs.decode(parity.slice(4), [7, 8, 9]);
         parentPort.postMessage({ parity, decoded });`,
      );
      const primaries = randomBlocks(3, 100_003, 42);
      const run = (): Promise<{ parity: Uint8Array[]; decoded: Uint8Array[] }> =>
        new Promise((resolve, reject) => {
          const worker = new Worker(workerFile, { workerData: { primaries } });
          worker.once('message', (result: { parity: Uint8Array[]; decoded: Uint8Array[] }) => {
            void worker.terminate();
            resolve(result);
          });
          worker.once('error', reject);
        });
      const results = await Promise.all([run(), run()]);
      const expected = new ReedSolomon(3, 10).encode(primaries).map(toHex);
      for (const result of results) {
        expect(result.parity.map(toHex)).toEqual(expected);
        expect(result.decoded.map(toHex)).toEqual(primaries.map(toHex));
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
