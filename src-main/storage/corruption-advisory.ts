import { BadArgumentError } from './errors.js';

/** A client's report that a share failed its hash checks (storage-protocol.md §1). */
export type ShareType = 'immutable' | 'mutable';

/** Longer reasons are cut: a report is a hint for the operator, not a place to store data. */
export const MAX_ADVISORY_REASON_BYTES = 4096;

export function checkShareType(value: unknown): ShareType {
  if (value !== 'immutable' && value !== 'mutable') {
    throw new BadArgumentError(`a share type is "immutable" or "mutable", got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `<ISO-UTC time without colons>--<b32 SI>-<shnum>`: colons are not allowed in Windows names. */
export function advisoryFileName(nowSeconds: number, storageIndexBase32: string, shareNumber: number): string {
  const time = new Date(Math.floor(nowSeconds * 1000)).toISOString().replaceAll(':', '');
  return `${time}--${storageIndexBase32}-${shareNumber}`;
}

export function advisoryText(type: ShareType, storageIndexBase32: string, shareNumber: number, reason: string | Uint8Array): string {
  return [
    'report: Share Corruption',
    `type: ${type}`,
    `storage_index: ${storageIndexBase32}`,
    `share_number: ${shareNumber}`,
    '',
    limitedReason(reason),
    '',
  ].join('\n');
}

function limitedReason(reason: string | Uint8Array): string {
  const bytes = typeof reason === 'string' ? new TextEncoder().encode(reason) : reason;
  if (bytes.length <= MAX_ADVISORY_REASON_BYTES) return new TextDecoder().decode(bytes);
  // A cut inside a UTF-8 sequence decodes to U+FFFD, which is fine for a human reader.
  return `${new TextDecoder().decode(bytes.subarray(0, MAX_ADVISORY_REASON_BYTES))}\n[reason truncated from ${bytes.length} bytes]`;
}
