import { base32Encode } from '../../src-shared/base32.js';
import { serializeNodeKey } from '../net/keys.js';
import { formatGridLink } from './grid-link.js';
import type { NodeDirectory } from './node-dir.js';

/** The strings of a node's own secrets, as they could appear in a log line (NodeLog.addSecrets). */
export function secretStringsOf(node: NodeDirectory): string[] {
  return [
    base32Encode(node.gridLink.gridKey),
    node.apiToken,
    base32Encode(node.convergenceSecret),
    base32Encode(node.leaseSecret),
    formatGridLink(node.gridLink),
    base32Encode(serializeNodeKey(node.nodeKey)),
  ];
}
