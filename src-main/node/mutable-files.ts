// Mutable files as the node offers them: create, read with a version tag, and overwrite,
// optionally only if the file is still at the version the writer read (optimistic
// concurrency: the HTTP API's ETag and If-Match).
import type { MutableReadCap, MutableWriteCap } from '../../src-shared/caps/index.js';
import { base32Encode } from '../../src-shared/base32.js';
import type { MutableVersionInfo } from '../core/mutable/index.js';
import { createMutable, modifyMutable, retrieveMutable, type ModifyOptions } from '../grid/mutable/index.js';

/** The file changed since the version the writer named: read it again and redo the change. */
export class MutableVersionChangedError extends Error {
  override readonly name = 'MutableVersionChangedError';
}

export interface MutableFileVersion {
  readonly plaintext: Uint8Array;
  /** names this version: its seqnum and root hash (the test-and-set checkstring) */
  readonly version: string;
}

export function versionTagOf(info: MutableVersionInfo): string {
  return base32Encode(info.checkstring);
}

export async function createMutableFile(contents: Uint8Array, options: ModifyOptions): Promise<MutableWriteCap> {
  return (await createMutable(contents, options)).cap;
}

export async function readMutableFile(cap: MutableReadCap | MutableWriteCap, options: ModifyOptions): Promise<MutableFileVersion> {
  const { plaintext, info } = await retrieveMutable(cap, options);
  return { plaintext, version: versionTagOf(info) };
}

/**
 * Replaces the file's contents. Without `ifVersion` the last writer wins (conflicts on the
 * servers are retried). With it, the write happens only if the newest version is still
 * that one, else MutableVersionChangedError; of two writers racing from the same version
 * exactly one succeeds.
 */
export async function overwriteMutableFile(cap: MutableWriteCap, contents: Uint8Array, options: ModifyOptions & { readonly ifVersion?: string }): Promise<string> {
  const { ifVersion } = options;
  const result = await modifyMutable(
    cap,
    (_current, info) => {
      if (ifVersion !== undefined && versionTagOf(info) !== ifVersion) {
        throw new MutableVersionChangedError('the mutable file was changed by someone else since the version you read: read it again, and redo your change if it is not there (a write that met a conflict can still have landed)');
      }
      return contents;
    },
    // With a precondition, one more round only tells whether our own "surprised" write won.
    ifVersion === undefined ? options : { ...options, attempts: 2 },
  );
  return versionTagOf(result.info);
}
