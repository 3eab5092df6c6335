// What `manifest` and `deep-check` say of each node of a tree (Tahoe's stream-manifest shape).
import { base32Encode } from '../../src-shared/base32.js';
import { formatCap, mutableStorageIndexOf, storageIndexOfKey, verifyCapOf, type Cap, type DirectoryFileCap } from '../../src-shared/caps/index.js';
import type { TreeNode } from './tree-walk.js';

export interface ManifestEntry {
  readonly type: 'file' | 'directory';
  readonly path: readonly string[];
  /** the strongest cap the walk gave */
  readonly cap: string;
  readonly verifycap?: string;
  /** base32; absent for a literal file, which has no shares */
  readonly 'storage-index'?: string;
}

function storageIndexOf(cap: DirectoryFileCap): Uint8Array | undefined {
  switch (cap.kind) {
    case 'chk':
      return storageIndexOfKey(cap.key);
    case 'chk-verifier':
      return cap.storageIndex;
    case 'lit':
      return undefined;
    default:
      return mutableStorageIndexOf(cap);
  }
}

export function manifestEntryOf(node: TreeNode): ManifestEntry {
  const { cap } = node;
  const file: DirectoryFileCap = cap.kind === 'dir' ? cap.file : cap;
  const verify = cap.kind === 'lit' ? undefined : verifyCapOf(cap as Exclude<Cap, { kind: 'lit' }>);
  const storageIndex = storageIndexOf(file);
  return {
    type: cap.kind === 'dir' ? 'directory' : 'file',
    path: node.path,
    cap: formatCap(cap),
    ...(verify === undefined ? {} : { verifycap: formatCap(verify) }),
    ...(storageIndex === undefined ? {} : { 'storage-index': base32Encode(storageIndex) }),
  };
}
