// Tahoe's `?t=json` shapes: ["filenode", {…}] and ["dirnode", {…, children}]. A read-only
// cap's JSON carries no write cap, of the node itself or of any child.
import { formatCap, isWriteCap, parseAnyCap, readOnlyCapOf, verifyCapOf, type Cap, type DirectoryCap } from '../../../src-shared/caps/index.js';
import type { ChildMetadata } from '../../core/dirnode/index.js';
import type { DirectoryEntry } from '../../grid/vdrive/index.js';

type NodeType = 'filenode' | 'dirnode';

function isMutable(cap: Cap): boolean {
  const kind = cap.kind === 'dir' ? cap.file.kind : cap.kind;
  return kind.startsWith('ssk-');
}

function formatOf(cap: Cap): string {
  const kind = cap.kind === 'dir' ? cap.file.kind : cap.kind;
  if (kind === 'lit') return 'LIT';
  return kind.startsWith('ssk-') ? 'SDMF' : 'CHK';
}

/** A file's size when its cap tells it. */
function sizeOf(cap: Cap): number | undefined {
  if (cap.kind === 'lit') return cap.data.length;
  if (cap.kind === 'chk' || cap.kind === 'chk-verifier') return cap.size;
  return undefined;
}

/** The cap fields of a node: rw_uri only for a write cap, ro_uri unless it is a verify cap. */
function capFields(cap: Cap): Record<string, string> {
  const fields: Record<string, string> = {};
  if (isWriteCap(cap)) fields.rw_uri = formatCap(cap);
  const verifyOnly = cap.kind === 'chk-verifier' || cap.kind === 'ssk-ed25519-verifier' || (cap.kind === 'dir' && (cap.file.kind === 'chk-verifier' || cap.file.kind === 'ssk-ed25519-verifier'));
  if (!verifyOnly) fields.ro_uri = formatCap(readOnlyCapOf(cap));
  const verify = cap.kind === 'lit' ? undefined : verifyCapOf(cap);
  if (verify !== undefined) fields.verify_uri = formatCap(verify);
  return fields;
}

export function fileNodeJson(cap: Cap, metadata?: ChildMetadata): [NodeType, Record<string, unknown>] {
  const size = sizeOf(cap) ?? metadata?.size;
  return [
    'filenode',
    {
      mutable: isMutable(cap),
      format: formatOf(cap),
      ...capFields(cap),
      ...(size === undefined ? {} : { size }),
      ...(metadata === undefined ? {} : { metadata }),
    },
  ];
}

function childJson(entry: DirectoryEntry): [NodeType, Record<string, unknown>] {
  const cap = parseAnyCap(entry.cap);
  if (cap.kind !== 'dir') return fileNodeJson(cap, entry.metadata);
  return ['dirnode', { mutable: isMutable(cap), ...capFields(cap), metadata: entry.metadata }];
}

export function directoryNodeJson(dir: DirectoryCap, entries: readonly DirectoryEntry[], metadata?: ChildMetadata): [NodeType, Record<string, unknown>] {
  const children: Record<string, [NodeType, Record<string, unknown>]> = {};
  for (const entry of entries) children[entry.name] = childJson(entry);
  return ['dirnode', { mutable: isMutable(dir), format: formatOf(dir), ...capFields(dir), ...(metadata === undefined ? {} : { metadata }), children }];
}
