import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCap } from '../../../../src-shared/caps/index.js';
import { isLiteralSize, literalCap } from '../../../core/immutable/literal.js';
import { SegmentWorkerPool } from '../../../core/workers/segment-worker-pool.js';
import { encodeFileChk, fileSize } from '../../../node/file-encoding.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';
import { convergenceSecretFrom, encodingOptionSpec, encodingOptionsUsage, encodingParametersFrom } from './encoding-options.js';

const usage = `usage: cairn debug chk-encode [options] FILE OUTDIR

Encodes FILE into N share files OUTDIR/0 … OUTDIR/N-1 (each exactly the bytes a
storage server keeps for that share) and prints the cap. A file of 55 bytes or
less becomes a URI:LIT: cap and needs no shares.

${encodingOptionsUsage}`;

/** Writes every share under a temporary name; only complete shares get their real name. */
async function writeShares(outDir: string, events: AsyncIterable<import('../../../core/immutable/encoder.js').ChkEncodeEvent>): Promise<string> {
  let handles: FileHandle[] = [];
  let temporary: string[] = [];
  try {
    for await (const event of events) {
      if (event.type === 'start') {
        const n = event.geometry.totalShares;
        temporary = Array.from({ length: n }, (_, j) => join(outDir, `${j}.partial`));
        handles = await Promise.all(temporary.map((path) => open(path, 'w')));
        await Promise.all(handles.map((h) => h.write(event.header)));
      } else if (event.type === 'segment') {
        await Promise.all(handles.map((h, j) => h.write(event.blocks[j]!)));
      } else {
        await Promise.all(handles.map((h, j) => h.write(event.trailers[j]!)));
        await Promise.all(handles.map((h) => h.close()));
        handles = [];
        await Promise.all(temporary.map((path, j) => rename(path, join(outDir, String(j)))));
        temporary = [];
        return formatCap(event.cap);
      }
    }
    throw new Error('the encoder stopped before it finished');
  } finally {
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
    await Promise.all(temporary.map((path) => rm(path, { force: true })));
  }
}

export const chkEncodeCommand: Command = {
  name: 'chk-encode',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage }, args, encodingOptionSpec);
    if (values.help) return print(usage);
    if (positionals.length !== 2) throw new UsageError(`expected FILE and OUTDIR, got ${positionals.length} arguments`, usage);
    const [path, outDir] = positionals as [string, string];
    const params = encodingParametersFrom(values);
    const convergenceSecret = convergenceSecretFrom(values);
    const size = await fileSize(path);
    await mkdir(outDir, { recursive: true });
    if (isLiteralSize(size)) return print(formatCap(literalCap(await readFile(path))));
    const pool = new SegmentWorkerPool();
    try {
      print(await writeShares(outDir, encodeFileChk(path, size, { params, convergenceSecret, segmentEncoder: pool })));
    } finally {
      await pool.close();
    }
  },
};
