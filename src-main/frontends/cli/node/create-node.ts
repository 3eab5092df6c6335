import { readFile } from 'node:fs/promises';
import { GRID_LINK_PREFIX, parseShareEncoding } from '../../../node/grid-link.js';
import { parseSize } from '../../../node/sizes.js';
import { UsageError, parseCommandArgs, parseInteger, print, type Command } from '../usage.js';

const usage = `usage: cairn create-node DIR --introducer LINK [options]

Creates in DIR a node (client + storage server) that joins the grid of LINK.

  --introducer LINK        the introducer link (cairn-grid-v1:…), or a file holding it
  --listen MULTIADDR       where this node listens (default /ip4/0.0.0.0/tcp/0)
  --nickname NAME          a name friends will see (default "node")
  --no-storage             do not store shares for the grid (client only)
  --reserved-space SIZE    disk space always left free, e.g. 1G, 500M (default 1G)
  --web-port PORT          the localhost web API port (default: a free port)
  --shares K/HAPPY/N       override the grid's encoding for this node's uploads`;

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
  summary: 'create a node that joins a grid',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage }, args, {
      introducer: { type: 'string' },
      listen: { type: 'string' },
      nickname: { type: 'string' },
      'no-storage': { type: 'boolean' },
      'reserved-space': { type: 'string' },
      'web-port': { type: 'string' },
      shares: { type: 'string' },
    });
    if (values.help) return print(usage);
    if (positionals.length !== 1) throw new UsageError('expected one DIR', usage);
    if (values.introducer === undefined) throw new UsageError('--introducer is required', usage);
    let reservedSpace: number | undefined;
    try {
      reservedSpace = values['reserved-space'] === undefined ? undefined : parseSize(values['reserved-space']);
    } catch (error) {
      throw new UsageError(`--reserved-space: ${(error as Error).message}`);
    }
    const dir = positionals[0]!;
    // loaded here: the node directory code brings libp2p's key handling, which other commands never need
    const { createNodeDirectory } = await import('../../../node/node-dir.js');
    const node = await createNodeDirectory(dir, {
      introducerLink: await readLink(values.introducer),
      listen: values.listen,
      nickname: values.nickname,
      storage: !values['no-storage'],
      reservedSpace,
      webPort: parseInteger(values['web-port'], '--web-port', 1, 65535),
      encoding: values.shares === undefined ? undefined : parseShareEncoding(values.shares),
    });
    print(`Created node "${node.config.nickname}" in ${dir} (storage ${node.config.storage.enabled ? 'on' : 'off'}; web API on 127.0.0.1:${node.config.web.port})`);
    print(`Start it with: cairn run ${dir}`);
  },
};
