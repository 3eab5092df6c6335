import { checkByteCount } from './arguments.js';
import { isMissing } from './directories.js';
import { ShareGoneError } from './errors.js';
import { readShareData } from './share-file.js';
import type { ShareNumber, StorageIndex } from './storage-index.js';

/** Reads one final share's data (never its header or leases). */
export class BucketReader {
  constructor(
    readonly storageIndex: StorageIndex,
    readonly shareNumber: ShareNumber,
    /** share-data length */
    readonly size: number,
    private readonly path: string,
  ) {}

  /** Up to `length` bytes at `offset`, cut at the end of the data; empty past the end. */
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkByteCount(offset, 'read offset');
    checkByteCount(length, 'read length');
    try {
      return await readShareData(this.path, this.size, offset, length);
    } catch (error) {
      // Opened per read, so a share deleted meanwhile (GC) fails here, not with a stale handle.
      if (isMissing(error)) throw new ShareGoneError(`share ${this.shareNumber} was deleted after it was listed`);
      throw error;
    }
  }
}
