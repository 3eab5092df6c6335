import { deriveBucketLeaseSecrets } from '../../core/lease-secrets.js';
import { writeEnablerFor } from '../../core/mutable/index.js';
import type { GridServer, SlotWriteSecrets } from '../grid-server.js';

/**
 * What one server needs to accept a write to a mutable file: its own write enabler (from
 * the writekey and the server's lease seed, so no server can write elsewhere) and the
 * lease secrets immutable shares use.
 */
export function slotSecretsFor(writekey: Uint8Array, leaseSecret: Uint8Array, storageIndex: Uint8Array, server: GridServer): SlotWriteSecrets {
  const lease = deriveBucketLeaseSecrets(leaseSecret, storageIndex, server.leaseSeed);
  return { writeEnabler: writeEnablerFor(writekey, server.leaseSeed), leaseRenew: lease.renew, leaseCancel: lease.cancel };
}
