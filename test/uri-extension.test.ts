import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  MAX_UEB_SIZE,
  packUriExtension,
  unpackUriExtension,
  unpackUriExtensionFields,
  type UriExtension,
} from '../src-main/core/immutable/uri-extension.js';
import { UriExtensionError } from '../src-main/core/immutable/errors.js';
import { readVectorJson } from './support/vectors.js';

const sample: UriExtension = {
  codecName: 'crs',
  segmentSize: 1026,
  neededShares: 3,
  totalShares: 10,
  numSegments: 1,
  size: 1024,
  tailSegmentSize: 1026,
  crypttextHash: randomBytes(32),
  crypttextRootHash: randomBytes(32),
  shareRootHash: randomBytes(32),
};

const text = (ueb: Uint8Array) => Buffer.from(ueb).toString('latin1');
const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('URI extension block', () => {
  it('packs the 11 keys sorted, as Tahoe does, and parses back', () => {
    const packed = packUriExtension(sample);
    expect(packed.length).toBe(316);
    expect(text(packed)).toMatch(/^codec_name:3:crs,codec_params:9:1026-3-10,crypttext_hash:32:/);
    expect(text(packed)).toMatch(/tail_codec_params:9:1026-3-10,total_shares:2:10,$/);
    const parsed = unpackUriExtension(packed);
    const plain = (u: UriExtension) => ({ ...u, crypttextHash: [...u.crypttextHash], crypttextRootHash: [...u.crypttextRootHash], shareRootHash: [...u.shareRootHash] });
    expect(plain(parsed)).toEqual(plain(sample));
  });

  it('reproduces the UEB bytes of the chk-intermediates vectors exactly', () => {
    const cases = readVectorJson<{ cases: Array<{ ueb_hex: string }> }>('chk-intermediates.json').cases;
    for (const c of cases) {
      const packed = Buffer.from(c.ueb_hex, 'hex');
      expect(Buffer.from(packUriExtension(unpackUriExtension(packed))).toString('hex')).toBe(c.ueb_hex);
    }
  });

  it('keeps unknown keys from old uploads (e.g. plaintext_hash)', () => {
    const old = bytes(`${text(packUriExtension(sample))}plaintext_hash:32:${'x'.repeat(32)},`);
    expect(unpackUriExtensionFields(old).has('plaintext_hash')).toBe(true);
    expect(unpackUriExtension(old).size).toBe(1024);
  });

  it.each([
    ['truncated', (s: string) => s.slice(0, -1), /truncated or lacks its closing/],
    ['a missing key', (s: string) => s.replace(/size:4:1024,/, ''), /lacks "size"/],
    ['a bad length', (s: string) => s.replace('codec_name:3:', 'codec_name:03:'), /bad length "03"/],
    ['a non-number', (s: string) => s.replace('needed_shares:1:3', 'needed_shares:1:x'), /"needed_shares" is not a decimal integer/],
    ['another codec', (s: string) => s.replace('codec_name:3:crs', 'codec_name:3:xyz'), /unsupported codec "xyz"/],
    ['disagreeing fields', (s: string) => s.replace('total_shares:2:10', 'total_shares:2:11'), /disagree/],
    ['a bad key', (s: string) => `9bad:1:x,${s}`, /bad key at offset 0/],
    ['a repeated key', (s: string) => `${s}size:4:1024,`, /repeats the key "size"/],
  ])('refuses %s with a clear error', (_, mutate, message) => {
    const mutated = bytes(mutate(text(packUriExtension(sample))));
    expect(() => unpackUriExtension(mutated)).toThrow(UriExtensionError);
    expect(() => unpackUriExtension(mutated)).toThrow(message);
  });

  it('refuses a block of 2000 bytes or more', () => {
    expect(() => unpackUriExtension(new Uint8Array(MAX_UEB_SIZE))).toThrow(/too large/);
  });
});
