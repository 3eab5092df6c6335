import {
  CapError,
  isWriteCap,
  parseAnyCap,
  type Cap,
  type DirectoryCap,
} from '../../../src-shared/caps/index.js';
import { isAscii } from 'node:buffer';
import { childNameBytes, compareChildNames, normalizeChildName } from './child-name.js';
import { ChildWriteCapSeal } from './child-write-cap.js';
import { ChildNameError, DirectoryEntryError, DirectoryFormatError } from './errors.js';
import { checkMetadata, metadataProblem, type ChildMetadata } from './metadata.js';
import { readNetstring } from './netstrings.js';

// A directory's contents (mutable-and-dirnodes.md §7, docs/formats.md): the concatenation,
// in code-point order of the NFC names, of
//   ns( ns(UTF-8 name) ‖ ns(ro_uri) ‖ ns(sealed rw_uri, or empty) ‖ ns(JSON metadata) ).

export interface DirectoryChild {
  readonly name: string;
  /** the child's read-only cap (for an immutable child, its only cap) */
  readonly roUri: string;
  /** the child's write cap: stored only in mutable directories, shown only to writers */
  readonly rwUri?: string;
  readonly metadata: ChildMetadata;
}

/** How a directory is read: with its writekey, read-only, or as an immutable directory. */
export type DirectoryAccess =
  | { readonly kind: 'write'; readonly writekey: Uint8Array }
  | { readonly kind: 'read' }
  | { readonly kind: 'immutable' };

const WRITEKEY_SIZE = 16;
const EMPTY = new Uint8Array(0);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The access a directory cap gives to its contents. A verify cap gives none. */
export function directoryAccessOf(cap: DirectoryCap): DirectoryAccess {
  switch (cap.file.kind) {
    case 'ssk-ed25519':
      return { kind: 'write', writekey: cap.file.writekey };
    case 'ssk-ed25519-ro':
      return { kind: 'read' };
    case 'chk':
    case 'lit':
      return { kind: 'immutable' };
    default:
      throw new DirectoryEntryError('a directory verify cap cannot read the directory');
  }
}

/** CHK, LIT, or an immutable directory (which holds only such children). */
export function isDeepImmutable(cap: Cap): boolean {
  const file = cap.kind === 'dir' ? cap.file : cap;
  return file.kind === 'chk' || file.kind === 'lit';
}

function isVerifyCap(cap: Cap): boolean {
  const file = cap.kind === 'dir' ? cap.file : cap;
  return file.kind === 'chk-verifier' || file.kind === 'ssk-ed25519-verifier';
}

/**
 * Whether a write cap and a read-only cap name the same mutable file or directory. The
 * fingerprint identifies the file, so comparing it avoids hashing the writekey.
 */
function sameFile(rw: Cap, ro: Cap): boolean {
  const [rwFile, roFile] = [rw, ro].map((cap) => (cap.kind === 'dir' ? cap.file : cap));
  if ((rw.kind === 'dir') !== (ro.kind === 'dir') || rwFile?.kind !== 'ssk-ed25519' || roFile?.kind !== 'ssk-ed25519-ro') return false;
  return Buffer.compare(rwFile.fingerprint, roFile.fingerprint) === 0;
}

/** A cap that parsed is canonical but for whitespace and an `ro.`/`imm.` entry prefix. */
function canonicalCapText(text: string): string {
  return text.trim().replace(/^(ro|imm)\./, '');
}

function parseChildCap(text: string, what: string, name: string): Cap {
  try {
    return parseAnyCap(text);
  } catch (error) {
    if (!(error instanceof CapError)) throw error;
    throw new DirectoryEntryError(`entry ${JSON.stringify(name)}: its ${what} is malformed: ${error.message}`);
  }
}

interface PreparedChild {
  readonly nameBytes: Uint8Array;
  readonly name: string;
  readonly roUri: string;
  readonly rwUri: string | undefined;
  readonly metadata: ChildMetadata;
}

function prepareChild(child: DirectoryChild, immutable: boolean): PreparedChild {
  const name = normalizeChildName(child.name);
  const entry = (problem: string) => new DirectoryEntryError(`entry ${JSON.stringify(name)}: ${problem}`);
  const ro = parseChildCap(child.roUri, 'read-only cap', name);
  if (isWriteCap(ro)) throw entry('its read-only cap is a write cap');
  if (isVerifyCap(ro)) throw entry('a verify cap cannot be a directory entry');
  if (immutable && !isDeepImmutable(ro)) throw entry('an immutable directory holds only immutable files and immutable directories');
  const roUri = canonicalCapText(child.roUri);
  let rwUri: string | undefined;
  if (child.rwUri !== undefined) {
    if (immutable) throw entry('an immutable directory cannot hold write caps');
    const rw = parseChildCap(child.rwUri, 'write cap', name);
    if (!isWriteCap(rw)) throw entry('its write cap is not a write cap');
    if (!sameFile(rw, ro)) throw entry('its write cap and read-only cap name different files');
    rwUri = canonicalCapText(child.rwUri);
  }
  return { nameBytes: childNameBytes(name), name, roUri, rwUri, metadata: checkMetadata(child.metadata, name) };
}

