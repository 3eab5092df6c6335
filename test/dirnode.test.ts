import { describe, expect, it } from 'vitest';
import { formatCap, readOnlyCapOf, type DirectoryCap } from '../src-shared/caps/index.js';
import {
  ChildNameError,
  DirectoryEntryError,
  DirectoryFormatError,
  directoryAccessOf,
  linkedMetadata,
  normalizeChildName,
  packImmutableDirectory,
  packMutableDirectory,
  unpackDirectory,
  type DirectoryChild,
} from '../src-main/core/dirnode/index.js';
import { generateWriterKeys, writeCapOfKeys } from '../src-main/core/mutable/index.js';

const b32 = (seed: number, chars: number): string => Array.from({ length: chars }, (_, i) => 'abcdefghijklmnopqrstuvwxyz234567'[(i * 7 + seed) % 32]).join('').replace(/.$/, 'a');
const chkCap = (seed: number, size = 1000): string => `URI:CHK:${b32(seed, 26)}:${b32(seed + 1, 52)}:3:10:${size}`;
const LIT = 'URI:LIT:nbswy3dp';

const dirKeys = generateWriterKeys();
const WRITEKEY = dirKeys.writekey;
const childKeys = generateWriterKeys();
const CHILD_RW = formatCap(writeCapOfKeys(childKeys));
const CHILD_RO = formatCap(readOnlyCapOf(writeCapOfKeys(childKeys)));
const SUBDIR_RW = CHILD_RW.replace('URI:SSK-ED25519:', 'URI:DIR2-ED25519:');
const SUBDIR_RO = CHILD_RO.replace('URI:SSK-ED25519-RO:', 'URI:DIR2-ED25519-RO:');

const meta = { size: 1000, mtime: 1_700_000_000.5, ctime: 1_700_000_000, cairn: { linkcrtime: 1_700_000_001, linkmotime: 1_700_000_002 } };
const children: DirectoryChild[] = [
  { name: 'zeta.txt', roUri: chkCap(1), metadata: meta },
  { name: 'notes', roUri: CHILD_RO, rwUri: CHILD_RW, metadata: { cairn: { linkcrtime: 1, linkmotime: 2 } } },
  { name: 'photos', roUri: SUBDIR_RO, rwUri: SUBDIR_RW, metadata: {} },
  { name: 'shared-ro', roUri: SUBDIR_RO, metadata: { extra: ['kept'] } },
  { name: 'hello', roUri: LIT, metadata: { size: 5 } },
];

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('child names', () => {
  it('are NFC-normalised', () => {
    expect(normalizeChildName('cafe\u0301')).toBe('café');
    expect(normalizeChildName('Å')).toBe('\u00c5');
  });

  it.each([
    ['', 'a child name must not be empty'],
    ['a/b', 'child name "a/b" must not contain "/"'],
    ['/', 'child name "/" must not contain "/"'],
    ['bad\ud800name', 'child name "bad\\ud800name" is not valid Unicode (it has a lone surrogate)'],
    ['\udc00', 'child name "\\udc00" is not valid Unicode (it has a lone surrogate)'],
  ])('rejects %j', (name, message) => {
    expect(() => normalizeChildName(name)).toThrow(new ChildNameError(message));
  });

  it('accepts astral characters (paired surrogates)', () => {
    expect(normalizeChildName('🪨 cairn')).toBe('🪨 cairn');
  });
});

