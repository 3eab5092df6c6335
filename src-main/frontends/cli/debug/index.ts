import { UsageError, print, type Command, type CommandEntry } from '../usage.js';

// Each tool's module (and the data plane it needs) loads only when that tool runs.
const tools: readonly CommandEntry[] = [
  { name: 'chk-cap', summary: 'print the cap each file would get', load: async () => (await import('./chk-cap.js')).chkCapCommand },
  { name: 'chk-encode', summary: 'encode a file into share files', load: async () => (await import('./chk-encode.js')).chkEncodeCommand },
  { name: 'chk-decode', summary: 'rebuild a file from share files', load: async () => (await import('./chk-decode.js')).chkDecodeCommand },
  { name: 'fec-encode', summary: 'erasure-code a file into N blocks, as zfec does', load: async () => (await import('./fec-encode.js')).fecEncodeCommand },
  { name: 'fec-decode', summary: 'rebuild a file from K fec-encode blocks', load: async () => (await import('./fec-decode.js')).fecDecodeCommand },
];

const usage = `usage: cairn debug COMMAND [options]

Low-level tools for the immutable-file format (no node or grid needed):
${tools.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}

Run "cairn debug COMMAND --help" for a command's options.`;

export const debugCommand: Command = {
  name: 'debug',
  usage,
  async run(args) {
    const [name, ...rest] = args;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') return print(usage);
    const tool = tools.find((c) => c.name === name);
    if (tool === undefined) throw new UsageError(`unknown debug command "${name}"`, usage);
    await (await tool.load()).run(rest);
  },
};
