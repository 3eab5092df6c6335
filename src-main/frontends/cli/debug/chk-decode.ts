import { basename } from 'node:path';
import { parseCap } from '../../../../src-shared/caps/index.js';
import { decodeChk } from '../../../core/immutable/decoder.js';
import { SegmentWorkerPool } from '../../../core/workers/segment-worker-pool.js';
import { openShareFile, type OpenShareFile } from '../../../node/local-files.js';
import { writeFileAtomically } from '../../../node/atomic-write.js';
import { UsageError, parseCommandArgs, print, warn, type Command } from '../usage.js';

const usage = `usage: cairn debug chk-decode CAP OUTFILE SHAREFILE...

Rebuilds the file from any K good share files and writes it to OUTFILE. Every
block and segment is checked against the cap first; corrupt share files are
named, and spares are used in their place. With fewer than K good shares it
exits non-zero and OUTFILE is not written.`;

function claimedNumber(path: string): number | undefined {
  const name = basename(path);
  return /^[0-9]{1,3}$/.test(name) ? Number(name) : undefined;
}

export const chkDecodeCommand: Command = {
  name: 'chk-decode',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage }, args, {});
    if (values.help) return print(usage);
    if (positionals.length < 2) throw new UsageError('expected CAP, OUTFILE and share files', usage);
    const [capText, outFile, ...shareFiles] = positionals as [string, string, ...string[]];
    const cap = parseCap(capText);
    if (cap.kind === 'lit') return writeFileAtomically(outFile, [cap.data]);
    if (cap.kind !== 'chk') throw new UsageError('a verify cap cannot decrypt a file: give the read cap (URI:CHK:…)');
    if (shareFiles.length === 0) throw new UsageError(`no share files given; this file needs ${cap.neededShares}`, usage);
    const shares: OpenShareFile[] = [];
    // Segments are hashed, rebuilt and decrypted on worker threads while this one reads the files.
    const pool = new SegmentWorkerPool();
    try {
      for (const path of shareFiles) shares.push(await openShareFile(path, claimedNumber(path)));
      const plaintext = decodeChk(cap, shares, {
        segmentDecoder: pool,
        onBadShare: (error) => warn(`corrupt share ${error.message.replace(/^share /, '')}`),
      });
      await writeFileAtomically(outFile, plaintext);
    } finally {
      await Promise.all([...shares.map((s) => s.close()), pool.close()]);
    }
  },
};
