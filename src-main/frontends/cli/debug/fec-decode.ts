import { open, type FileHandle } from 'node:fs/promises';
import { ReedSolomon } from '../../../core/fec/reed-solomon.js';
import { fileSize, readAt } from '../../../node/local-files.js';
import { withAtomicFile } from '../../../node/atomic-write.js';
import { UsageError, parseCommandArgs, parseInteger, print, type Command } from '../usage.js';
import { fecParameters } from './fec-encode.js';

const usage = `usage: cairn debug fec-decode -k K -n N --size BYTES OUTFILE BLOCKFILE:INDEX...

Rebuilds a file of BYTES bytes from any K blocks written by fec-encode; INDEX is
the block's number (its file name as fec-encode wrote it).`;

const STRIPE = 1024 * 1024;

interface BlockFile {
  readonly path: string;
  readonly index: number;
}

function parseBlockArgument(argument: string, n: number): BlockFile {
  const colon = argument.lastIndexOf(':');
  if (colon <= 0) throw new UsageError(`"${argument}" is not BLOCKFILE:INDEX`, usage);
  const index = parseInteger(argument.slice(colon + 1), `the block index in "${argument}"`, 0, n - 1);
  return { path: argument.slice(0, colon), index: index! };
}

export const fecDecodeCommand: Command = {
  name: 'fec-decode',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage }, args, {
      k: { type: 'string', short: 'k' },
      n: { type: 'string', short: 'n' },
      size: { type: 'string' },
    });
    if (values.help) return print(usage);
    const { k, n } = fecParameters(values, usage);
    const size = parseInteger(values.size, '--size', 0, Number.MAX_SAFE_INTEGER);
    if (size === undefined) throw new UsageError('--size is required', usage);
    const [outFile, ...blockArgs] = positionals;
    if (outFile === undefined) throw new UsageError('no OUTFILE given', usage);
    const blocks: BlockFile[] = [];
    for (const b of blockArgs.map((a) => parseBlockArgument(a, n))) {
      if (!blocks.some((other) => other.index === b.index)) blocks.push(b);
    }
    if (blocks.length < k) throw new UsageError(`need ${k} distinct blocks, got ${blocks.length}`, usage);
    const chosen = blocks.slice(0, k);
    const lengths = await Promise.all(chosen.map((b) => fileSize(b.path)));
    const blockLength = lengths[0]!;
    if (lengths.some((length) => length !== blockLength)) {
      throw new UsageError(`the blocks differ in length (${chosen.map((b, i) => `${b.path}: ${lengths[i]}`).join(', ')})`);
    }
    if (blockLength * k < size || blockLength !== Math.ceil(size / k)) {
      throw new UsageError(`blocks of ${blockLength} bytes cannot hold a ${size}-byte file split ${k} ways (expected ${Math.ceil(size / k)} bytes each)`);
    }
    const coder = new ReedSolomon(k, n);
    const handles: FileHandle[] = [];
    try {
      for (const b of chosen) handles.push(await open(b.path, 'r'));
      // Each stripe is decoded once; primary i's piece lands at i·blockLength + offset.
      await withAtomicFile(outFile, async (output) => {
        for (let at = 0; at < blockLength; at += STRIPE) {
          const length = Math.min(STRIPE, blockLength - at);
          const read = await Promise.all(handles.map((h) => readAt(h, at, length)));
          const primaries = coder.decode(read, chosen.map((b) => b.index));
          for (let i = 0; i < k; i++) {
            const position = i * blockLength + at;
            const keep = Math.max(0, Math.min(length, size - position));
            if (keep > 0) await output.write(primaries[i]!, 0, keep, position);
          }
        }
      });
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  },
};
