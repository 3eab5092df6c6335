import { parseShareEncoding } from '../../../node/grid-link.js';
import type { CreateNodeOptions } from '../../../node/node-dir.js';
import { parseSize } from '../../../node/sizes.js';
import { UsageError, parseInteger } from '../usage.js';

/** The options of a new grid member, shared by `cairn create-node` and `cairn join`. */
export const createNodeOptionSpec = {
  listen: { type: 'string' },
  nickname: { type: 'string' },
  'no-storage': { type: 'boolean' },
  'reserved-space': { type: 'string' },
  'web-port': { type: 'string' },
  shares: { type: 'string' },
} as const;

export const createNodeOptionsHelp = `  --listen MULTIADDR       where this node listens (default /ip4/0.0.0.0/tcp/0)
  --nickname NAME          a name friends will see (default "node")
  --no-storage             do not store shares for the grid (client only)
  --reserved-space SIZE    disk space always left free, e.g. 1G, 500M (default 1G)
  --web-port PORT          the localhost web API port (default: a free port)
  --shares K/HAPPY/N       override the grid's encoding for this node's uploads`;

interface CreateNodeValues {
  listen?: string;
  nickname?: string;
  'no-storage'?: boolean;
  'reserved-space'?: string;
  'web-port'?: string;
  shares?: string;
}

export function createNodeOptionsOf(values: CreateNodeValues): Omit<CreateNodeOptions, 'introducerLink'> {
  let reservedSpace: number | undefined;
  try {
    reservedSpace = values['reserved-space'] === undefined ? undefined : parseSize(values['reserved-space']);
  } catch (error) {
    throw new UsageError(`--reserved-space: ${(error as Error).message}`);
  }
  return {
    listen: values.listen,
    nickname: values.nickname,
    storage: !values['no-storage'],
    reservedSpace,
    webPort: parseInteger(values['web-port'], '--web-port', 1, 65535),
    encoding: values.shares === undefined ? undefined : parseShareEncoding(values.shares),
  };
}
