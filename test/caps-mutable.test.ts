import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base32Encode } from '../src-shared/base32.js';
import {
  CapError,
  type Cap,
  type DirectoryCap,
  type MutableWriteCap,
  formatCap,
  isWriteCap,
  mutableStorageIndexOf,
  parseAnyCap,
  parseCap,
  parseDirectoryCap,
  parseMutableCap,
  readOnlyCapOf,
  readkeyOfWritekey,
  storageIndexOfReadkey,
  verifyCapOf,
} from '../src-shared/caps/index.js';

const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 29 + seed) & 0xff);
const WRITEKEY = bytes(16, 1);
const FINGERPRINT = bytes(32, 7);
const W = base32Encode(WRITEKEY);
const F = base32Encode(FINGERPRINT);
const WRITE_CAP: MutableWriteCap = { kind: 'ssk-ed25519', writekey: WRITEKEY, fingerprint: FINGERPRINT };

/** tagged_hash computed independently of src-shared (node:crypto, by the spec's formula). */
function referenceTaggedHash(tag: string, value: Uint8Array, length: number): Uint8Array {
  const ns = Buffer.concat([Buffer.from(`${tag.length}:${tag},`), value]);
  const once = createHash('sha256').update(ns).digest();
  return new Uint8Array(createHash('sha256').update(once).digest().subarray(0, length));
}

function capError(parse: () => unknown): CapError {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(CapError);
    return err as CapError;
  }
  throw new Error('expected a CapError');
}

function expectNoEcho(message: string, secret: string): void {
  for (let i = 0; i + 6 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 6));
}

describe('mutable key chain', () => {
  it('readkey and storage index use the documented Cairn tags', () => {
    const readkey = readkeyOfWritekey(WRITEKEY);
    expect(readkey).toEqual(referenceTaggedHash('cairn_mutable_writekey_to_readkey_v1', WRITEKEY, 16));
    expect(storageIndexOfReadkey(readkey)).toEqual(referenceTaggedHash('cairn_mutable_readkey_to_storage_index_v1', readkey, 16));
    expect(mutableStorageIndexOf(WRITE_CAP)).toEqual(storageIndexOfReadkey(readkey));
  });
});

describe('URI:SSK-ED25519 caps', () => {
  const text = `URI:SSK-ED25519:${W}:${F}`;

  it('parses and formats the write cap', () => {
    const cap = parseMutableCap(text);
    expect(cap).toEqual(WRITE_CAP);
    expect(formatCap(cap)).toBe(text);
    expect(parseAnyCap(text)).toEqual(WRITE_CAP);
  });

  it('attenuates write → read → verify, and each form round-trips', () => {
    const read = readOnlyCapOf(WRITE_CAP);
    const readkey = readkeyOfWritekey(WRITEKEY);
    expect(read).toEqual({ kind: 'ssk-ed25519-ro', readkey, fingerprint: FINGERPRINT });
    expect(formatCap(read)).toBe(`URI:SSK-ED25519-RO:${base32Encode(readkey)}:${F}`);
    const verify = verifyCapOf(read);
    expect(verify).toEqual({ kind: 'ssk-ed25519-verifier', storageIndex: storageIndexOfReadkey(readkey), fingerprint: FINGERPRINT });
    expect(verifyCapOf(WRITE_CAP)).toEqual(verify);
    expect(formatCap(verify)).toBe(`URI:SSK-ED25519-Verifier:${base32Encode(verify.storageIndex)}:${F}`);
    for (const cap of [read, verify]) expect(parseAnyCap(formatCap(cap))).toEqual(cap);
    expect(readOnlyCapOf(read)).toBe(read);
    expect(readOnlyCapOf(verify)).toBe(verify);
    expect(verifyCapOf(verify)).toBe(verify);
    expect([WRITE_CAP, read, verify].map(isWriteCap)).toEqual([true, false, false]);
  });

  it('accepts the ro. entry prefix and surrounding whitespace', () => {
    expect(parseMutableCap(` ro.${text}\n`)).toEqual(WRITE_CAP);
  });
});

describe('directory caps', () => {
  const chkBody = `${W}:${F}:3:10:1024`;
  const cases: Array<[string, DirectoryCap['file']['kind']]> = [
    [`URI:DIR2-ED25519:${W}:${F}`, 'ssk-ed25519'],
    [`URI:DIR2-ED25519-RO:${W}:${F}`, 'ssk-ed25519-ro'],
    [`URI:DIR2-ED25519-Verifier:${W}:${F}`, 'ssk-ed25519-verifier'],
    [`URI:DIR2-CHK:${chkBody}`, 'chk'],
    [`URI:DIR2-CHK-Verifier:${chkBody}`, 'chk-verifier'],
    ['URI:DIR2-LIT:nbswy3dp', 'lit'],
    ['URI:DIR2-LIT:', 'lit'],
  ];

  it.each(cases)('%s round-trips', (text, kind) => {
    const cap = parseDirectoryCap(text);
    expect(cap.kind).toBe('dir');
    expect(cap.file.kind).toBe(kind);
    expect(formatCap(cap)).toBe(text);
    expect(parseAnyCap(`imm.${text}`)).toEqual(cap);
  });

  it('attenuates a mutable directory', () => {
    const dir: DirectoryCap = { kind: 'dir', file: WRITE_CAP };
    const read = readOnlyCapOf(dir);
    expect(formatCap(read)).toBe(formatCap(readOnlyCapOf(WRITE_CAP)).replace('URI:SSK-ED25519-RO:', 'URI:DIR2-ED25519-RO:'));
    const verify = verifyCapOf(read);
    expect(verify).toEqual({ kind: 'dir', file: verifyCapOf(WRITE_CAP) });
    expect(verifyCapOf(dir)).toEqual(verify);
    expect([dir, read, verify as Cap].map(isWriteCap)).toEqual([true, false, false]);
  });

  it('attenuates immutable directories; a LIT directory has no verify cap', () => {
    const chk = parseDirectoryCap(`URI:DIR2-CHK:${chkBody}`);
    expect(readOnlyCapOf(chk)).toBe(chk);
    expect(formatCap(verifyCapOf(chk)!)).toMatch(/^URI:DIR2-CHK-Verifier:[a-z2-7]{26}:/);
    expect(verifyCapOf(parseDirectoryCap('URI:DIR2-LIT:'))).toBeUndefined();
  });
});

