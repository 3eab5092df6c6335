import type { MutableWriteCap } from '../../../src-shared/caps/index.js';
import { recoverWriterKeysFromAny, type MutableVersionInfo, type MutableWriterKeys } from '../../core/mutable/index.js';
import { equalBytes } from '../../core/bytes.js';
import { MutableConflictError } from './errors.js';
import { publishMutable, type MutablePublishOptions, type PublishedVersion } from './publish.js';
import { retrieveMutable } from './retrieve.js';

/**
 * Computes a file's new contents from its current ones (and version). Returning undefined
 * leaves the file as it is; throwing aborts the change.
 */
export type MutableModifier = (current: Uint8Array, info: MutableVersionInfo) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

export interface ModifyOptions extends MutablePublishOptions {
  /** publishes tried before the conflict is thrown (default 6) */
  readonly attempts?: number;
  /** the first wait after a conflict; each later one about doubles, with jitter (default 50 ms) */
  readonly backoffMs?: number;
}

export interface ModifiedVersion {
  /** false when the modifier left the file as it was */
  readonly changed: boolean;
  /** the contents now on the grid */
  readonly plaintext: Uint8Array;
  readonly info: MutableVersionInfo;
  readonly published?: PublishedVersion;
  /** publishes it took (1 without conflicts) */
  readonly attempts: number;
}

const DEFAULT_ATTEMPTS = 6;
const DEFAULT_BACKOFF_MS = 50;

/**
 * Reads the newest version, applies `modifier`, and publishes the result; on
 * MutableConflictError it waits (exponential backoff with jitter), reads the newest version
 * again and applies `modifier` to that, so no writer's change is lost. A publish that was
 * "surprised" but whose version still ended up the newest counts as done.
 *
 * The modifier must be idempotent (as Tahoe requires of its modifiers, and as directory
 * edits are: "set this name to this cap"). A publish that met a conflict can still have
 * left its version readable, and another writer can build on it before our retry reads the
 * grid: the retry then sees its own change already there, and must leave it as it is.
 */
export async function modifyMutable(cap: MutableWriteCap, modifier: MutableModifier, options: ModifyOptions): Promise<ModifiedVersion> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  let surprised: { attempted: MutableVersionInfo; plaintext: Uint8Array } | undefined;
  let keys: MutableWriterKeys | undefined;
  for (let attempt = 1; ; attempt++) {
    const current = await retrieveMutable(cap, options);
    if (surprised !== undefined && equalBytes(current.info.checkstring, surprised.attempted.checkstring)) {
      return { changed: true, plaintext: current.plaintext, info: current.info, attempts: attempt - 1 };
    }
    const next = await modifier(current.plaintext, current.info);
    if (next === undefined) return { changed: false, plaintext: current.plaintext, info: current.info, attempts: attempt - 1 };
    keys ??= recoverWriterKeysFromAny(cap, current.shares);
    try {
      const published = await publishMutable(cap, next, { ...options, servermap: current.servermap, keys });
      return { changed: true, plaintext: next, info: published.info, published, attempts: attempt };
    } catch (error) {
      if (!(error instanceof MutableConflictError) || attempt >= attempts) throw error;
      surprised = { attempted: error.attempted, plaintext: next };
      await backoff(attempt, options.backoffMs ?? DEFAULT_BACKOFF_MS);
    }
  }
}

function backoff(attempt: number, baseMs: number): Promise<void> {
  const ms = baseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}
