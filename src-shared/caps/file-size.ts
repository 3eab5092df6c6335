import type { Cap } from './types.js';

/** The size an immutable file's read cap states (CHK, LIT); undefined for any other cap. */
export function immutableFileSizeOf(cap: Cap): number | undefined {
  if (cap.kind === 'chk') return cap.size;
  if (cap.kind === 'lit') return cap.data.length;
  return undefined;
}
