import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { base32Encode } from '../src-shared/base32.js';
import {
  CapError,
  type CapErrorReason,
  type ChkReadCap,
  type ChkVerifyCap,
  formatCap,
  parseCap,
  parseChkReadCap,
  storageIndexOfKey,
  verifyCapOf,
} from '../src-shared/caps/index.js';
import { readVectorJson, readVectorText } from './support/vectors.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

// The spec's example (a x 1024, 3-of-10).
const KEY = 'dx7tvyr2fc4u7lxjc6kehq2svq';
const UEB = 'tiy4qh2g6lqejxcaym3rr7ymkdkinn4qised6kgxloj7sptsqu4a';
const SI = 'anzin2k7pajtbpxzz4c5sw6qiu';
const READ_CAP = `URI:CHK:${KEY}:${UEB}:3:10:1024`;
const VERIFY_CAP = `URI:CHK-Verifier:${SI}:${UEB}:3:10:1024`;

const chk = (key: string, ueb: string, k: string, n: string, size: string): string =>
  `URI:CHK:${key}:${ueb}:${k}:${n}:${size}`;

function capError(text: string): CapError {
  try {
    parseCap(text);
  } catch (err) {
    expect(err).toBeInstanceOf(CapError);
    return err as CapError;
  }
  throw new Error('expected parseCap to throw');
}

/** Caps are secrets: the message must not contain any 6-character run of the secret text. */
function expectNoEcho(message: string, secret: string): void {
  for (let i = 0; i + 6 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 6));
}

interface Malformed {
  text: string;
  reason: CapErrorReason;
  message: string;
  field?: string;
  secret?: string; // defaults to the key
}