function pack(children: Iterable<DirectoryChild>, writekey: Uint8Array | undefined): Uint8Array {
  const prepared = [...children].map((child) => prepareChild(child, writekey === undefined));
  prepared.sort((a, b) => compareChildNames(a.nameBytes, b.nameBytes));
  for (let i = 1; i < prepared.length; i++) {
    if (compareChildNames(prepared[i - 1]!.nameBytes, prepared[i]!.nameBytes) === 0) {
      throw new ChildNameError(`two entries are named ${JSON.stringify(prepared[i]!.name)} (after NFC normalisation)`);
    }
  }
  const seal = writekey === undefined ? undefined : new ChildWriteCapSeal(writekey);
  return writeEntries(
    prepared.map((child) => [
      child.nameBytes,
      Buffer.from(child.roUri, 'latin1'), // caps are ASCII
      seal === undefined ? EMPTY : seal.seal(child.rwUri),
      Buffer.from(JSON.stringify(child.metadata), 'utf8'),
    ]),
  );
}

/** Length of ns(x) for a body of `length` bytes. */
function netstringLength(length: number): number {
  return String(length).length + length + 2;
}

/** Writes every entry's netstrings straight into one buffer (a large directory makes 50 000 of them). */
function writeEntries(entries: ReadonlyArray<readonly Uint8Array[]>): Uint8Array {
  const bodyLengths = entries.map((fields) => fields.reduce((sum, field) => sum + netstringLength(field.length), 0));
  const out = Buffer.allocUnsafe(bodyLengths.reduce((sum, length) => sum + netstringLength(length), 0));
  let at = 0;
  const open = (length: number) => (at += out.write(`${length}:`, at, 'latin1'));
  const close = () => (out[at++] = 0x2c);
  entries.forEach((fields, i) => {
    open(bodyLengths[i]!);
    for (const field of fields) {
      open(field.length);
      out.set(field, at);
      at += field.length;
      close();
    }
    close();
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** A mutable directory's contents; each child's write cap is sealed with `writekey`. */
export function packMutableDirectory(children: Iterable<DirectoryChild>, writekey: Uint8Array): Uint8Array {
  if (!(writekey instanceof Uint8Array) || writekey.length !== WRITEKEY_SIZE) {
    throw new DirectoryEntryError(`a directory writekey is ${WRITEKEY_SIZE} bytes`);
  }
  return pack(children, writekey);
}

/** An immutable directory's contents: no write caps, every child deep-immutable. */
export function packImmutableDirectory(children: Iterable<DirectoryChild>): Uint8Array {
  return pack(children, undefined);
}

function decodeText(bytes: Uint8Array, where: string, what: string): string {
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new DirectoryFormatError(`${where}: its ${what} is not valid UTF-8`);
  }
}

function unpackEntry(body: Uint8Array, access: DirectoryAccess, seal: ChildWriteCapSeal | undefined, where: string): DirectoryChild {
  const name = readNetstring(body, 0, where);
  const ro = readNetstring(body, name.next, where);
  const sealed = readNetstring(body, ro.next, where);
  const metadataBytes = readNetstring(body, sealed.next, where);
  if (metadataBytes.next !== body.length) throw new DirectoryFormatError(`${where}: has bytes after its four fields`);

  let childName: string;
  try {
    childName = normalizeChildName(decodeText(name.body, where, 'name'));
  } catch (error) {
    if (!(error instanceof ChildNameError)) throw error;
    throw new DirectoryFormatError(`${where}: ${error.message}`);
  }
  const here = `${where} (${JSON.stringify(childName)})`;
  const roUri = decodeText(ro.body, here, 'read-only cap').replace(/ +$/, '');
  let metadata: unknown;
  try {
    metadata = JSON.parse(decodeText(metadataBytes.body, here, 'metadata'));
  } catch (error) {
    if (error instanceof DirectoryFormatError) throw error;
    throw new DirectoryFormatError(`${here}: its metadata is not JSON`);
  }
  const problem = metadataProblem(metadata);
  if (problem !== undefined) throw new DirectoryFormatError(`${here}: ${problem}`);

  if (access.kind === 'immutable') {
    if (sealed.body.length !== 0) throw new DirectoryFormatError(`${here}: an immutable directory entry holds a write cap`);
    let cap: Cap | undefined;
    try {
      cap = parseAnyCap(roUri);
    } catch {
      cap = undefined;
    }
    if (cap === undefined || !isDeepImmutable(cap)) throw new DirectoryFormatError(`${here}: an immutable directory holds a child that is not immutable`);
  }
  const child: DirectoryChild = { name: childName, roUri, metadata: metadata as ChildMetadata };
  if (seal === undefined) return child;
  const rwUri = seal.open(sealed.body, here);
  return rwUri === '' ? child : { ...child, rwUri };
}

/**
 * Parses a directory's contents. With write access each child's write cap is opened (and
 * its MAC checked); read-only access never opens them, so the result holds no write cap.
 * Immutable access rejects any write cap and any child that is not deep-immutable.
 * Throws DirectoryFormatError saying which entry is wrong.
 */
export function unpackDirectory(contents: Uint8Array, access: DirectoryAccess): DirectoryChild[] {
  const children: DirectoryChild[] = [];
  const seen = new Set<string>();
  const seal = access.kind === 'write' ? new ChildWriteCapSeal(access.writekey) : undefined;
  for (let at = 0; at < contents.length; ) {
    const where = `directory entry ${children.length}`;
    const entry = readNetstring(contents, at, where);
    const child = unpackEntry(entry.body, access, seal, where);
    if (seen.has(child.name)) throw new DirectoryFormatError(`${where}: the name ${JSON.stringify(child.name)} appears twice`);
    seen.add(child.name);
    children.push(child);
    at = entry.next;
  }
  return children;
}
