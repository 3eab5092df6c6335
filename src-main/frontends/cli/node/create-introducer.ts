import { join } from 'node:path';
import { parseShareEncoding } from '../../../node/grid-link.js';
import { UsageError, parseCommandArgs, parseInteger, print, type Command } from '../usage.js';

const usage = `usage: cairn create-introducer DIR --listen MULTIADDR [options]

Creates a new grid: its secret grid key, and in DIR a node that runs the grid's
introducer (and also stores shares). The introducer link, which lets other nodes
join, is written to DIR/private/introducer.link.

  --listen MULTIADDR   where the introducer listens, e.g. /ip4/0.0.0.0/tcp/4001
                       (port 0 picks a free port now and keeps it)
  --nickname NAME      a name friends will see (default "introducer")
  --shares K/HAPPY/N   the grid's encoding (default 3/5/10: any 3 of 10 shares
                       rebuild a file; an upload must reach 5 servers)
  --grid-name NAME     a name for the grid
  --web-port PORT      the node's localhost web API port (default: a free port)`;

export const createIntroducerCommand: Command = {
  name: 'create-introducer',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandArgs({ usage }, args, {
      listen: { type: 'string' },
      nickname: { type: 'string' },
      shares: { type: 'string' },
      'grid-name': { type: 'string' },
      'web-port': { type: 'string' },
    });
    if (values.help) return print(usage);
    if (positionals.length !== 1) throw new UsageError('expected one DIR', usage);
    if (values.listen === undefined) throw new UsageError('--listen is required', usage);
    const dir = positionals[0]!;
    // loaded here: the node directory code brings libp2p's key handling, which other commands never need
    const { createIntroducerDirectory } = await import('../../../node/node-dir.js');
    const node = await createIntroducerDirectory(dir, {
      listen: values.listen,
      nickname: values.nickname,
      encoding: values.shares === undefined ? undefined : parseShareEncoding(values.shares),
      gridName: values['grid-name'],
      webPort: parseInteger(values['web-port'], '--web-port', 1, 65535),
    });
    print(`Created a new grid and its introducer in ${dir}`);
    print(`  listening on ${node.config.listen.join(', ')}; encoding ${node.gridLink.encoding.needed}/${node.gridLink.encoding.happy}/${node.gridLink.encoding.total}`);
    print(`  the introducer link is in ${join(dir, 'private', 'introducer.link')} (a secret: give it only to grid members)`);
    print(`Start it with: cairn run ${dir}`);
  },
};
