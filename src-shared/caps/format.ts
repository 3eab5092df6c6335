// FileCap -> cap string. Throws CapError for a cap that would not parse back.

import { formatChk, formatChkVerifier } from './chk.js';
import { CapError } from './errors.js';
import { formatLiteral } from './literal.js';
import type { FileCap } from './types.js';

export function formatCap(cap: FileCap): string {
  switch (cap.kind) {
    case 'chk':
      return formatChk(cap);
    case 'chk-verifier':
      return formatChkVerifier(cap);
    case 'lit':
      return formatLiteral(cap);
    default:
      throw new CapError('prefix', `unknown cap kind ${JSON.stringify((cap as { kind: unknown }).kind)}`);
  }
}
