import type { MutableVersionInfo } from '../../core/mutable/index.js';

/**
 * Another writer changed the mutable file between our servermap update and our writes: at
 * least one server's share no longer held the version we replaced. Read the newest version
 * and apply the change again (modifyMutable does).
 */
export class MutableConflictError extends Error {
  override readonly name = 'MutableConflictError';
  constructor(
    /** the version this publish tried to write (some of its shares may have landed) */
    readonly attempted: MutableVersionInfo,
    /** the servers whose shares had changed, by nickname */
    readonly conflictingServers: readonly string[],
  ) {
    super(`someone else changed this file: retry on the newest version (the shares on ${conflictingServers.join(', ')} had changed)`);
  }
}

/** Repair writes shares, and a server takes a mutable share only with the file's write enabler. */
export class MutableRepairNeedsWriteCapError extends Error {
  override readonly name = 'MutableRepairNeedsWriteCapError';
  constructor() {
    super('repair of a mutable file needs its write cap (URI:SSK-ED25519:… or URI:DIR2-ED25519:…): a read or verify cap can check it, not repair it');
  }
}
