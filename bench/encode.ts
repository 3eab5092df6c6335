// CHK throughput and memory, with this run's node:crypto reference and the ceiling it implies.
//   npm run bench                                   (builds, then runs dist/bench via bench/run.js)
//   CAIRN_BENCH_MIB=32 CAIRN_BENCH_RSS_MIB=64 npm run bench      (a quick smoke test)
import '../src-shared/polyfills/promise-with-resolvers.js';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { arch, cpus, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ChkReadCap } from '../src-shared/caps/index.js';
import { decodeChk } from '../src-main/core/immutable/decoder.js';
import { DEFAULT_ENCODING_PARAMETERS, chkGeometry } from '../src-main/core/immutable/params.js';
import type { SegmentDecoder } from '../src-main/core/immutable/segment-decoder.js';
import type { SegmentEncoder } from '../src-main/core/immutable/segment-encoder.js';
import { SegmentWorkerPool } from '../src-main/core/workers/segment-worker-pool.js';
import { encodeFileChk } from '../src-main/node/file-encoding.js';
import { openShareFile, type OpenShareFile } from '../src-main/node/local-files.js';
import { cryptoRate, parallelCryptoRate } from './crypto-rate.js';
import { benchFec } from './fec.js';
import { MiB, freeBytes, writeRandomFile, writeShareFiles } from './files.js';
import { formatStolen, hostCpuSample, stolenShare } from './host-cpu.js';
import type { RssChildReport } from './rss-child.js';

const PARAMS = DEFAULT_ENCODING_PARAMETERS; // 3-of-10, 1 MiB segments
const K = PARAMS.neededShares;
const N = PARAMS.totalShares;
const WORKERS = 2;
const PRIMARY_SHARES = [0, 1, 2];
const PARITY_SHARES = [7, 8, 9];
const REFERENCE_MIB = 64;
const REFERENCE_RUNS = 5;
/** full encodes measured, each right after its own single-thread node:crypto reference */
const ENCODE_ROUNDS = 3;
const CONVERGENCE_SECRET = new TextEncoder().encode('cairn-bench');
const DISK_MARGIN = 512 * MiB;

const TARGET_CEILING_SHARE = 0.6;
const TARGET_RS_MIBPS = 400;
const TARGET_RSS_MIB = 200;

const LABEL_WIDTH = 84;

function line(label: string, value: number, unit: string, digits = 1): void {
  console.log(`${label.padEnd(LABEL_WIDTH)} ${value.toFixed(digits).padStart(8)} ${unit}`);
}

function note(text: string): void {
  console.log(text);
}

function mibFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 1) throw new Error(`${name} must be a number of MiB, at least 1 (got ${JSON.stringify(text)})`);
  return value;
}

const seconds = (since: number): number => (performance.now() - since) / 1000;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmtMiB = (bytes: number): string => `${+(bytes / MiB).toFixed(2)} MiB`;

/** Results are folded in here (and exported) so that no loop's output is dead code. */
export let sink = 0;

// ---------------------------------------------------------------------------------------
// 5. the reference: raw node:crypto over 64 MiB in 1 MiB chunks, on one thread and on two at once

interface Reference {
  readonly aes: number;
  readonly sha: number;
  readonly aesTwoThreads: number;
  readonly shaTwoThreads: number;
}

async function referenceCrypto(): Promise<Reference> {
  cryptoRate('aes-128-ctr', 8);
  cryptoRate('sha-256', 8);
  const aes: number[] = [];
  const sha: number[] = [];
  const aesTwo: number[] = [];
  const shaTwo: number[] = [];
  for (let run = 0; run < REFERENCE_RUNS; run++) {
    aes.push(cryptoRate('aes-128-ctr', REFERENCE_MIB));
    sha.push(cryptoRate('sha-256', REFERENCE_MIB));
    aesTwo.push(await parallelCryptoRate('aes-128-ctr', REFERENCE_MIB, WORKERS));
    shaTwo.push(await parallelCryptoRate('sha-256', REFERENCE_MIB, WORKERS));
  }
  return { aes: median(aes), sha: median(sha), aesTwoThreads: median(aesTwo), shaTwoThreads: median(shaTwo) };
}

/** SHA-256 passes per plaintext byte: convergent key, crypttext segment hash, flat crypttext hash, N/K block hashes. */
const SHA_PASSES = 3 + N / K;

