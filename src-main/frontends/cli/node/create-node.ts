import { readFile } from 'node:fs/promises';
import { GRID_LINK_PREFIX } from '../../../node/grid-link.js';
import { UsageError, parseCommandArgs, print, type Command } from '../usage.js';
import { createNodeOptionSpec, createNodeOptionsHelp, createNodeOptionsOf } from './create-node-options.js';

const usage = `usage: cairn create-node DIR --introducer LINK [options]

Creates in DIR a node (client + storage server) that joins the grid of LINK.

  --introducer LINK        the introducer link (cairn-grid-v1:…), or a file holding it
${createNodeOptionsHelp}`;

async function readLink(value: string): Promise<string> {
  if (value.trim().startsWith(GRID_LINK_PREFIX)) return value;
  try {
    return await readFile(value, 'utf8');
  } catch {
    throw new UsageError(`--introducer must be an introducer link (${GRID_LINK_PREFIX}…) or a file holding one; cannot read "${value}"`);
  }
}

export const createNodeCommand: Command = {
  name: 'create-node',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage }, args, {
      introducer: { type: 'string' },
      ...createNodeOptionSpec,
    });
    if (values.help) return print(usage);
    if (positionals.length !== 1) throw new UsageError('expected one DIR', usage);
    if (values.introducer === undefined) throw new UsageError('--introducer is required', usage);
    const options = createNodeOptionsOf(values);
    const dir = positionals[0]!;
    // loaded here: the node directory code brings libp2p's key handling, which other commands never need
    const { createNodeDirectory } = await import('../../../node/node-dir.js');
    const node = await createNodeDirectory(dir, { ...options, introducerLink: await readLink(values.introducer) });
    print(`Created node "${node.config.nickname}" in ${dir} (storage ${node.config.storage.enabled ? 'on' : 'off'}; web API on 127.0.0.1:${node.config.web.port})`);
    print(`Start it with: cairn run ${dir}`);
  },
};