describe('malformed mutable and directory caps', () => {
  const cases: Array<[string, string, CapError['reason'], string, string?]> = [
    ['one field', `URI:SSK-ED25519:${W}`, 'field-count', 'URI:SSK-ED25519: cap has 1 field after the prefix, expected 2'],
    ['three fields', `URI:SSK-ED25519-RO:${W}:${F}:x`, 'field-count', 'URI:SSK-ED25519-RO: cap has 3 fields after the prefix, expected 2'],
    ['short write key', `URI:SSK-ED25519:${W.slice(1)}:${F}`, 'length', 'write key must be 26 base32 characters (16 bytes), got 25', 'writekey'],
    ['short read key', `URI:DIR2-ED25519-RO:${W.slice(2)}:${F}`, 'length', 'read key must be 26 base32 characters (16 bytes), got 24', 'readkey'],
    ['long fingerprint', `URI:SSK-ED25519:${W}:${F}a`, 'length', 'public key fingerprint must be 52 base32 characters (32 bytes), got 53', 'fingerprint'],
    ['digit 8 in fingerprint', `URI:SSK-ED25519:${W}:8${F.slice(1)}`, 'base32', 'invalid base32 character "8" at position 0 in public key fingerprint', 'fingerprint'],
    ['upper-case write key', `URI:SSK-ED25519:${W.toUpperCase()}:${F}`, 'base32', 'invalid base32 character "A" at position 0 (base32 must be lowercase) in write key', 'writekey'],
    ['short storage index', `URI:SSK-ED25519-Verifier:${W.slice(1)}:${F}`, 'length', 'storage index must be 26 base32 characters (16 bytes), got 25', 'storageIndex'],
    ['bad DIR2-CHK k', `URI:DIR2-CHK:${W}:${F}:0:10:1`, 'range', 'needed shares k=0 is out of range 1..256', 'neededShares'],
    ['DIR2-CHK with four fields', `URI:DIR2-CHK:${W}:${F}:3:10`, 'field-count', 'URI:DIR2-CHK: cap has 4 fields after the prefix, expected 5'],
    ['unknown prefix', `URI:SSK:${W}:${F}`, 'prefix', 'unknown cap prefix "URI:SSK:" (expected a URI:CHK:, URI:LIT:, URI:SSK-ED25519: or URI:DIR2-… cap)'],
  ];

  it.each(cases)('rejects %s', (_name, text, reason, message, field) => {
    const err = capError(() => parseAnyCap(text));
    expect(err.reason).toBe(reason);
    expect(err.message).toBe(message);
    expect(err.field).toBe(field);
    expectNoEcho(err.message, W);
    expectNoEcho(err.message, W.toUpperCase());
    expectNoEcho(err.message, F);
  });

  it('each narrow parser names the kind it got', () => {
    const write = `URI:SSK-ED25519:${W}:${F}`;
    expect(capError(() => parseCap(write)).message).toBe('"URI:SSK-ED25519:" is a mutable file cap (expected URI:CHK:, URI:CHK-Verifier: or URI:LIT:)');
    expect(capError(() => parseMutableCap(`URI:DIR2-ED25519:${W}:${F}`)).message).toBe(
      '"URI:DIR2-ED25519:" is a directory cap (expected URI:SSK-ED25519:, URI:SSK-ED25519-RO:, URI:SSK-ED25519-Verifier:)',
    );
    expect(capError(() => parseDirectoryCap('URI:LIT:')).message).toBe('"URI:LIT:" is an immutable file cap (expected a URI:DIR2-… directory cap)');
  });

  it('formatCap refuses keys of the wrong length', () => {
    const err = capError(() => formatCap({ ...WRITE_CAP, writekey: new Uint8Array(15) }));
    expect(err).toMatchObject({ reason: 'length', field: 'writekey', message: 'write key must be 16 bytes, got 15' });
    const dirErr = capError(() => formatCap({ kind: 'dir', file: { ...WRITE_CAP, fingerprint: new Uint8Array(31) } }));
    expect(dirErr).toMatchObject({ reason: 'length', field: 'fingerprint' });
  });
});
