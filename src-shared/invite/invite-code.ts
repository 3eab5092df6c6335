import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { base32Decode, base32Encode } from '../base32.js';

/**
 * Invite codes: an introducer link sealed with a passphrase, so that the code and the
 * passphrase can travel by two different channels (a chat message and a phone call).
 *
 *   cairn-invite-v1:<base32 of: version(1) log2N(1) salt(16) nonce(24) sealed(…) check(4)>
 *
 * key    = scrypt(normalized passphrase, salt, N = 2^log2N, r = 8, p = 1, 32 bytes)
 * sealed = XChaCha20-Poly1305(key, nonce, the link's JSON body, AAD = version‖log2N‖salt)
 * check  = the first 4 bytes of SHA-256 of everything before it: a mistyped or cut-off
 *          code is reported as damaged, not as a wrong passphrase.
 *
 * The link's body (the JSON inside "cairn-grid-v1:<base32>") is sealed rather than the
 * whole link text (base32 of base32 would be 1.6 times longer). It carries the grid's name.
 * Pure: runs in Node and in the renderer.
 */
export const INVITE_PREFIX = 'cairn-invite-v1:';
/** The introducer link's prefix (src-main/node/grid-link.ts). */
const GRID_LINK_PREFIX = 'cairn-grid-v1:';

const VERSION = 1;
const SALT_BYTES = 16;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const CHECK_BYTES = 4;
const HEADER_BYTES = 2 + SALT_BYTES;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
/** 2^17 × 128 × r = 128 MiB and about half a second per guess on a laptop core. */
export const DEFAULT_INVITE_LOG2N = 17;
/** Codes with a cost outside this range are refused before any work (a huge N is a memory bomb). */
const MIN_LOG2N = 10;
const MAX_LOG2N = 20;
/** An introducer link is well under this; a bigger code is not one of ours. */
const MAX_CODE_CHARS = 8192;

/** Passphrases are 12 base32 characters: 60 random bits, shown as "abcd-efgh-ijkl". */
const PASSPHRASE_CHARS = 12;

export class InviteCodeError extends Error {
  override readonly name = 'InviteCodeError';
}

export interface SealOptions {
  /** scrypt cost as log2(N); tests use a small one to stay quick */
  readonly log2N?: number;
}

/** A fresh passphrase of 60 random bits: 12 base32 characters in groups of four. */
export function generatePassphrase(): string {
  const text = base32Encode(randomBytes(8)).slice(0, PASSPHRASE_CHARS);
  return `${text.slice(0, 4)}-${text.slice(4, 8)}-${text.slice(8, 12)}`;
}

/** Case, spaces and dashes do not matter when a passphrase is typed back. */
export function normalizePassphrase(passphrase: string): string {
  return passphrase.toLowerCase().replace(/[\s-]+/g, '');
}

function deriveKey(passphrase: string, salt: Uint8Array, log2N: number): Promise<Uint8Array> {
  const normalized = normalizePassphrase(passphrase);
  if (normalized.length === 0) throw new InviteCodeError('the passphrase is empty');
  return scryptAsync(new TextEncoder().encode(normalized), salt, { N: 2 ** log2N, r: SCRYPT_R, p: SCRYPT_P, dkLen: 32, maxmem: 2 ** (log2N + 11) });
}

function checkOf(bytes: Uint8Array): Uint8Array {
  return sha256(bytes).subarray(0, CHECK_BYTES);
}

function linkBody(link: string): Uint8Array {
  const trimmed = link.trim();
  if (!trimmed.startsWith(GRID_LINK_PREFIX)) throw new InviteCodeError(`an invite seals an introducer link (${GRID_LINK_PREFIX}…)`);
  try {
    return base32Decode(trimmed.slice(GRID_LINK_PREFIX.length));
  } catch {
    throw new InviteCodeError('the introducer link is damaged (it does not decode)');
  }
}

/** Seals an introducer link into an invite code that only `passphrase` opens. */
export async function sealInvite(link: string, passphrase: string, options: SealOptions = {}): Promise<string> {
  const log2N = options.log2N ?? DEFAULT_INVITE_LOG2N;
  if (!Number.isInteger(log2N) || log2N < MIN_LOG2N || log2N > MAX_LOG2N) throw new InviteCodeError(`scrypt cost log2N must be ${MIN_LOG2N}–${MAX_LOG2N}`);
  const body = linkBody(link);
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const header = new Uint8Array(HEADER_BYTES);
  header.set([VERSION, log2N]);
  header.set(salt, 2);
  const key = await deriveKey(passphrase, salt, log2N);
  const sealed = xchacha20poly1305(key, nonce, header).encrypt(body);
  const unchecked = concat(header, nonce, sealed);
  return INVITE_PREFIX + base32Encode(concat(unchecked, checkOf(unchecked)));
}

/** The cost an invite code asks for, and whether it looks whole; no passphrase needed. */
function parseCode(code: string): { header: Uint8Array; nonce: Uint8Array; sealed: Uint8Array; log2N: number } {
  const trimmed = code.trim().replace(/\s+/g, '');
  if (!trimmed.toLowerCase().startsWith(INVITE_PREFIX)) throw new InviteCodeError(`an invite code starts with "${INVITE_PREFIX}"`);
  if (trimmed.length > MAX_CODE_CHARS) throw new InviteCodeError('the invite code is too long to be one');
  let bytes: Uint8Array;
  try {
    bytes = base32Decode(trimmed.slice(INVITE_PREFIX.length).toLowerCase());
  } catch {
    throw new InviteCodeError('the invite code is damaged (it is not base32); copy it again in full');
  }
  const minimum = HEADER_BYTES + NONCE_BYTES + TAG_BYTES + CHECK_BYTES;
  const unchecked = bytes.subarray(0, bytes.length - CHECK_BYTES);
  if (bytes.length < minimum || !equalBytes(checkOf(unchecked), bytes.subarray(bytes.length - CHECK_BYTES))) {
    throw new InviteCodeError('the invite code is damaged (its check does not match); copy it again in full');
  }
  if (bytes[0] !== VERSION) throw new InviteCodeError(`this invite code has version ${bytes[0]}; this Cairn reads version ${VERSION}`);
  const log2N = bytes[1]!;
  if (log2N < MIN_LOG2N || log2N > MAX_LOG2N) throw new InviteCodeError(`the invite code asks for an unsupported scrypt cost (2^${log2N})`);
  return {
    header: unchecked.subarray(0, HEADER_BYTES),
    nonce: unchecked.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES),
    sealed: unchecked.subarray(HEADER_BYTES + NONCE_BYTES),
    log2N,
  };
}

/** Checks an invite code's shape and check bytes (for a form), without the passphrase. */
export function checkInviteCode(code: string): void {
  parseCode(code);
}

/** Opens an invite code; returns the introducer link. Errors never echo the code or passphrase. */
export async function openInvite(code: string, passphrase: string): Promise<string> {
  const { header, nonce, sealed, log2N } = parseCode(code);
  const key = await deriveKey(passphrase, header.subarray(2), log2N);
  let body: Uint8Array;
  try {
    body = xchacha20poly1305(key, nonce, header).decrypt(sealed);
  } catch {
    throw new InviteCodeError('the passphrase does not open this invite code (wrong passphrase?)');
  }
  return GRID_LINK_PREFIX + base32Encode(body);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
