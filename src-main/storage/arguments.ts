import { BadArgumentError } from './errors.js';

/** A size, offset or length: a non-negative integer that a JS number holds exactly. */
export function checkByteCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new BadArgumentError(`the ${what} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}
