// How `cairn check` prints a check result for people: the summary, then one line per fact.
import type { CheckResult } from '../../web/node-api.js';

/** The result of POST /uri/…?t=check: what was checked, and its health. */
export type CheckResponse = CheckResult & {
  readonly checked?: { readonly kind: string; readonly path: string; readonly verifycap?: string; readonly 'storage-index'?: string };
};

export function checkReportLines(result: CheckResponse): string[] {
  const lines = [result.summary];
  if (result.checked !== undefined) lines.push(`checked: ${result.checked.kind}`);
  if (result.checked?.['storage-index'] !== undefined) lines.push(`storage index: ${result.checked['storage-index']}`);
  if (result.sharesTotal > 0) {
    lines.push(`shares: ${result.sharesFound} of ${result.sharesTotal} found, ${result.sharesNeeded} needed`);
    lines.push(`servers: ${result.serversWithShares} hold shares; happiness ${result.happiness} of ${result.happy}`);
    for (const server of result.servers) lines.push(`  ${server.server}: share${server.shares.length === 1 ? '' : 's'} ${server.shares.join(', ')}`);
  }
  for (const version of result.versions ?? []) {
    lines.push(`version: seqnum ${version.seqnum}, root hash ${version.rootHash.slice(0, 16)}…, ${version.sharesFound} shares${version.recoverable ? '' : ' (not recoverable)'}`);
  }
  for (const corrupt of result.corruptShares) lines.push(`corrupt: ${corrupt}`);
  if (result.repair !== undefined) lines.push(`repair: ${result.repair}`);
  return lines;
}
