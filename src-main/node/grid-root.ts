// The grid's shared root directory (the friendnet vdrive): a mutable directory whose
// signing key comes with the grid (GridLink.rootSeed), so every member holds its write cap.
import type { DirectoryCap } from '../../src-shared/caps/index.js';
import { writeCapOfKeys, writerKeysFromSeed, type MutableWriterKeys } from '../core/mutable/index.js';
import type { GridLink } from './grid-link.js';

/** The root's signing keys (for its first publish: until then it reads as empty). */
export function gridRootKeys(link: GridLink): MutableWriterKeys {
  return writerKeysFromSeed(link.rootSeed);
}

/** The root's write cap, `URI:DIR2-ED25519:…`. */
export function gridRootCap(link: GridLink): DirectoryCap {
  return { kind: 'dir', file: writeCapOfKeys(gridRootKeys(link)) };
}
