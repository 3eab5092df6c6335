import { generatePassphrase, openInvite, sealInvite, type SealOptions } from '../../src-shared/invite/invite-code.js';
import { formatGridLink } from './grid-link.js';
import { createNodeDirectory, loadNodeDirectory, type CreateNodeOptions, type NodeDirectory } from './node-dir.js';

export interface Invite {
  /** the sealed introducer link: send it one way (a message) */
  readonly code: string;
  /** opens the code: tell it another way (a call) */
  readonly passphrase: string;
}

/** A fresh invite to the grid of a node (any member can invite; the code carries the same link). */
export async function createInvite(node: NodeDirectory | string, options: SealOptions = {}): Promise<Invite> {
  const directory = typeof node === 'string' ? await loadNodeDirectory(node) : node;
  const passphrase = generatePassphrase();
  return { code: await sealInvite(formatGridLink(directory.gridLink), passphrase, options), passphrase };
}

/**
 * Creates in `dir` a node that joins the grid of an invite code. The code is opened first,
 * so a wrong passphrase or a damaged code creates nothing.
 */
export async function joinByInvite(dir: string, code: string, passphrase: string, options: Omit<CreateNodeOptions, 'introducerLink'> = {}): Promise<NodeDirectory> {
  const introducerLink = await openInvite(code, passphrase);
  return createNodeDirectory(dir, { ...options, introducerLink });
}
