import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_TOTAL_SHARES } from '../../../core/immutable/params.js';
import { ReedSolomon } from '../../../core/fec/reed-solomon.js';
import { fileSize, readAt } from '../../../node/local-files.js';
import { UsageError, parseCommandArgs, parseInteger, print, type Command } from '../usage.js';

const usage = `usage: cairn debug fec-encode -k K -n N FILE OUTDIR

Zero-pads FILE to a multiple of K bytes, splits it into K equal blocks and writes
the N zfec-compatible blocks as OUTDIR/0 … OUTDIR/N-1 (blocks 0 … K-1 are the
file's own bytes).`;

/** Bytes of each block handled per step, so memory stays bounded for any file size. */
const STRIPE = 1024 * 1024;

export function fecParameters(values: { k?: string; n?: string }, usageText: string): { k: number; n: number } {
  const k = parseInteger(values.k, '-k', 1, MAX_TOTAL_SHARES);
  const n = parseInteger(values.n, '-n', 1, MAX_TOTAL_SHARES);
  if (k === undefined || n === undefined) throw new UsageError('both -k and -n are required', usageText);
  if (k > n) throw new UsageError(`-k ${k} is greater than -n ${n}: K must not exceed N`);
  return { k, n };
}

export const fecEncodeCommand: Command = {
  name: 'fec-encode',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage }, args, { k: { type: 'string', short: 'k' }, n: { type: 'string', short: 'n' } });
    if (values.help) return print(usage);
    const { k, n } = fecParameters(values, usage);
    if (positionals.length !== 2) throw new UsageError(`expected FILE and OUTDIR, got ${positionals.length} arguments`, usage);
    const [path, outDir] = positionals as [string, string];
    const size = await fileSize(path);
    const blockLength = Math.ceil(size / k);
    const coder = new ReedSolomon(k, n);
    await mkdir(outDir, { recursive: true });
    const input = await open(path, 'r');
    const temporary = Array.from({ length: n }, (_, j) => join(outDir, `${j}.partial`));
    let outputs: FileHandle[] = [];
    try {
      outputs = await Promise.all(temporary.map((p) => open(p, 'w')));
      for (let at = 0; at < blockLength; at += STRIPE) {
        const length = Math.min(STRIPE, blockLength - at);
        const primaries: Uint8Array[] = [];
        for (let i = 0; i < k; i++) {
          const stripe = new Uint8Array(length); // zero padding past the end of the file
          const start = i * blockLength + at;
          stripe.set(await readAt(input, start, Math.max(0, Math.min(length, size - start))));
          primaries.push(stripe);
        }
        const blocks = [...primaries, ...coder.encode(primaries)];
        await Promise.all(outputs.map((h, j) => h.write(blocks[j]!)));
      }
      await Promise.all(outputs.map((h) => h.close()));
      outputs = [];
      await Promise.all(temporary.map((p, j) => rename(p, join(outDir, String(j)))));
    } finally {
      await input.close();
      await Promise.all(outputs.map((h) => h.close().catch(() => undefined)));
      await Promise.all(temporary.map((p) => rm(p, { force: true })));
    }
  },
};