describe('mutable directories', () => {
  const packed = packMutableDirectory(children, WRITEKEY);

  it('round-trip with write access, sorted by name', () => {
    const unpacked = unpackDirectory(packed, { kind: 'write', writekey: WRITEKEY });
    expect(unpacked.map((c) => c.name)).toEqual(['hello', 'notes', 'photos', 'shared-ro', 'zeta.txt']);
    const byName = new Map(children.map((c) => [c.name, c]));
    for (const child of unpacked) expect(child).toEqual(byName.get(child.name));
  });

  it('a read-only view never shows a write cap', () => {
    const unpacked = unpackDirectory(packed, { kind: 'read' });
    expect(unpacked.map((c) => c.rwUri)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(unpacked.find((c) => c.name === 'notes')?.roUri).toBe(CHILD_RO);
    // The write caps' bytes are nowhere in the contents.
    const text = Buffer.from(packed).toString('latin1');
    expect(text).not.toContain(CHILD_RW.slice(16, 40));
    expect(text).not.toContain(SUBDIR_RW.slice(18, 42));
  });

  it('packing is deterministic (the seal salt is derived from the cap)', () => {
    expect(packMutableDirectory([...children].reverse(), WRITEKEY)).toEqual(packed);
  });

  it('the empty directory is empty bytes', () => {
    expect(packMutableDirectory([], WRITEKEY)).toEqual(new Uint8Array());
    expect(unpackDirectory(new Uint8Array(), { kind: 'read' })).toEqual([]);
  });

  it('sorts by code point, not by UTF-16 unit', () => {
    const names = ['\uffff', '😀', 'b', 'a\u0301', 'é'];
    const dir = packMutableDirectory(names.slice(0, 4).map((name) => ({ name, roUri: LIT, metadata: {} })), WRITEKEY);
    expect(unpackDirectory(dir, { kind: 'read' }).map((c) => c.name)).toEqual(['b', 'á', '\uffff', '😀']);
  });

  it('a wrong writekey fails the seal MAC', () => {
    expect(() => unpackDirectory(packed, { kind: 'write', writekey: new Uint8Array(16) })).toThrow(
      /directory entry 0 \("hello"\): its sealed write cap fails its MAC/,
    );
  });

  it('access follows the directory cap', () => {
    const cap: DirectoryCap = { kind: 'dir', file: writeCapOfKeys(dirKeys) };
    expect(directoryAccessOf(cap)).toEqual({ kind: 'write', writekey: WRITEKEY });
    expect(directoryAccessOf(readOnlyCapOf(cap))).toEqual({ kind: 'read' });
    expect(() => directoryAccessOf({ kind: 'dir', file: { kind: 'ssk-ed25519-verifier', storageIndex: new Uint8Array(16), fingerprint: new Uint8Array(32) } })).toThrow(
      'a directory verify cap cannot read the directory',
    );
  });

  it('linkedMetadata keeps the link creation time', () => {
    const first = linkedMetadata({ size: 3 }, undefined, 100);
    expect(first).toEqual({ size: 3, cairn: { linkcrtime: 100, linkmotime: 100 } });
    expect(linkedMetadata({ size: 4 }, first, 200)).toEqual({ size: 4, cairn: { linkcrtime: 100, linkmotime: 200 } });
  });
});

describe('immutable directories', () => {
  const immutableChildren: DirectoryChild[] = [
    { name: 'a', roUri: chkCap(3), metadata: { size: 1000 } },
    { name: 'b', roUri: LIT, metadata: {} },
    { name: 'sub', roUri: `URI:DIR2-CHK:${chkCap(5).slice('URI:CHK:'.length)}`, metadata: {} },
    { name: 'tiny', roUri: 'imm.URI:DIR2-LIT:', metadata: {} },
  ];

  it('round-trip with empty rwcapdata', () => {
    const packed = packImmutableDirectory(immutableChildren);
    expect(Buffer.from(packed).toString('latin1')).toContain('0:,');
    const unpacked = unpackDirectory(packed, { kind: 'immutable' });
    expect(unpacked.map((c) => c.roUri)).toEqual([chkCap(3), LIT, immutableChildren[2]!.roUri, 'URI:DIR2-LIT:']);
  });

  it('refuse mutable children and write caps', () => {
    expect(() => packImmutableDirectory([{ name: 'm', roUri: CHILD_RO, metadata: {} }])).toThrow(
      new DirectoryEntryError('entry "m": an immutable directory holds only immutable files and immutable directories'),
    );
    expect(() => packImmutableDirectory([{ name: 'm', roUri: LIT, rwUri: CHILD_RW, metadata: {} }])).toThrow('cannot hold write caps');
  });

  it('a reader rejects non-empty rwcapdata or a mutable child', () => {
    const mutable = packMutableDirectory([{ name: 'a', roUri: LIT, metadata: {} }], WRITEKEY);
    expect(() => unpackDirectory(mutable, { kind: 'immutable' })).toThrow(
      new DirectoryFormatError('directory entry 0 ("a"): an immutable directory entry holds a write cap'),
    );
    const withMutableChild = packImmutableDirectory([{ name: 'a', roUri: LIT, metadata: {} }]);
    const forged = Buffer.from(Buffer.from(withMutableChild).toString('latin1').replace(LIT, CHILD_RO.slice(0, LIT.length)), 'latin1');
    expect(() => unpackDirectory(forged, { kind: 'immutable' })).toThrow(/an immutable directory holds a child that is not immutable/);
  });
});

describe('bad input when packing', () => {
  const one = (child: Partial<DirectoryChild>) => () => packMutableDirectory([{ name: 'x', roUri: LIT, metadata: {}, ...child }], WRITEKEY);

  it.each([
    [{ name: 'a/b' }, ChildNameError, 'child name "a/b" must not contain "/"'],
    [{ name: '' }, ChildNameError, 'a child name must not be empty'],
    [{ roUri: 'URI:CHK:abc' }, DirectoryEntryError, 'entry "x": its read-only cap is malformed: URI:CHK: cap has 1 field after the prefix, expected 5'],
    [{ roUri: CHILD_RW }, DirectoryEntryError, 'entry "x": its read-only cap is a write cap'],
    [{ roUri: LIT, rwUri: CHILD_RW }, DirectoryEntryError, 'entry "x": its write cap and read-only cap name different files'],
    [{ roUri: CHILD_RO, rwUri: CHILD_RO }, DirectoryEntryError, 'entry "x": its write cap is not a write cap'],
    [{ metadata: { size: -1 } }, DirectoryEntryError, 'entry "x": metadata "size" must be a non-negative integer'],
    [{ metadata: { cairn: { linkcrtime: 'now' } } }, DirectoryEntryError, 'entry "x": metadata "cairn.linkcrtime" must be a number'],
    [{ metadata: [] as unknown as object }, DirectoryEntryError, 'entry "x": metadata must be a JSON object'],
  ])('%o', (change, type, message) => {
    const error = thrown(one(change as Partial<DirectoryChild>));
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
  });

  it('names that normalise to the same string collide', () => {
    const twins = [{ name: 'café', roUri: LIT, metadata: {} }, { name: 'cafe\u0301', roUri: LIT, metadata: {} }];
    expect(() => packMutableDirectory(twins, WRITEKEY)).toThrow(new ChildNameError('two entries are named "café" (after NFC normalisation)'));
  });

  it('a writekey of the wrong size', () => {
    expect(() => packMutableDirectory([], new Uint8Array(15))).toThrow('a directory writekey is 16 bytes');
  });
});

describe('bad input when unpacking', () => {
  const entry = (name: Uint8Array | string, ro: string, sealed: string, metadata: string): Buffer => {
    const ns = (b: Uint8Array | string) => Buffer.concat([Buffer.from(`${Buffer.byteLength(b)}:`), Buffer.from(b), Buffer.from(',')]);
    return ns(Buffer.concat([ns(name), ns(ro), ns(sealed), ns(metadata)]));
  };
  const read = (bytes: Uint8Array) => () => unpackDirectory(bytes, { kind: 'read' });

  it.each([
    ['truncated', Buffer.from('12:abc'), 'directory entry 0: netstring at byte 0 runs past the end'],
    ['no comma', Buffer.from('3:abc;'), 'directory entry 0: netstring at byte 0 does not end with ","'],
    ['letters in a length', Buffer.from('x:abc,'), 'directory entry 0: bad netstring length at byte 0'],
    ['leading zero', Buffer.from('03:abc,'), 'directory entry 0: netstring length with a leading zero at byte 0'],
    ['three fields', Buffer.from('8:1:a,1:b,,'), 'directory entry 0: bad netstring length at byte 8'],
    ['a slash in a name', entry('a/b', LIT, '', '{}'), 'directory entry 0: child name "a/b" must not contain "/"'],
    ['invalid UTF-8 in a name', entry(Uint8Array.of(0x61, 0xff), LIT, '', '{}'), 'directory entry 0: its name is not valid UTF-8'],
    ['an encoded surrogate', entry(Uint8Array.of(0xed, 0xa0, 0x80), LIT, '', '{}'), 'directory entry 0: its name is not valid UTF-8'],
    ['metadata not JSON', entry('a', LIT, '', '{'), 'directory entry 0 ("a"): its metadata is not JSON'],
    ['metadata not an object', entry('a', LIT, '', '[1]'), 'directory entry 0 ("a"): metadata must be a JSON object'],
  ])('%s', (_what, bytes, message) => {
    expect(read(bytes)).toThrow(new DirectoryFormatError(message));
  });

  it('duplicate names, also after normalisation', () => {
    const twice = Buffer.concat([entry('café', LIT, '', '{}'), entry('cafe\u0301', LIT, '', '{}')]);
    expect(read(twice)).toThrow(new DirectoryFormatError('directory entry 1: the name "café" appears twice'));
  });

  it('a short sealed write cap, with write access', () => {
    expect(() => unpackDirectory(entry('a', LIT, 'x'.repeat(47), '{}'), { kind: 'write', writekey: WRITEKEY })).toThrow(
      'directory entry 0 ("a"): its sealed write cap is 47 bytes, less than the 48 of salt and MAC',
    );
  });

  it('strips trailing spaces from caps, as Tahoe readers do', () => {
    expect(unpackDirectory(entry('a', `${LIT}  `, '', '{}'), { kind: 'read' })[0]!.roUri).toBe(LIT);
  });
});

describe('10 000 entries', () => {
  it('round-trip', () => {
    const many: DirectoryChild[] = Array.from({ length: 10_000 }, (_, i) => ({
      name: `file-${i.toString().padStart(5, '0')}.dat`,
      roUri: i % 2 === 0 ? chkCap(i, i) : CHILD_RO,
      ...(i % 2 === 0 ? {} : { rwUri: CHILD_RW }),
      metadata: { size: i, mtime: 1_700_000_000 + i, cairn: { linkcrtime: 1, linkmotime: 2 } },
    }));
    const packed = packMutableDirectory(many, WRITEKEY);
    const back = unpackDirectory(packed, { kind: 'write', writekey: WRITEKEY });
    expect(back).toHaveLength(10_000);
    expect(back[9_999]).toEqual(many[9_999]);
    expect(back[1234]).toEqual(many[1234]);
  });
});
