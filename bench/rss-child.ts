// Peak-RSS probe, run by bench/encode.ts in a fresh process so that maxRSS belongs to one
// operation only (it includes the worker threads: they share the process).
//
//   node dist/bench/rss-child.js encode INPUT OUTDIR all|J,J,...   writes share files, prints the cap
//   node dist/bench/rss-child.js decode CAP SHAREFILE...            decodes, discarding the plaintext
//
// Prints one JSON line: { maxRssKiB, seconds, bytes, cap?, vmHwmKiB? }.
import '../src-shared/polyfills/promise-with-resolvers.js';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { formatCap, parseChkReadCap } from '../src-shared/caps/index.js';
import { decodeChk } from '../src-main/core/immutable/decoder.js';
import { DEFAULT_ENCODING_PARAMETERS } from '../src-main/core/immutable/params.js';
import { SegmentWorkerPool } from '../src-main/core/workers/segment-worker-pool.js';
import { encodeFileChk, fileSize } from '../src-main/node/file-encoding.js';
import { openShareFile, type OpenShareFile } from '../src-main/node/local-files.js';
import { writeShareFiles } from './files.js';

export interface RssChildReport {
  readonly maxRssKiB: number;
  readonly seconds: number;
  /** plaintext bytes encoded or decoded */
  readonly bytes: number;
  readonly cap?: string;
  /** Linux only: this process image's own peak (VmHWM in /proc/self/status), a cross-check */
  readonly vmHwmKiB?: number;
}

/** as many as bench/encode.ts's pool (and its label) */
const WORKERS = 2;
const CONVERGENCE_SECRET = new TextEncoder().encode('cairn-bench-rss');

async function encode(input: string, outDir: string, which: string): Promise<Omit<RssChildReport, 'maxRssKiB'>> {
  const size = await fileSize(input);
  const keep = which === 'all' ? undefined : which.split(',').map(Number);
  const pool = new SegmentWorkerPool({ size: WORKERS });
  try {
    const start = performance.now();
    const events = encodeFileChk(input, size, { params: DEFAULT_ENCODING_PARAMETERS, convergenceSecret: CONVERGENCE_SECRET, segmentEncoder: pool });
    const { cap } = await writeShareFiles(outDir, events, keep);
    return { seconds: (performance.now() - start) / 1000, bytes: size, cap: formatCap(cap) };
  } finally {
    await pool.close();
  }
}

async function decode(capText: string, shareFiles: string[]): Promise<Omit<RssChildReport, 'maxRssKiB'>> {
  const cap = parseChkReadCap(capText);
  const shares: OpenShareFile[] = [];
  try {
    for (const path of shareFiles) shares.push(await openShareFile(path, Number(basename(path))));
    const start = performance.now();
    let bytes = 0;
    for await (const chunk of decodeChk(cap, shares)) bytes += chunk.length;
    if (bytes !== cap.size) throw new Error(`decoded ${bytes} bytes, expected ${cap.size}`);
    return { seconds: (performance.now() - start) / 1000, bytes };
  } finally {
    await Promise.all(shares.map((s) => s.close()));
  }
}

const [mode, ...args] = process.argv.slice(2);
let result: Omit<RssChildReport, 'maxRssKiB'>;
if (mode === 'encode' && args.length === 3) {
  result = await encode(args[0]!, args[1]!, args[2]!);
} else if (mode === 'decode' && args.length >= 2) {
  result = await decode(args[0]!, args.slice(1));
} else {
  throw new Error('usage: rss-child.js encode INPUT OUTDIR all|J,J,... | decode CAP SHAREFILE...');
}
function vmHwmKiB(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

const report: RssChildReport = { ...result, maxRssKiB: process.resourceUsage().maxRSS, vmHwmKiB: vmHwmKiB() };
console.log(JSON.stringify(report));
