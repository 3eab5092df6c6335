/** Random access to the bytes of one share, wherever they live (a file, a server). */
export interface ShareSource {
  /** how errors name this share: a file name, a server and share number… */
  readonly label: string;
  /** Reads up to `length` bytes at `offset`; fewer only at the end of the share. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** a share number the caller believes this is (e.g. from a file name); used only to break ties */
  readonly claimedShareNumber?: number;
}

/** A share held in memory. */
export function memoryShareSource(label: string, bytes: Uint8Array, claimedShareNumber?: number): ShareSource {
  return {
    label,
    claimedShareNumber,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
  };
}

/**
 * A share source that keeps ranges it was asked to prefetch, and answers reads inside them
 * from memory. Over a network each read is a round trip; opening a share touches five
 * places in it, and a small file's whole share fits in one read.
 */
export class PrefetchingShareSource implements ShareSource {
  readonly label: string;
  readonly claimedShareNumber?: number;
  readonly #source: ShareSource;
  readonly #ranges = new Map<string, { readonly offset: number; readonly bytes: Uint8Array; readonly reachedEnd: boolean }>();

  constructor(source: ShareSource) {
    this.#source = source;
    this.label = source.label;
    if (source.claimedShareNumber !== undefined) this.claimedShareNumber = source.claimedShareNumber;
  }

  /** Reads [offset, offset + length) now and keeps it under `name` (replacing what was there). */
  async prefetch(name: string, offset: number, length: number): Promise<void> {
    const bytes = await this.#source.read(offset, length);
    this.#ranges.set(name, { offset, bytes, reachedEnd: bytes.length < length });
  }

  /** Drops a kept range. */
  forget(name: string): void {
    this.#ranges.delete(name);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    for (const range of this.#ranges.values()) {
      const start = offset - range.offset;
      if (start < 0) continue;
      // inside the range, or past a range that ended with the share (then it is short too)
      if (start + length <= range.bytes.length || (range.reachedEnd && start <= range.bytes.length)) {
        return Promise.resolve(range.bytes.subarray(start, start + length));
      }
    }
    return this.#source.read(offset, length);
  }
}
