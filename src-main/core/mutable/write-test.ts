import { CHECKSTRING_SIZE } from './share-layout.js';

/** A storage test vector, as `StorageBackend.testvAndReadvAndWritev` and the wire take it. */
export interface CheckstringTest {
  readonly offset: number;
  readonly length: number;
  readonly operator: 'eq';
  readonly specimen: Uint8Array;
}

/**
 * The test a publish puts on each share it writes: the share must still hold the version
 * the writer saw (its checkstring), or, for a share the writer saw nowhere, must not exist
 * (Tahoe's `(0, 1, "eq", "")`: an absent share reads as empty).
 */
export function checkstringTest(previousCheckstring: Uint8Array | undefined): CheckstringTest {
  if (previousCheckstring === undefined) return { offset: 0, length: 1, operator: 'eq', specimen: new Uint8Array(0) };
  if (previousCheckstring.length !== CHECKSTRING_SIZE) throw new RangeError(`a checkstring is ${CHECKSTRING_SIZE} bytes, got ${previousCheckstring.length}`);
  return { offset: 0, length: CHECKSTRING_SIZE, operator: 'eq', specimen: previousCheckstring };
}
