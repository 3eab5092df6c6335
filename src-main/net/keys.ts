// The node's libp2p identity: an Ed25519 private key, stored as libp2p's protobuf encoding
// (the same bytes `privateKeyToProtobuf` produces, so other libp2p tools can read it).
// The peer id is derived from the public key; it is never stored separately.

import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';

export type NodePrivateKey = Ed25519PrivateKey;

export class NodeKeyError extends Error {
  override readonly name = 'NodeKeyError';
}

/** A fresh random Ed25519 identity key. */
export function generateNodeKey(): Promise<NodePrivateKey> {
  return generateKeyPair('Ed25519');
}

/** The key as libp2p protobuf bytes (a secret: never log it). */
export function serializeNodeKey(key: NodePrivateKey): Uint8Array {
  return privateKeyToProtobuf(key);
}

/** Parses protobuf key bytes; only Ed25519 keys are accepted. */
export function parseNodeKey(bytes: Uint8Array): NodePrivateKey {
  let key;
  try {
    key = privateKeyFromProtobuf(bytes);
  } catch (err) {
    throw new NodeKeyError(`not a libp2p private key: ${(err as Error).message}`);
  }
  if (key.type !== 'Ed25519') throw new NodeKeyError(`node keys must be Ed25519, not ${key.type}`);
  return key;
}

export function peerIdOfKey(key: NodePrivateKey): PeerId {
  return peerIdFromPrivateKey(key);
}
