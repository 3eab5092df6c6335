// A storage server's signed announcement: who it is, where to reach it, how much room it has.
//
// Wire form (inside introducer messages):  { "msg": "<canonical JSON text>", "sig": "<base64>" }
//
// `msg` is the body as canonical JSON: object keys sorted (by UTF-16 code units, recursively),
// no whitespace, integers only. The signature is Ed25519 over
//     ANNOUNCEMENT_SIGNING_PREFIX || UTF-8(msg)
// made with the server's libp2p identity key. The prefix keeps these signatures apart from
// everything else the same key signs (Noise handshakes, identify's signed peer records).
//
// There is no separate public key field: an Ed25519 peer id embeds its public key, so the
// verifier checks the signature with the key *of the announced peer id*. An announcement
// signed by key A that claims peer id B fails verification, as does any edited byte of `msg`.
// Verifiers check the exact received text and refuse non-canonical text, so one body has one
// encoding (no two different byte strings for "the same" announcement at one seq).
//
// Unknown body keys are allowed (covered by the signature, bounded by the size limit) so a
// later version can add fields; verifyAnnouncement returns only the fields it knows.

import type { Ed25519PrivateKey } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';

export const ANNOUNCEMENT_SIGNING_PREFIX = 'cairn-introducer-announcement-v1\n';

/** Size limits on every field. */
export const AnnouncementLimits = {
  /** The whole canonical `msg` text, in UTF-8 bytes. */
  maxMessageBytes: 8 * 1024,
  maxPeerIdChars: 128,
  maxAddresses: 16,
  maxAddressChars: 256,
  maxNicknameChars: 64,
  maxVersionChars: 64,
  /** Base64 of a 64-byte Ed25519 signature. */
  signatureChars: 88,
  /** Nesting depth of unknown (extension) values. */
  maxDepth: 4,
} as const;

export interface AnnouncementBody {
  /** The server's libp2p peer id (Ed25519), canonical text form. */
  readonly peerId: string;
  /** Multiaddrs to dial it on; each may end in /p2p/<peerId> (no other peer id). */
  readonly addresses: readonly string[];
  readonly nickname: string;
  /** The app's version string, e.g. "cairn/0.1.0". */
  readonly version: string;
  /** Bytes the server will still accept. */
  readonly freeSpace: number;
  /** Grows with every new announcement from this server (e.g. a millisecond timestamp). */
  readonly seq: number;
  /** When the server signed it (ms since the epoch, the server's clock). */
  readonly issuedAt: number;
}

/** What travels: the exact signed text and its signature. (A type, so it is a JsonValue.) */
export type SignedAnnouncement = {
  readonly msg: string;
  readonly sig: string;
};

export type AnnouncementErrorCode =
  | 'malformed' // not { msg, sig } of strings, msg not JSON, or not canonical JSON
  | 'too-large' // msg or signature over its size limit
  | 'bad-field' // a body field is missing, of the wrong type, or over its limit
  | 'bad-signature'; // not signed by the key of the announced peer id (forged or edited)

export class AnnouncementError extends Error {
  override readonly name = 'AnnouncementError';
  constructor(
    readonly code: AnnouncementErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const utf8Encoder = new TextEncoder();
const prefixBytes = utf8Encoder.encode(ANNOUNCEMENT_SIGNING_PREFIX);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Canonical JSON: sorted keys, no whitespace; only safe integers as numbers. */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > AnnouncementLimits.maxDepth + 1) throw new AnnouncementError('malformed', 'announcement nests too deeply');
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new AnnouncementError('malformed', 'announcement numbers must be safe integers');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k], depth + 1)}`).join(',')}}`;
  }
  throw new AnnouncementError('malformed', `announcement values cannot be of type ${typeof value}`);
}

function signedBytes(msg: string): Uint8Array {
  const body = utf8Encoder.encode(msg);
  const out = new Uint8Array(prefixBytes.length + body.length);
  out.set(prefixBytes, 0);
  out.set(body, prefixBytes.length);
  return out;
}

// C0 and C1 control characters, line/paragraph separators, bidi overrides: nothing that can
// forge log lines or reorder what a user sees.
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
/** With the u flag, a surrogate pair is one code point: only unpaired halves match. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

function text(field: string, value: unknown, maxChars: number, allowEmpty: boolean): string {
  if (typeof value !== 'string') throw new AnnouncementError('bad-field', `${field} must be a string`);
  const chars = [...value].length;
  if (chars > maxChars) throw new AnnouncementError('bad-field', `${field} is ${chars} characters long; the limit is ${maxChars}`);
  if (!allowEmpty && chars === 0) throw new AnnouncementError('bad-field', `${field} must not be empty`);
  if (UNSAFE_TEXT.test(value)) throw new AnnouncementError('bad-field', `${field} contains control characters`);
  if (LONE_SURROGATE.test(value)) throw new AnnouncementError('bad-field', `${field} is not well-formed Unicode`);
  return value;
}

function count(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new AnnouncementError('bad-field', `${field} must be a non-negative safe integer`);
  }
  return value;
}

/** Checks a peer id text: an Ed25519 peer id in its canonical form. */
function checkPeerId(value: unknown): string {
  const id = text('peerId', value, AnnouncementLimits.maxPeerIdChars, false);
  let parsed;
  try {
    parsed = peerIdFromString(id);
  } catch {
    throw new AnnouncementError('bad-field', 'peerId is not a libp2p peer id');
  }
  if (parsed.type !== 'Ed25519') throw new AnnouncementError('bad-field', `peerId must be an Ed25519 peer id, not ${parsed.type}`);
  if (parsed.toString() !== id) throw new AnnouncementError('bad-field', 'peerId is not in its canonical text form');
  return id;
}

