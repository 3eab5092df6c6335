/** A half-open byte range [start, end). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The byte ranges already written to an incoming share, kept sorted and merged, so a
 * rewrite can be checked against what is on disk (same bytes: fine; different: conflict).
 */
export class WrittenRanges {
  #ranges: ByteRange[] = [];
  #total = 0;

  /** bytes covered by at least one write */
  get total(): number {
    return this.#total;
  }

  /** The parts of [start, end) already written, in order. */
  overlaps(start: number, end: number): ByteRange[] {
    const out: ByteRange[] = [];
    for (const range of this.#ranges) {
      if (range.start >= end) break;
      if (range.end <= start) continue;
      out.push({ start: Math.max(start, range.start), end: Math.min(end, range.end) });
    }
    return out;
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    const kept: ByteRange[] = [];
    let merged: ByteRange = { start, end };
    let placed = false;
    for (const range of this.#ranges) {
      if (range.end < merged.start) kept.push(range);
      else if (range.start > merged.end) {
        if (!placed) kept.push(merged);
        placed = true;
        kept.push(range);
      } else {
        // touching or overlapping: absorb into the new range
        merged = { start: Math.min(merged.start, range.start), end: Math.max(merged.end, range.end) };
      }
    }
    if (!placed) kept.push(merged);
    this.#ranges = kept;
    this.#total = kept.reduce((sum, r) => sum + (r.end - r.start), 0);
  }
}
