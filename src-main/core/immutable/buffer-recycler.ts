/**
 * Keeps a few spent buffers of each size for reuse. Encoding a large file otherwise
 * allocates several MiB per segment; reusing them keeps memory flat and avoids the page
 * faults of fresh allocations.
 */
export class BufferRecycler {
  private readonly free = new Map<number, Uint8Array[]>();

  constructor(private readonly keepPerSize = 8) {}

  /** A buffer of exactly `size` bytes, with undefined contents. */
  take(size: number): Uint8Array {
    return this.free.get(size)?.pop() ?? new Uint8Array(size);
  }

  /** Hands back a buffer nothing uses any more; only whole, attached buffers are kept. */
  give(buffer: Uint8Array | undefined): void {
    if (buffer === undefined || buffer.byteLength === 0) return;
    if (buffer.byteOffset !== 0 || buffer.byteLength !== buffer.buffer.byteLength) return;
    const list = this.free.get(buffer.byteLength) ?? [];
    if (list.length < this.keepPerSize && !list.includes(buffer)) list.push(buffer);
    this.free.set(buffer.byteLength, list);
  }
}