/** The two-core ceiling of CHK encoding from single-thread rates: twice 1 / (passes/sha + 1/aes). */
function twoCoreCeiling(sha: number, aes: number): number {
  return 2 / (SHA_PASSES / sha + 1 / aes);
}

// ---------------------------------------------------------------------------------------
// 2. CHK encode from a file on disk (convergent key pass + encode), blocks discarded

interface EncodeTiming {
  readonly total: number;
  readonly keyPass: number;
}

interface EncodeRound {
  readonly timing: EncodeTiming;
  readonly mibps: number;
  /** the two-core ceiling from the single-thread rates measured just before this round */
  readonly ceiling: number;
  readonly stolen: number | undefined;
}

async function timeFileEncode(path: string, size: number, segmentEncoder: SegmentEncoder | undefined): Promise<EncodeTiming> {
  const start = performance.now();
  let keyReady = start;
  let blockBytes = 0;
  const events = encodeFileChk(path, size, {
    params: PARAMS,
    convergenceSecret: CONVERGENCE_SECRET,
    segmentEncoder,
    onKeyReady: () => (keyReady = performance.now()),
  });
  for await (const event of events) {
    if (event.type !== 'segment') continue;
    for (const block of event.blocks) {
      blockBytes += block.length;
      sink ^= block[block.length - 1]!;
    }
  }
  const total = seconds(start);
  const expected = N * chkGeometry(size, PARAMS).shareDataSize;
  if (blockBytes !== expected) throw new Error(`the encoder produced ${blockBytes} block bytes, expected ${expected}`);
  return { total, keyPass: (keyReady - start) / 1000 };
}

// ---------------------------------------------------------------------------------------
// 3. CHK decode from share files, plaintext discarded

async function timeDecode(cap: ChkReadCap, paths: ReadonlyMap<number, string>, numbers: readonly number[], segmentDecoder?: SegmentDecoder): Promise<number> {
  const start = performance.now();
  const shares: OpenShareFile[] = [];
  let bytes = 0;
  try {
    for (const j of numbers) shares.push(await openShareFile(paths.get(j)!, j));
    for await (const chunk of decodeChk(cap, shares, segmentDecoder === undefined ? {} : { segmentDecoder })) {
      bytes += chunk.length;
      sink ^= chunk[0]!;
    }
  } finally {
    await Promise.all(shares.map((s) => s.close()));
  }
  if (bytes !== cap.size) throw new Error(`decoded ${bytes} bytes, expected ${cap.size}`);
  return seconds(start);
}

/**
 * All N share files when the disk has room for them (and for `alsoBytes` more), else only
 * the ones the decodes read; the encoder's other blocks are then counted and dropped.
 */
async function sharesToWrite(dir: string, inputSize: number, needed: readonly number[], alsoBytes = 0): Promise<number[] | undefined> {
  const shareBytes = Math.ceil(inputSize / K) + MiB; // block data plus a generous allowance for hash trees and UEB
  const free = (await freeBytes(dir)) - alsoBytes - DISK_MARGIN;
  if (free >= N * shareBytes) return undefined;
  if (free >= needed.length * shareBytes) return [...needed];
  throw new Error(`not enough free disk in ${dir} for ${needed.length} share files of ${fmtMiB(shareBytes)}`);
}

// ---------------------------------------------------------------------------------------
// 4. peak RSS, measured in a fresh child process per operation

/**
 * Runs dist/bench/rss-child.js in a fresh process. Not spawned directly: on Linux a child's
 * maxRSS starts at its parent's RSS at fork time (it survives exec), so a direct child of
 * this (large) process would report this process's size. A small shell in between forks it.
 */
async function runRssChild(args: string[]): Promise<RssChildReport> {
  const script = fileURLToPath(new URL('./rss-child.js', import.meta.url));
  const [command, commandArgs] =
    platform() === 'win32'
      ? [process.execPath, [script, ...args]]
      : ['/bin/sh', ['-c', '"$@"; exit $?', 'sh', process.execPath, script, ...args]];
  const { stdout } = await promisify(execFile)(command, commandArgs, { maxBuffer: 16 * MiB });
  const report = JSON.parse(stdout.trim().split('\n').pop() ?? '') as RssChildReport;
  if (report.vmHwmKiB !== undefined && Math.abs(report.maxRssKiB - report.vmHwmKiB) > 0.05 * report.vmHwmKiB + 1024) {
    note(`  (warning: the child's maxRSS ${report.maxRssKiB} KiB and its VmHWM ${report.vmHwmKiB} KiB disagree)`);
  }
  return report;
}

