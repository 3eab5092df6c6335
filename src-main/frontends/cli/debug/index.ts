import { UsageError, print, type Command } from '../usage.js';
import { chkCapCommand } from './chk-cap.js';
import { chkDecodeCommand } from './chk-decode.js';
import { chkEncodeCommand } from './chk-encode.js';
import { fecDecodeCommand } from './fec-decode.js';
import { fecEncodeCommand } from './fec-encode.js';

const commands: readonly Command[] = [chkCapCommand, chkEncodeCommand, chkDecodeCommand, fecEncodeCommand, fecDecodeCommand];

const usage = `usage: cairn debug COMMAND [options]

Low-level tools for the immutable-file format (no node or grid needed):
${commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

Run "cairn debug COMMAND --help" for a command's options.`;

export const debugCommand: Command = {
  name: 'debug',
  summary: 'low-level tools: CHK caps, shares and erasure coding',
  usage,
  async run(args) {
    const [name, ...rest] = args;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') return print(usage);
    const command = commands.find((c) => c.name === name);
    if (command === undefined) throw new UsageError(`unknown debug command "${name}"`, usage);
    await command.run(rest);
  },
};
