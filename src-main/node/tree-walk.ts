// Walking a directory tree for manifest and deep-check.
import { formatCap, parseAnyCap, verifyCapOf, type Cap, type DirectoryCap } from '../../src-shared/caps/index.js';
import type { DirectoryEntry } from '../grid/vdrive/index.js';

export interface TreeNode {
  /** names from the start ([] for the start itself) */
  readonly path: readonly string[];
  readonly cap: Cap;
}

/** A directory's identity, whatever cap reached it (write, read or verify). */
function directoryKey(dir: DirectoryCap): string {
  return formatCap(verifyCapOf(dir) ?? dir);
}

/**
 * Every node under `start`, the start first, depth-first in name order. A directory
 * reached twice (linked in two places, or in a cycle) is walked once; files are listed
 * each time they are reached.
 */
export async function* walkTree(start: Cap, list: (dir: DirectoryCap) => Promise<DirectoryEntry[]>): AsyncGenerator<TreeNode> {
  const seen = new Set<string>();
  const pending: TreeNode[] = [{ path: [], cap: start }];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.cap.kind === 'dir') {
      const key = directoryKey(node.cap);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    yield node;
    if (node.cap.kind !== 'dir') continue;
    const children = (await list(node.cap)).map((entry) => ({ path: [...node.path, entry.name], cap: parseAnyCap(entry.cap) }));
    pending.push(...children.reverse());
  }
}
