// Cap object -> cap string. Throws CapError for a cap that would not parse back.

import { formatChk, formatChkVerifier } from './chk.js';
import { formatDirectory } from './directory.js';
import { CapError } from './errors.js';
import { formatLiteral } from './literal.js';
import { formatMutable } from './mutable.js';
import type { Cap } from './types.js';

export function formatCap(cap: Cap): string {
  switch (cap.kind) {
    case 'chk':
      return formatChk(cap);
    case 'chk-verifier':
      return formatChkVerifier(cap);
    case 'lit':
      return formatLiteral(cap);
    case 'ssk-ed25519':
    case 'ssk-ed25519-ro':
    case 'ssk-ed25519-verifier':
      return formatMutable(cap);
    case 'dir':
      return formatDirectory(cap);
    default:
      throw new CapError('prefix', `unknown cap kind ${JSON.stringify((cap as { kind: unknown }).kind)}`);
  }
}