function checkAddresses(value: unknown, peerId: string): string[] {
  if (!Array.isArray(value)) throw new AnnouncementError('bad-field', 'addresses must be an array');
  if (value.length === 0) throw new AnnouncementError('bad-field', 'addresses must not be empty');
  if (value.length > AnnouncementLimits.maxAddresses) {
    throw new AnnouncementError('bad-field', `${value.length} addresses; the limit is ${AnnouncementLimits.maxAddresses}`);
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, i) => {
    const address = text(`addresses[${i}]`, entry, AnnouncementLimits.maxAddressChars, false);
    let parsed;
    try {
      parsed = multiaddr(address);
    } catch {
      throw new AnnouncementError('bad-field', `addresses[${i}] is not a multiaddr`);
    }
    const other = parsed.getComponents().find((c) => c.name === 'p2p' && c.value !== peerId);
    if (other !== undefined) throw new AnnouncementError('bad-field', `addresses[${i}] names another peer id`);
    if (seen.has(address)) throw new AnnouncementError('bad-field', `addresses[${i}] is a duplicate`);
    seen.add(address);
    return address;
  });
}

/** Validates a body (from a caller, or parsed from `msg`); returns only the known fields. */
export function checkAnnouncementBody(value: unknown): AnnouncementBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AnnouncementError('bad-field', 'the announcement body must be an object');
  }
  const raw = value as Record<string, unknown>;
  const peerId = checkPeerId(raw.peerId);
  return {
    peerId,
    addresses: checkAddresses(raw.addresses, peerId),
    nickname: text('nickname', raw.nickname, AnnouncementLimits.maxNicknameChars, true),
    version: text('version', raw.version, AnnouncementLimits.maxVersionChars, true),
    freeSpace: count('freeSpace', raw.freeSpace),
    seq: count('seq', raw.seq),
    issuedAt: count('issuedAt', raw.issuedAt),
  };
}

/**
 * Signs a body with the server's identity key. The body's peerId must be that key's peer id
 * (a server announces only itself).
 */
export async function signAnnouncement(key: Ed25519PrivateKey, body: AnnouncementBody): Promise<SignedAnnouncement> {
  const checked = checkAnnouncementBody(body);
  if (peerIdFromPrivateKey(key).toString() !== checked.peerId) {
    throw new AnnouncementError('bad-field', 'the announcement must carry the peer id of the key that signs it');
  }
  const msg = canonicalJson(checked);
  if (utf8Encoder.encode(msg).length > AnnouncementLimits.maxMessageBytes) {
    throw new AnnouncementError('too-large', `announcement exceeds ${AnnouncementLimits.maxMessageBytes} bytes`);
  }
  const sig = await key.sign(signedBytes(msg));
  return { msg, sig: Buffer.from(sig).toString('base64') };
}

/** Checks the shape of a received { msg, sig } (nothing about its content). */
export function parseSignedAnnouncement(value: unknown): SignedAnnouncement {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AnnouncementError('malformed', 'a signed announcement is { msg, sig }');
  }
  const { msg, sig } = value as { msg?: unknown; sig?: unknown };
  if (typeof msg !== 'string' || typeof sig !== 'string') {
    throw new AnnouncementError('malformed', 'a signed announcement is { msg, sig } of strings');
  }
  // Characters bound UTF-8 bytes from below: a cheap check before encoding.
  if (msg.length > AnnouncementLimits.maxMessageBytes || utf8Encoder.encode(msg).length > AnnouncementLimits.maxMessageBytes) {
    throw new AnnouncementError('too-large', `announcement exceeds ${AnnouncementLimits.maxMessageBytes} bytes`);
  }
  if (sig.length !== AnnouncementLimits.signatureChars) {
    throw new AnnouncementError('bad-signature', 'the signature is not 64 bytes of base64');
  }
  return { msg, sig };
}

/**
 * Verifies a received announcement: shape, size, canonical JSON, every field, and an Ed25519
 * signature by the key of the peer id it announces. Returns the body, or throws
 * AnnouncementError.
 */
export async function verifyAnnouncement(signed: unknown): Promise<AnnouncementBody> {
  const { msg, sig } = parseSignedAnnouncement(signed);
  let parsed: unknown;
  try {
    parsed = JSON.parse(msg) as Json;
  } catch {
    throw new AnnouncementError('malformed', 'announcement text is not JSON');
  }
  if (canonicalJson(parsed) !== msg) throw new AnnouncementError('malformed', 'announcement text is not canonical JSON');
  const body = checkAnnouncementBody(parsed);
  const signature = Buffer.from(sig, 'base64');
  if (signature.length !== 64 || signature.toString('base64') !== sig) {
    throw new AnnouncementError('bad-signature', 'the signature is not 64 bytes of base64');
  }
  const peerId = peerIdFromString(body.peerId);
  if (peerId.type !== 'Ed25519') throw new AnnouncementError('bad-field', 'peerId must be an Ed25519 peer id');
  let valid: boolean;
  try {
    valid = await peerId.publicKey.verify(signedBytes(msg), new Uint8Array(signature));
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new AnnouncementError('bad-signature', `announcement for ${body.peerId} is not signed by that peer's key`);
  }
  return body;
}
