import type { DirectoryCap } from '../../../src-shared/caps/index.js';
import { packImmutableDirectory, type DirectoryChild } from '../../core/dirnode/index.js';
import { uploadImmutable } from '../uploader.js';
import { childFor, childName, type LinkMetadata } from './entries.js';
import { nowOf, type VdriveOptions } from './options.js';

/** One entry of an immutable directory: the cap must be deep-immutable (CHK, LIT, or an immutable directory). */
export interface ImmutableChild {
  readonly name: string;
  readonly cap: string;
  readonly metadata?: LinkMetadata;
}

/**
 * An immutable directory (a backup snapshot): its contents packed without write caps and
 * uploaded as a CHK file with the convergence secret, so the same entries give the same
 * cap, or as a LIT cap when 55 bytes or less. Children that are not deep-immutable are
 * refused (DirectoryEntryError).
 */
export async function createImmutableDirectory(children: readonly ImmutableChild[], options: VdriveOptions): Promise<DirectoryCap> {
  const now = nowOf(options);
  const entries: DirectoryChild[] = children.map((child) => childFor(childName(child.name), child.cap, child.metadata ?? {}, undefined, now));
  const contents = packImmutableDirectory(entries);
  const { cap } = await uploadImmutable(
    { size: contents.length, open: async function* () { yield contents; } },
    {
      servers: options.servers,
      encoding: options.encoding,
      leaseSecret: options.leaseSecret,
      ...(options.convergenceSecret === undefined ? {} : { convergenceSecret: options.convergenceSecret }),
    },
  );
  if (cap.kind === 'chk-verifier') throw new Error('unreachable: an upload returns a read cap');
  return { kind: 'dir', file: cap };
}
