export type CapErrorReason =
  | 'prefix'
  | 'field-count'
  | 'length'
  | 'base32'
  | 'number'
  | 'k-greater-than-n'
  | 'range';

/** A malformed cap. Messages never contain key material (caps are secrets). */
export class CapError extends Error {
  override readonly name = 'CapError';
  readonly reason: CapErrorReason;
  /** The cap property at fault, e.g. 'key' or 'neededShares'. */
  readonly field?: string;

  constructor(reason: CapErrorReason, message: string, field?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
    if (field !== undefined) this.field = field;
  }
}