const malformed: Record<string, Malformed> = {
  'unknown prefix': {
    text: `URI:FOO:${KEY}`,
    reason: 'prefix',
    message: 'unknown cap prefix "URI:FOO:" (expected URI:CHK:, URI:CHK-Verifier: or URI:LIT:)',
  },
  'directory cap': {
    text: `URI:DIR2-CHK:${KEY}:${UEB}:3:10:1024`,
    reason: 'prefix',
    message: '"URI:DIR2-CHK:" is a directory cap (expected URI:CHK:, URI:CHK-Verifier: or URI:LIT:)',
  },
  'empty string': {
    text: '  ',
    reason: 'prefix',
    message: 'empty cap string (expected URI:CHK:, URI:CHK-Verifier: or URI:LIT:)',
  },
  'bare key': {
    text: KEY,
    reason: 'prefix',
    message: 'cap must start with "URI:" (expected URI:CHK:, URI:CHK-Verifier: or URI:LIT:)',
  },
  'missing cap type': {
    text: `URI:${KEY}:${UEB}:3:10:1024`,
    reason: 'prefix',
    message: 'unknown cap type after "URI:" (expected URI:CHK:, URI:CHK-Verifier: or URI:LIT:)',
  },
  'upper-case key in place of the type': {
    text: `URI:${KEY.toUpperCase()}:${UEB}:3:10:1024`,
    reason: 'prefix',
    message: 'unknown cap type after "URI:" (expected URI:CHK:, URI:CHK-Verifier: or URI:LIT:)',
    secret: KEY.toUpperCase(),
  },
  'lower-case prefix': {
    text: READ_CAP.toLowerCase(),
    reason: 'prefix',
    message: 'cap must start with "URI:" (expected URI:CHK:, URI:CHK-Verifier: or URI:LIT:)',
  },
  'four CHK fields': {
    text: `URI:CHK:${KEY}:${UEB}:3:10`,
    reason: 'field-count',
    message: 'URI:CHK: cap has 4 fields after the prefix, expected 5',
  },
  'six CHK fields': {
    text: `${READ_CAP}:7`,
    reason: 'field-count',
    message: 'URI:CHK: cap has 6 fields after the prefix, expected 5',
  },
  'empty CHK body': {
    text: 'URI:CHK:',
    reason: 'field-count',
    message: 'URI:CHK: cap has 1 field after the prefix, expected 5',
  },
  'verifier with three fields': {
    text: `URI:CHK-Verifier:${SI}:${UEB}:3`,
    reason: 'field-count',
    message: 'URI:CHK-Verifier: cap has 3 fields after the prefix, expected 5',
  },
  'LIT with a colon': {
    text: 'URI:LIT:nbswy3dp:nbswy3dp',
    reason: 'field-count',
    message: 'URI:LIT: cap has 2 fields after the prefix, expected 1',
    secret: 'nbswy3dp',
  },
  'short key': {
    text: chk(KEY.slice(1), UEB, '3', '10', '1024'),
    reason: 'length',
    message: 'key must be 26 base32 characters (16 bytes), got 25',
    field: 'key',
  },
  'long key': {
    text: chk(`${KEY}a`, UEB, '3', '10', '1024'),
    reason: 'length',
    message: 'key must be 26 base32 characters (16 bytes), got 27',
    field: 'key',
  },
  'short UEB hash': {
    text: chk(KEY, UEB.slice(0, 51), '3', '10', '1024'),
    reason: 'length',
    message: 'UEB hash must be 52 base32 characters (32 bytes), got 51',
    field: 'uebHash',
  },
  'short storage index': {
    text: `URI:CHK-Verifier:${SI.slice(2)}:${UEB}:3:10:1024`,
    reason: 'length',
    message: 'storage index must be 26 base32 characters (16 bytes), got 24',
    field: 'storageIndex',
  },
  'LIT of impossible length': {
    text: 'URI:LIT:nbswy3dpa',
    reason: 'length',
    message: 'data has an impossible base32 length 9 (1 mod 8)',
    field: 'data',
    secret: 'nbswy3dpa',
  },
  'digit 1 in key': {
    text: chk(`${KEY.slice(0, 3)}1${KEY.slice(4)}`, UEB, '3', '10', '1024'),
    reason: 'base32',
    message: 'invalid base32 character "1" at position 3 in key',
    field: 'key',
  },
  'upper-case key': {
    text: chk(KEY.toUpperCase(), UEB, '3', '10', '1024'),
    reason: 'base32',
    message: 'invalid base32 character "D" at position 0 (base32 must be lowercase) in key',
    field: 'key',
    secret: KEY.toUpperCase(),
  },
  'padding in UEB hash': {
    text: chk(KEY, `${UEB.slice(0, 50)}==`, '3', '10', '1024'),
    reason: 'base32',
    message: 'invalid base32 character "=" at position 50 in UEB hash',
    field: 'uebHash',
  },
  'unused bits set in key': {
    text: chk(`${KEY.slice(0, 25)}r`, UEB, '3', '10', '1024'),
    reason: 'base32',
    message: 'key has non-zero unused bits in its last base32 character (position 25)',
    field: 'key',
  },
  'unused bits set in LIT data': {
    text: 'URI:LIT:nbswy3b', // "hell" is nbswy3a; its last 3 bits are unused
    reason: 'base32',
    message: 'data has non-zero unused bits in its last base32 character (position 6)',
    field: 'data',
    secret: 'nbswy3b',
  },
  'leading zero in k': {
    text: chk(KEY, UEB, '03', '10', '1024'),
    reason: 'number',
    message: 'needed shares k must not have leading zeros',
    field: 'neededShares',
  },
  'plus sign in k': {
    text: chk(KEY, UEB, '+3', '10', '1024'),
    reason: 'number',
    message: 'needed shares k must be a decimal integer: invalid character "+" at position 0',
    field: 'neededShares',
  },
  'empty N': {
    text: chk(KEY, UEB, '3', '', '1024'),
    reason: 'number',
    message: 'total shares N is empty',
    field: 'totalShares',
  },
  'decimal point in N': {
    text: chk(KEY, UEB, '3', '10.0', '1024'),
    reason: 'number',
    message: 'total shares N must be a decimal integer: invalid character "." at position 2',
    field: 'totalShares',
  },
  'negative size': {
    text: chk(KEY, UEB, '3', '10', '-1'),
    reason: 'number',
    message: 'size must be a decimal integer: invalid character "-" at position 0',
    field: 'size',
  },
  'space in size': {
    text: chk(KEY, UEB, '3', '10', '10 24'),
    reason: 'number',
    message: 'size must be a decimal integer: invalid character " " at position 2',
    field: 'size',
  },
  'k greater than N': {
    text: chk(KEY, UEB, '11', '10', '1024'),
    reason: 'k-greater-than-n',
    message: 'needed shares k=11 is greater than total shares N=10',
    field: 'neededShares',
  },
  'k of zero': {
    text: chk(KEY, UEB, '0', '10', '1024'),
    reason: 'range',
    message: 'needed shares k=0 is out of range 1..256',
    field: 'neededShares',
  },
  'N over 256': {
    text: chk(KEY, UEB, '3', '257', '1024'),
    reason: 'range',
    message: 'total shares N=257 is out of range 1..256',
    field: 'totalShares',
  },
  'size of 2^53': {
    text: chk(KEY, UEB, '3', '10', '9007199254740992'),
    reason: 'range',
    message: 'size is larger than the maximum safe integer 9007199254740991',
    field: 'size',
  },
  'huge k': {
    text: chk(KEY, UEB, '99999999999999999999999', '10', '1024'),
    reason: 'range',
    message: 'needed shares k is larger than the maximum safe integer 9007199254740991',
    field: 'neededShares',
  },
};

