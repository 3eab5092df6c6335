// Check, verify, repair and add-lease for any cap: immutable files (read or verify cap),
// mutable files, and directories (by the file that holds their entries).
import type { Cap } from '../../src-shared/caps/index.js';
import { checkImmutable } from '../grid/checker.js';
import type { FileHealth } from '../grid/file-health.js';
import type { GridServer } from '../grid/grid-server.js';
import { checkMutable } from '../grid/mutable/index.js';
import type { UploadEncoding } from '../grid/uploader.js';

export interface CapCheckRequest {
  readonly verify: boolean;
  readonly repair: boolean;
  readonly addLease: boolean;
}

export interface CapCheckerContext {
  /** the storage servers usable now */
  readonly servers: () => GridServer[];
  readonly encoding: () => UploadEncoding;
  readonly leaseSecret: Uint8Array;
}

const LITERAL_HEALTH: FileHealth = {
  healthy: true,
  recoverable: true,
  sharesNeeded: 0,
  sharesTotal: 0,
  sharesFound: 0,
  serversWithShares: 0,
  happiness: 0,
  happy: 0,
  corruptShares: [],
  servers: [],
  summary: 'healthy: a literal file is stored in its cap',
};

export class CapChecker {
  constructor(private readonly context: CapCheckerContext) {}

  async check(cap: Cap, request: CapCheckRequest): Promise<FileHealth> {
    const file = cap.kind === 'dir' ? cap.file : cap;
    const servers = this.context.servers();
    const encoding = this.context.encoding();
    const { leaseSecret } = this.context;
    switch (file.kind) {
      case 'lit':
        return request.repair ? { ...LITERAL_HEALTH, repair: 'nothing to do: the file is healthy' } : LITERAL_HEALTH;
      case 'chk':
      case 'chk-verifier':
        return checkImmutable(file, { servers, encoding, leaseSecret, ...request });
      default:
        return checkMutable(file, { servers, happy: encoding.happy, leaseSecret, ...request });
    }
  }
}
