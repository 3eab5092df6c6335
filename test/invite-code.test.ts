import { createCipheriv, scryptSync } from 'node:crypto';
import { hchacha, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from '../src-shared/base32.js';
import { INVITE_PREFIX, InviteCodeError, checkInviteCode, generatePassphrase, normalizePassphrase, openInvite, sealInvite } from '../src-shared/invite/invite-code.js';

const body = JSON.stringify({ peer: '12D3KooWExample', addrs: ['/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample'], key: 'a'.repeat(52), shares: [3, 5, 10], root: 'b'.repeat(52), name: 'friends' });
const link = `cairn-grid-v1:${base32Encode(new TextEncoder().encode(body))}`;
// a small scrypt cost keeps the tests quick; one test below uses the real default
const cheap = { log2N: 10 };

/** Flips one bit of the code's binary body and returns the code. */
function flipBit(code: string, byteIndex: number): string {
  const bytes = base32Decode(code.slice(INVITE_PREFIX.length));
  bytes[byteIndex]! ^= 1;
  return INVITE_PREFIX + base32Encode(bytes);
}

describe('invite codes', () => {
  it('round-trip the introducer link with the passphrase, typed back in any case and spacing', async () => {
    const passphrase = generatePassphrase();
    const code = await sealInvite(link, passphrase, cheap);
    expect(code.startsWith(INVITE_PREFIX)).toBe(true);
    expect(code).not.toContain(body.slice(0, 20));
    expect(await openInvite(code, passphrase)).toBe(link);
    expect(await openInvite(`  ${code}\n`, passphrase.toUpperCase().replace(/-/g, ' '))).toBe(link);
    // salt, nonce, tag and check add a fixed 62 bytes (100 base32 characters) to the link's body
    expect(code.length).toBe(INVITE_PREFIX.length + Math.ceil(((new TextEncoder().encode(body).length + 62) * 8) / 5));
  });

  it('seal with the default scrypt cost (2^17)', async () => {
    const code = await sealInvite(link, 'abcd-efgh-ijkl');
    expect(base32Decode(code.slice(INVITE_PREFIX.length))[1]).toBe(17);
    expect(await openInvite(code, 'abcdefghijkl')).toBe(link);
  });

  it('passphrases are 12 base32 characters (60 bits), fresh each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const p = generatePassphrase();
      expect(p).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(50);
    expect(normalizePassphrase(' AbCd-EFGH ijkl ')).toBe('abcdefghijkl');
  });

  it('a wrong passphrase gets a clear error that echoes neither secret', async () => {
    const code = await sealInvite(link, 'abcd-efgh-ijkl', cheap);
    const error = await openInvite(code, 'abcd-efgh-ijkm').catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(InviteCodeError);
    expect((error as Error).message).toBe('the passphrase does not open this invite code (wrong passphrase?)');
    await expect(openInvite(code, '  ')).rejects.toThrow('the passphrase is empty');
  });

  it('a mistyped, cut or tampered code is reported as damaged', async () => {
    const code = await sealInvite(link, 'abcd-efgh-ijkl', cheap);
    await expect(openInvite(code.slice(0, -3), 'abcd-efgh-ijkl')).rejects.toThrow(/damaged/);
    await expect(openInvite(flipBit(code, 40), 'abcd-efgh-ijkl')).rejects.toThrow('the invite code is damaged (its check does not match); copy it again in full');
    await expect(openInvite(`${code.slice(0, 30)}1${code.slice(31)}`, 'abcd-efgh-ijkl')).rejects.toThrow('not base32');
    await expect(openInvite(link, 'abcd-efgh-ijkl')).rejects.toThrow(`an invite code starts with "${INVITE_PREFIX}"`);
    expect(() => checkInviteCode(flipBit(code, 3))).toThrow(InviteCodeError);
    expect(() => checkInviteCode(code)).not.toThrow();
  });

  it('a tampered ciphertext with a recomputed check still fails to open', async () => {
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const code = await sealInvite(link, 'abcd-efgh-ijkl', cheap);
    const bytes = base32Decode(code.slice(INVITE_PREFIX.length));
    bytes[50]! ^= 0x80;
    bytes.set(sha256(bytes.subarray(0, bytes.length - 4)).subarray(0, 4), bytes.length - 4);
    await expect(openInvite(INVITE_PREFIX + base32Encode(bytes), 'abcd-efgh-ijkl')).rejects.toThrow('wrong passphrase?');
  });

  it('refuses a code that asks for a huge scrypt cost before doing any work', async () => {
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const code = await sealInvite(link, 'abcd-efgh-ijkl', cheap);
    const bytes = base32Decode(code.slice(INVITE_PREFIX.length));
    bytes[1] = 30;
    bytes.set(sha256(bytes.subarray(0, bytes.length - 4)).subarray(0, 4), bytes.length - 4);
    await expect(openInvite(INVITE_PREFIX + base32Encode(bytes), 'abcd-efgh-ijkl')).rejects.toThrow('unsupported scrypt cost (2^30)');
  });

  it('refuses to seal something that is not an introducer link', async () => {
    await expect(sealInvite('hello', 'abcd-efgh-ijkl', cheap)).rejects.toThrow('an invite seals an introducer link (cairn-grid-v1:…)');
  });
});

describe('the invite crypto matches node:crypto', () => {
  it('noble scrypt equals node:crypto scrypt', () => {
    const salt = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    const ours = scrypt(new TextEncoder().encode('abcdefghijkl'), salt, { N: 2 ** 14, r: 8, p: 1, dkLen: 32 });
    const node = scryptSync('abcdefghijkl', salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    expect(Buffer.from(ours).equals(node)).toBe(true);
  });

  it('noble XChaCha20-Poly1305 equals HChaCha20 + node:crypto ChaCha20-Poly1305', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const nonce = Uint8Array.from({ length: 24 }, (_, i) => 100 + i);
    const aad = Uint8Array.from([1, 17, 9, 9]);
    const plaintext = new TextEncoder().encode(body);
    const ours = xchacha20poly1305(key, nonce, aad).encrypt(plaintext);
    // XChaCha20: subkey = HChaCha20(key, nonce[0..16]); then IETF ChaCha20-Poly1305 with 0⁴‖nonce[16..24]
    const sigma = new Uint32Array(new Uint8Array(new TextEncoder().encode('expand 32-byte k')).buffer);
    const subkey = new Uint32Array(8);
    hchacha(sigma, new Uint32Array(key.slice().buffer), new Uint32Array(nonce.slice(0, 16).buffer), subkey);
    const cipher = createCipheriv('chacha20-poly1305', new Uint8Array(subkey.buffer), Buffer.concat([Buffer.alloc(4), nonce.subarray(16)]), { authTagLength: 16 });
    cipher.setAAD(aad, { plaintextLength: plaintext.length });
    const node = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    expect(Buffer.from(ours).equals(node)).toBe(true);
  });
});

describe('invite codes in logs', () => {
  it('are redacted like introducer links', async () => {
    const { redact } = await import('../src-main/node/node-log.js');
    const code = await sealInvite(link, 'abcd-efgh-ijkl', cheap);
    expect(redact(`joined with ${code} ok`)).toBe('joined with cairn-invite-v1:[redacted] ok');
  });
});
