import { readFile } from 'node:fs/promises';
import { formatCap } from '../../../../src-shared/caps/index.js';
import { isLiteralSize, literalCap } from '../../../core/immutable/literal.js';
import { SegmentWorkerPool } from '../../../core/workers/segment-worker-pool.js';
import { encodeFileChk, fileSize } from '../../../node/file-encoding.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';
import { convergenceSecretFrom, encodingOptionSpec, encodingOptionsUsage, encodingParametersFrom } from './encoding-options.js';

const usage = `usage: cairn debug chk-cap [options] FILE...

Prints the cap of each FILE, one per line in argument order (URI:CHK:… or, for
files of 55 bytes or less, URI:LIT:…). Nothing is stored anywhere.

${encodingOptionsUsage}`;

export const chkCapCommand: Command = {
  name: 'chk-cap',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage }, args, encodingOptionSpec);
    if (values.help) return print(usage);
    if (positionals.length === 0) throw new UsageError('no FILE given', usage);
    const params = encodingParametersFrom(values);
    const convergenceSecret = convergenceSecretFrom(values);
    const pool = new SegmentWorkerPool();
    try {
      for (const path of positionals) {
        const size = await fileSize(path);
        if (isLiteralSize(size)) {
          print(formatCap(literalCap(await readFile(path))));
          continue;
        }
        for await (const event of encodeFileChk(path, size, { params, convergenceSecret, segmentEncoder: pool })) {
          if (event.type === 'end') print(formatCap(event.cap));
        }
      }
    } finally {
      await pool.close();
    }
  },
};
