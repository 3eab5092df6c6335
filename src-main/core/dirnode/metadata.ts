import { DirectoryEntryError } from './errors.js';

/** When the entry (the link, not the file) was made and last changed: Unix seconds. */
export interface LinkTimes {
  readonly linkcrtime: number;
  readonly linkmotime: number;
}

/**
 * An entry's metadata, stored as JSON. `size`, `mtime` and `ctime` describe the file (as
 * the uploader saw it); `cairn` holds the system's own link times (Tahoe keeps these under
 * "tahoe"). Other keys are kept as they are.
 */
export interface ChildMetadata {
  readonly size?: number;
  readonly mtime?: number;
  readonly ctime?: number;
  readonly cairn?: LinkTimes;
  readonly [key: string]: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with a metadata value, or undefined when it is well formed. */
export function metadataProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'metadata must be a JSON object';
  const { size, mtime, ctime, cairn } = value;
  if (size !== undefined && !(Number.isSafeInteger(size) && (size as number) >= 0)) return 'metadata "size" must be a non-negative integer';
  for (const [key, time] of [['mtime', mtime], ['ctime', ctime]] as const) {
    if (time !== undefined && !(typeof time === 'number' && Number.isFinite(time))) return `metadata "${key}" must be a number`;
  }
  if (cairn !== undefined) {
    if (!isPlainObject(cairn)) return 'metadata "cairn" must be an object';
    for (const key of ['linkcrtime', 'linkmotime'] as const) {
      const time = cairn[key];
      if (!(typeof time === 'number' && Number.isFinite(time))) return `metadata "cairn.${key}" must be a number`;
    }
  }
  return undefined;
}

export function checkMetadata(value: unknown, name: string): ChildMetadata {
  const problem = metadataProblem(value);
  if (problem !== undefined) throw new DirectoryEntryError(`entry ${JSON.stringify(name)}: ${problem}`);
  return value as ChildMetadata;
}

/**
 * The metadata to store when (re)linking an entry at `now`: the caller's fields, the link
 * creation time kept from the old entry, the modification time set to now (Tahoe's
 * update_metadata, with Cairn's key).
 */
export function linkedMetadata(fields: Omit<ChildMetadata, 'cairn'>, previous: ChildMetadata | undefined, now: number): ChildMetadata {
  const linkcrtime = previous?.cairn?.linkcrtime ?? now;
  return { ...fields, cairn: { linkcrtime, linkmotime: now } };
}
