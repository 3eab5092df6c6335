import { ChildNameError } from './errors.js';

const encoder = new TextEncoder();
/** In a `u` regex, paired surrogates form one code point, so this finds only lone ones. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A name quoted for messages: JSON escapes show control characters and lone surrogates. */
function quoted(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}

/**
 * The stored form of a child name: NFC-normalised, and refused when empty, when it holds
 * '/', or when it is not valid Unicode (a lone UTF-16 surrogate has no UTF-8 form).
 */
export function normalizeChildName(name: string): string {
  if (typeof name !== 'string') throw new ChildNameError(`a child name must be a string, got ${typeof name}`);
  if (LONE_SURROGATE.test(name)) throw new ChildNameError(`child name ${quoted(name)} is not valid Unicode (it has a lone surrogate)`);
  const normalized = name.normalize('NFC');
  if (normalized === '') throw new ChildNameError('a child name must not be empty');
  if (normalized.includes('/')) throw new ChildNameError(`child name ${quoted(name)} must not contain "/"`);
  return normalized;
}

/** Code-point order: the order of the names' UTF-8 bytes (JS `<` compares UTF-16 units). */
export function compareChildNames(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export function childNameBytes(name: string): Uint8Array {
  return encoder.encode(name);
}