describe('parseCap: malformed caps', () => {
  for (const [name, c] of Object.entries(malformed)) {
    it(`rejects ${name} (${c.reason})`, () => {
      const err = capError(c.text);
      expect(err.name).toBe('CapError');
      expect(err.reason).toBe(c.reason);
      expect(err.message).toBe(c.message);
      expect(err.field).toBe(c.field);
      expectNoEcho(err.message, c.secret ?? KEY);
    });
  }

  it('triggers every CapErrorReason', () => {
    const reasons = new Set(Object.values(malformed).map((c) => c.reason));
    const all: CapErrorReason[] = ['prefix', 'field-count', 'length', 'base32', 'number', 'k-greater-than-n', 'range'];
    expect([...reasons].sort()).toEqual([...all].sort());
  });
});

describe('parseCap: CHK', () => {
  it('parses the spec example', () => {
    const cap = parseChkReadCap(READ_CAP);
    expect(base32Encode(cap.key)).toBe(KEY);
    expect(base32Encode(cap.uebHash)).toBe(UEB);
    expect(cap).toMatchObject({ kind: 'chk', neededShares: 3, totalShares: 10, size: 1024 });
    expect(cap.key).toHaveLength(16);
    expect(cap.uebHash).toHaveLength(32);
    expect(formatCap(cap)).toBe(READ_CAP);
  });

  it('derives the spec example storage index and verify cap', () => {
    const cap = parseChkReadCap(READ_CAP);
    expect(base32Encode(storageIndexOfKey(cap.key))).toBe(SI);
    const verify = verifyCapOf(cap);
    expect(verify.kind).toBe('chk-verifier');
    expect(formatCap(verify)).toBe(VERIFY_CAP);
    expect(verifyCapOf(verify)).toBe(verify);
  });

  it('parses a verify cap', () => {
    const cap = parseCap(VERIFY_CAP);
    expect(cap.kind).toBe('chk-verifier');
    expect(base32Encode((cap as ChkVerifyCap).storageIndex)).toBe(SI);
    expect(formatCap(cap)).toBe(VERIFY_CAP);
  });

  it('strips surrounding whitespace and the ro./imm. directory-entry prefixes', () => {
    for (const text of [` \n${READ_CAP}\t `, `ro.${READ_CAP}`, `imm.${READ_CAP}`, ` imm.${VERIFY_CAP}\n`]) {
      const cap = parseCap(text);
      expect(formatCap(cap)).toBe(text.trim().replace(/^(ro|imm)\./, ''));
    }
    expect(formatCap(parseCap('ro.URI:LIT:nbswy3dp'))).toBe('URI:LIT:nbswy3dp');
  });

  it('accepts the extreme numbers', () => {
    const accept = (k: string, n: string, size: string): ChkReadCap => parseChkReadCap(chk(KEY, UEB, k, n, size));
    expect(accept('1', '1', '0')).toMatchObject({ neededShares: 1, totalShares: 1, size: 0 });
    expect(accept('256', '256', '56')).toMatchObject({ neededShares: 256, totalShares: 256, size: 56 });
    expect(accept('3', '10', '9007199254740991').size).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('parseChkReadCap rejects other kinds', () => {
    expect(() => parseChkReadCap(VERIFY_CAP)).toThrow(
      new CapError('prefix', 'expected a URI:CHK: read cap, got a URI:CHK-Verifier: cap'),
    );
    expect(() => parseChkReadCap('URI:LIT:')).toThrow('expected a URI:CHK: read cap, got a URI:LIT: cap');
  });
});

describe('parseCap: LIT', () => {
  it('URI:LIT: is the empty file', () => {
    expect(parseCap('URI:LIT:')).toEqual({ kind: 'lit', data: new Uint8Array() });
    expect(formatCap({ kind: 'lit', data: new Uint8Array() })).toBe('URI:LIT:');
  });

  it('URI:LIT:nbswy3dp is "hello"', () => {
    expect(parseCap('URI:LIT:nbswy3dp')).toEqual({ kind: 'lit', data: ascii('hello') });
    expect(formatCap({ kind: 'lit', data: ascii('hello') })).toBe('URI:LIT:nbswy3dp');
  });

  it('round-trips every size up to 55 bytes', () => {
    for (let length = 0; length <= 55; length++) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      const text = formatCap({ kind: 'lit', data });
      expect(parseCap(text)).toEqual({ kind: 'lit', data });
    }
  });
});

describe('formatCap validates its input', () => {
  const base = parseChkReadCap(READ_CAP);
  const formatError = (cap: ChkReadCap): CapError => {
    try {
      formatCap(cap);
    } catch (err) {
      expect(err).toBeInstanceOf(CapError);
      return err as CapError;
    }
    throw new Error('expected formatCap to throw');
  };

  it.each([
    ['15-byte key', { key: new Uint8Array(15) }, 'length', 'key must be 16 bytes, got 15'],
    ['31-byte UEB hash', { uebHash: new Uint8Array(31) }, 'length', 'UEB hash must be 32 bytes, got 31'],
    ['fractional k', { neededShares: 2.5 }, 'number', 'needed shares k must be a safe integer, got 2.5'],
    ['k > N', { neededShares: 11 }, 'k-greater-than-n', 'needed shares k=11 is greater than total shares N=10'],
    ['N = 0', { totalShares: 0 }, 'range', 'total shares N=0 is out of range 1..256'],
    ['negative size', { size: -1 }, 'range', 'size must not be negative, got -1'],
    ['unsafe size', { size: 2 ** 53 }, 'number', 'size must be a safe integer, got 9007199254740992'],
  ] as const)('rejects a %s', (_name, change, reason, message) => {
    const err = formatError({ ...base, ...change });
    expect(err.reason).toBe(reason);
    expect(err.message).toBe(message);
  });
});

interface YamlVector {
  expected: string;
  format: { kind: string };
  sample: { length: number };
  zfec: { required: number; total: number };
}

describe('Tahoe test_vectors.yaml CHK caps', () => {
  const doc = parseYaml(readVectorText('test_vectors.yaml')) as { vector: YamlVector[] };
  const vectors = doc.vector.filter((v) => v.format.kind === 'chk');

  it('has 120 CHK vectors', () => {
    expect(vectors).toHaveLength(120);
  });

  for (const [index, v] of vectors.entries()) {
    it(`vector ${index}: ${v.zfec.required}-of-${v.zfec.total}, ${v.sample.length} bytes`, () => {
      const cap = parseChkReadCap(v.expected);
      expect(cap).toMatchObject({
        neededShares: v.zfec.required,
        totalShares: v.zfec.total,
        size: v.sample.length,
      });
      expect(formatCap(cap)).toBe(v.expected);

      const verify = verifyCapOf(cap);
      expect(verify.storageIndex).toEqual(storageIndexOfKey(cap.key));
      const verifyText = formatCap(verify);
      expect(verifyText.startsWith('URI:CHK-Verifier:')).toBe(true);
      const reparsed = parseCap(verifyText);
      expect(reparsed).toEqual(verify);
      expect(formatCap(reparsed)).toBe(verifyText);
    });
  }
});

interface Intermediates {
  cases: {
    expected_cap_from_tahoe_vectors: string;
    key_b32: string;
    storage_index_b32: string;
    ueb_hash_b32: string;
    verify_cap: string;
  }[];
}

describe('chk-intermediates.json verify caps', () => {
  const { cases } = readVectorJson<Intermediates>('chk-intermediates.json');

  it('has 4 cases', () => {
    expect(cases).toHaveLength(4);
  });

  for (const [index, c] of cases.entries()) {
    it(`case ${index}: verifyCapOf reproduces ${c.verify_cap.slice(0, 30)}…`, () => {
      const cap = parseChkReadCap(c.expected_cap_from_tahoe_vectors);
      expect(base32Encode(cap.key)).toBe(c.key_b32);
      expect(base32Encode(cap.uebHash)).toBe(c.ueb_hash_b32);
      expect(base32Encode(storageIndexOfKey(cap.key))).toBe(c.storage_index_b32);
      expect(formatCap(verifyCapOf(cap))).toBe(c.verify_cap);
    });
  }
});