// ---------------------------------------------------------------------------------------

export async function main(): Promise<void> {
  const mainMiB = mibFromEnv('CAIRN_BENCH_MIB', 256);
  const rssMiB = mibFromEnv('CAIRN_BENCH_RSS_MIB', 1024);
  const mainSize = Math.round(mainMiB * MiB);
  const rssSize = Math.round(rssMiB * MiB);
  const segmentSize = chkGeometry(mainSize, PARAMS).segmentSize;

  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-'));
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true });
  const onSignal = (): void => process.exit(130);
  process.once('exit', cleanUp);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pool = new SegmentWorkerPool({ size: WORKERS });
  try {
    const cpu = cpus();
    note(`Cairn bench: node ${process.version}, ${platform()} ${arch()}, ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? 'unknown'})`);
    note(`workload: ${fmtMiB(mainSize)} generated file (AES keystream), ${K}-of-${N}, ${segmentSize}-byte segments, page-cache warm, in ${dir}`);
    note(`MiB/s are of plaintext; each figure is one run except the full encode (median of ${ENCODE_ROUNDS} rounds); the node:crypto references are medians of ${REFERENCE_RUNS}`);
    note('');

    // 5 (first, so that its figures are at hand): the reference
    const beforeReference = hostCpuSample();
    const ref = await referenceCrypto();
    const referenceStolen = stolenShare(beforeReference, hostCpuSample());
    line(`node:crypto AES-128-CTR, ${REFERENCE_MIB} MiB in 1 MiB chunks`, ref.aes, 'MiB/s');
    line(`node:crypto SHA-256, ${REFERENCE_MIB} MiB in 1 MiB chunks`, ref.sha, 'MiB/s');
    line(`node:crypto AES-128-CTR, ${WORKERS} threads at once (sum)`, ref.aesTwoThreads, 'MiB/s');
    line(`node:crypto SHA-256, ${WORKERS} threads at once (sum)`, ref.shaTwoThreads, 'MiB/s');
    const aesScaling = ref.aesTwoThreads / ref.aes;
    const shaScaling = ref.shaTwoThreads / ref.sha;
    note(`  (host: the hypervisor took ${formatStolen(referenceStolen)} of the CPU time this machine wanted while these were measured)`);
    if (Math.min(aesScaling, shaScaling) < 1.6) {
      note(`  (warning: ${WORKERS} threads at once got ${aesScaling.toFixed(2)}× one thread's AES and ${shaScaling.toFixed(2)}× its SHA-256 this run: the two-core ceiling may overstate what this machine delivers now)`);
    }

    // 1. Reed–Solomon alone
    const fec = await benchFec({ mib: mainMiB });
    line(`RS encode ${K}-of-${N}, 1 MiB segments (${Math.round(mainMiB)} MiB)`, fec.encodeMiBps, 'MiB/s');
    line(`RS encode ${K}-of-${N}, into a reused buffer (the CHK encoder's path)`, fec.encodeReusedMiBps, 'MiB/s');
    line(`RS decode from parity shares ${PARITY_SHARES.join(',')}`, fec.decodeParityMiBps, 'MiB/s');

    // 2. full CHK encode from a file on disk
    const input = join(dir, 'input.bin');
    await writeRandomFile(input, mainSize);
    const warmUp = join(dir, 'warm-up.bin');
    await writeRandomFile(warmUp, 8 * MiB);
    await timeFileEncode(warmUp, 8 * MiB, pool); // compiles the WASM kernel in each worker, warms the JIT
    await timeFileEncode(warmUp, 8 * MiB, undefined);
    // The first full-size encode in a process runs slower than the ones after it, whatever the
    // warm-up before it (8 to 64 MiB tried): the rounds measure the steady state that a node
    // encoding file after file is in, and a line below shows this first one.
    const firstEncode = await timeFileEncode(input, mainSize, pool);

    // Each round measures node:crypto on one thread just before its encode, so that its
    // ceiling and its encode see the same host (this one's speed drifts by tens of percent).
    const rounds: EncodeRound[] = [];
    for (let round = 0; round < ENCODE_ROUNDS; round++) {
      const before = hostCpuSample();
      const sha = median([0, 1, 2].map(() => cryptoRate('sha-256', REFERENCE_MIB)));
      const aes = median([0, 1, 2].map(() => cryptoRate('aes-128-ctr', REFERENCE_MIB)));
      const timing = await timeFileEncode(input, mainSize, pool);
      const mibps = mainMiB / timing.total;
      rounds.push({ timing, mibps, ceiling: twoCoreCeiling(sha, aes), stolen: stolenShare(before, hostCpuSample()) });
    }
    const byRate = [...rounds].sort((a, b) => a.mibps - b.mibps);
    const pooled = byRate[Math.floor(byRate.length / 2)]!.timing;
    const fullEncodeMiBps = mainMiB / pooled.total;
    const roundShares = rounds.map((r) => r.mibps / r.ceiling);
    line(`CHK encode from file, ${WORKERS} workers (key pass + encode), median of ${ENCODE_ROUNDS} (${rounds.map((r) => r.mibps.toFixed(1)).join(', ')})`, fullEncodeMiBps, 'MiB/s');
    line('  of which the convergent key pass (main thread), in that round', mainMiB / pooled.keyPass, 'MiB/s');
    line(`  of which the encode pass (${WORKERS} workers), in that round`, mainMiB / (pooled.total - pooled.keyPass), 'MiB/s');
    line('  (not in the median: the first full-size encode in this process, before the rounds)', mainMiB / firstEncode.total, 'MiB/s');
    note(`  (each round's two-core ceiling, from node:crypto on one thread just before it (medians of 3): ${rounds.map((r) => r.ceiling.toFixed(1)).join(', ')} MiB/s; host took ${rounds.map((r) => formatStolen(r.stolen)).join(', ')} of the CPU time)`);
    const inProcess = await timeFileEncode(input, mainSize, undefined);
    line('CHK encode from file, in-process (key pass + encode)', mainMiB / inProcess.total, 'MiB/s');
    line('  of which the encode pass (in-process)', mainMiB / (inProcess.total - inProcess.keyPass), 'MiB/s');

    // 3. CHK decode from share files
    const sharesDir = join(dir, 'shares');
    await mkdir(sharesDir);
    const mainShares = await sharesToWrite(dir, mainSize, [...PRIMARY_SHARES, ...PARITY_SHARES]);
    const warmDir = join(dir, 'warm-up-shares');
    await mkdir(warmDir);
    const warmShares = await writeShareFiles(warmDir, encodeFileChk(warmUp, 8 * MiB, { params: PARAMS, convergenceSecret: CONVERGENCE_SECRET, segmentEncoder: pool }));
    await timeDecode(warmShares.cap, warmShares.paths, PARITY_SHARES);
    const written = await writeShareFiles(
      sharesDir,
      encodeFileChk(input, mainSize, { params: PARAMS, convergenceSecret: CONVERGENCE_SECRET, segmentEncoder: pool }),
      mainShares,
    );
    await rm(input);
    line(`CHK decode from share files ${PRIMARY_SHARES.join(',')}`, mainMiB / (await timeDecode(written.cap, written.paths, PRIMARY_SHARES)), 'MiB/s');
    line(`CHK decode from share files ${PARITY_SHARES.join(',')}`, mainMiB / (await timeDecode(written.cap, written.paths, PARITY_SHARES)), 'MiB/s');
    // How a node decodes (grid downloads): hashing, erasure decoding and AES on the pool's workers.
    line(`CHK decode from share files ${PRIMARY_SHARES.join(',')}, segments on ${WORKERS} workers`, mainMiB / (await timeDecode(written.cap, written.paths, PRIMARY_SHARES, pool)), 'MiB/s');
    line(`CHK decode from share files ${PARITY_SHARES.join(',')}, segments on ${WORKERS} workers`, mainMiB / (await timeDecode(written.cap, written.paths, PARITY_SHARES, pool)), 'MiB/s');
    await pool.close();
    await rm(sharesDir, { recursive: true });

    // 4. peak RSS, each operation in its own process
    const rssInput = join(dir, 'rss-input.bin');
    const rssSharesDir = join(dir, 'rss-shares');
    await mkdir(rssSharesDir);
    const rssShares = await sharesToWrite(dir, rssSize, PARITY_SHARES, rssSize); // the input file lives beside them
    await writeRandomFile(rssInput, rssSize);
    const encoded = await runRssChild(['encode', rssInput, rssSharesDir, rssShares?.join(',') ?? 'all']);
    await rm(rssInput);
    const shareFiles = PARITY_SHARES.map((j) => join(rssSharesDir, String(j)));
    const decoded = await runRssChild(['decode', encoded.cap!, ...shareFiles]);
    await rm(rssSharesDir, { recursive: true });
    const writtenTo = rssShares === undefined ? `all ${N} share files` : `share files ${rssShares.join(',')} only (low disk)`;
    const encodeRssMiB = encoded.maxRssKiB / 1024;
    const decodeRssMiB = decoded.maxRssKiB / 1024;
    line(`peak RSS, encode ${fmtMiB(rssSize)} (${WORKERS} workers) to ${writtenTo}`, encodeRssMiB, 'MiB');
    line(`peak RSS, decode ${fmtMiB(rssSize)} from share files ${PARITY_SHARES.join(',')}`, decodeRssMiB, 'MiB');
    line('  (that encode: key pass + encode + writing the share files)', rssMiB / encoded.seconds, 'MiB/s');
    line('  (that decode)', rssMiB / decoded.seconds, 'MiB/s');

    // 5. the ceiling and the targets
    note('');
    const shaPasses = SHA_PASSES;
    const passes = shaPasses.toFixed(2);
    const twoCore = twoCoreCeiling(ref.sha, ref.aes);
    const perCore = twoCore / 2;
    const twoCoreWithRs = 2 / (shaPasses / ref.sha + 1 / ref.aes + 1 / fec.encodeMiBps);
    const keySerial = 1 / (1 / ref.sha + ((shaPasses - 1) / ref.sha + 1 / ref.aes + 1 / fec.encodeMiBps) / 2);
    // what two threads at once measurably deliver on this host (hyperthreads and neighbours share cores)
    const twoThreadsMeasured = 1 / (shaPasses / ref.shaTwoThreads + 1 / ref.aesTwoThreads);
    note(`CHK encode work per plaintext byte, ${K}-of-${N}:`);
    note(`  SHA-256 passes = 1 (convergent key) + 1 (crypttext segment hash) + 1 (flat crypttext hash) + ${N}/${K} (block hashes) = ${passes}`);
    note('  AES-128-CTR passes = 1');
    line(`single-core ceiling = 1 / (${passes}/sha + 1/aes) = 1 / (${passes}/${ref.sha.toFixed(0)} + 1/${ref.aes.toFixed(0)})`, perCore, 'MiB/s');
    line(`two-core ceiling = 2 × ${perCore.toFixed(1)}`, twoCore, 'MiB/s');
    line(`  two-core, RS too: 2 / (${passes}/sha + 1/aes + 1/rs), rs = ${fec.encodeMiBps.toFixed(0)}`, twoCoreWithRs, 'MiB/s');
    line(`  two-core, RS too, key pass serial: 1 / (1/sha + (${(shaPasses - 1).toFixed(2)}/sha + 1/aes + 1/rs) / 2)`, keySerial, 'MiB/s');
    line(`  from the rates ${WORKERS} threads at once measured: 1 / (${passes}/sha2 + 1/aes2)`, twoThreadsMeasured, 'MiB/s');

    const percent = (of: number): string => `${((100 * fullEncodeMiBps) / of).toFixed(1)} %`;
    const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
    note('');
    const shareOfCeiling = median(roundShares);
    const formatShare = (share: number): string => `${(100 * share).toFixed(1)} %`;
    note(
      `full CHK encode = ${formatShare(shareOfCeiling)} of the two-core ceiling, the median of the ${ENCODE_ROUNDS} rounds, each against its own (${roundShares.map(formatShare).join(', ')}) ` +
        `(target ≥ ${100 * TARGET_CEILING_SHARE} %): ${verdict(shareOfCeiling >= TARGET_CEILING_SHARE)}`,
    );
    note(`  (against the ceiling from the opening reference above: ${percent(twoCore)}; ${percent(twoCoreWithRs)} with RS counted; ${percent(keySerial)} with RS counted and the key pass serial; ${percent(twoThreadsMeasured)} of what ${WORKERS} threads at once measured)`);
    note(`RS encode = ${fec.encodeMiBps.toFixed(1)} MiB/s (target ≥ ${TARGET_RS_MIBPS} MiB/s): ${verdict(fec.encodeMiBps >= TARGET_RS_MIBPS)}`);
    const peakRss = Math.max(encodeRssMiB, decodeRssMiB);
    note(`peak RSS = ${peakRss.toFixed(1)} MiB, the larger of encode and decode (target < ${TARGET_RSS_MIB} MiB): ${verdict(peakRss < TARGET_RSS_MIB)}`);
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
    process.off('exit', cleanUp);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
