// A share link, `cairn:open?cap=<read cap>&name=<name>`: what Share gives, and what "Open a
// shared link" (and the desktop app, as the `cairn:` protocol's handler) opens. The opener
// also takes a bare cap. Only read caps come out: a write cap pasted by mistake is
// attenuated to its read cap, so the opener never holds the power to change anything.
import { CapError, formatCap, parseAnyCap, readOnlyCapOf, type Cap } from '../caps/index.js';
import { InputError } from './input-errors.js';
import { validateEntryName } from './validators.js';

export const SHARE_LINK_PREFIX = 'cairn:open?';
/** Longer than any cap with a long name; a longer text is not a link. */
export const MAX_SHARE_LINK_LENGTH = 8192;

/** What a share link names: a read cap, and the name it was shared under (if the link says). */
export interface OpenableLink {
  readonly readCap: string;
  readonly name: string | undefined;
}

export function formatShareLink(readCap: string, name: string): string {
  return `${SHARE_LINK_PREFIX}cap=${encodeURIComponent(readCap)}&name=${encodeURIComponent(name)}`;
}

const READ_CAPS = 'URI:CHK:, URI:LIT:, URI:SSK-ED25519-RO: or URI:DIR2-…';

function isVerifyOnly(cap: Cap): boolean {
  const file = cap.kind === 'dir' ? cap.file : cap;
  return file.kind === 'chk-verifier' || file.kind === 'ssk-ed25519-verifier';
}

/** A cap that reads something, as its read-only text; throws an InputError (one line) otherwise. */
export function validateReadCap(value: unknown, what = 'the cap'): string {
  if (typeof value !== 'string') throw new InputError(`${what} must be text`);
  const text = value.trim();
  if (text.length > MAX_SHARE_LINK_LENGTH) throw new InputError(`${what} is too long to be a cap`);
  let cap: Cap;
  try {
    cap = parseAnyCap(text);
  } catch (error) {
    if (!(error instanceof CapError)) throw error;
    // a CapError never repeats key material, so its reason may be shown
    if (error.reason === 'prefix' && !text.startsWith('URI:')) throw new InputError(`${what} is not a read cap (${READ_CAPS})`);
    throw new InputError(`${what} is damaged: ${error.message}`);
  }
  if (isVerifyOnly(cap)) throw new InputError(`${what} is a verify cap: it can check a file's shares but not read it; ask for its read cap`);
  return formatCap(readOnlyCapOf(cap));
}

/** A `cairn:open?cap=…[&name=…]` link or a bare cap; throws an InputError (one line) on anything else. */
export function parseShareLink(value: unknown): OpenableLink {
  if (typeof value !== 'string') throw new InputError('the link must be text');
  const text = value.trim();
  if (text === '') throw new InputError('paste a cairn:open link or a read cap');
  if (text.length > MAX_SHARE_LINK_LENGTH) throw new InputError('that is too long to be a link or a cap');
  if (!/^cairn:/i.test(text)) {
    if (!text.startsWith('URI:')) throw new InputError(`not a Cairn link: paste a link that starts with "${SHARE_LINK_PREFIX}" or a read cap (${READ_CAPS})`);
    return { readCap: validateReadCap(text), name: undefined };
  }
  // "cairn://open?…" is how some systems hand a custom scheme's link over
  const rest = text.replace(/^cairn:(\/\/)?/i, '');
  if (!rest.toLowerCase().startsWith('open?')) throw new InputError(`not a Cairn share link: it must start with "${SHARE_LINK_PREFIX}"`);
  const params = new URLSearchParams(rest.slice('open?'.length));
  const cap = params.get('cap');
  if (cap === null || cap.trim() === '') throw new InputError('the link has no cap in it: copy the whole link again');
  const name = params.get('name');
  return { readCap: validateReadCap(cap, 'the cap in the link'), name: name === null || name === '' ? undefined : validateEntryName(name, 'the name in the link') };
}
