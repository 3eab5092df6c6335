import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { describe, expect, it } from 'vitest';
import { GRID_PROLOGUE_TAG, gridPrologue } from '../src-main/net/host.js';
import { generateNodeKey, NodeKeyError, parseNodeKey, peerIdOfKey, serializeNodeKey } from '../src-main/net/keys.js';
import { taggedHash } from '../src-main/core/crypto/hashes.js';

describe('node keys', () => {
  it('serializes and parses an Ed25519 key, keeping its peer id', async () => {
    const key = await generateNodeKey();
    const bytes = serializeNodeKey(key);
    const parsed = parseNodeKey(bytes);
    expect(parsed.equals(key)).toBe(true);
    expect(peerIdOfKey(parsed).toString()).toBe(peerIdOfKey(key).toString());
    expect(peerIdOfKey(key).type).toBe('Ed25519');
  });

  it('gives distinct keys distinct peer ids', async () => {
    const [a, b] = await Promise.all([generateNodeKey(), generateNodeKey()]);
    expect(peerIdOfKey(a).equals(peerIdOfKey(b))).toBe(false);
  });

  it('refuses garbage and non-Ed25519 keys with a NodeKeyError', async () => {
    expect(() => parseNodeKey(Uint8Array.of(1, 2, 3))).toThrow(NodeKeyError);
    const secp = privateKeyToProtobuf(await generateKeyPair('secp256k1'));
    expect(() => parseNodeKey(secp)).toThrow(/must be Ed25519, not secp256k1/);
  });
});

describe('grid prologue', () => {
  it('is the tagged hash of the grid key, and differs per key', () => {
    const key = new Uint8Array(32).fill(7);
    expect(gridPrologue(key)).toEqual(taggedHash(GRID_PROLOGUE_TAG, key));
    expect(gridPrologue(key)).not.toEqual(gridPrologue(new Uint8Array(32).fill(8)));
  });

  it('requires a 32-byte grid key', () => {
    expect(() => gridPrologue(new Uint8Array(16))).toThrow(/32 bytes, not 16/);
  });
});
