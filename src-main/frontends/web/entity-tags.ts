// ETags and If-None-Match. An immutable file's ETag is its verify cap: it names exactly
// these bytes and reveals nothing that reads them, so it is a strong tag that never goes
// stale. A mutable file's ETag is its version (mutable-files.ts).
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { formatCap, verifyCapOf, type FileCap } from '../../../src-shared/caps/index.js';

/** The quoted ETag of an immutable file (a LIT file has no verify cap: a hash of its bytes). */
export function immutableEtagOf(cap: FileCap): string {
  if (cap.kind === 'lit') return `"LIT:${createHash('sha256').update(cap.data).digest('hex').slice(0, 32)}"`;
  return `"${formatCap(verifyCapOf(cap))}"`;
}

/** Headers that let a browser or proxy keep an immutable file (private: the API is authenticated). */
export function immutableCacheHeaders(cap: FileCap): Record<string, string> {
  return { etag: immutableEtagOf(cap), 'cache-control': 'private, max-age=31536000, immutable' };
}

/** Whether If-None-Match names `etag` (or is "*"): the client has it, answer 304. Weak tags compare equal (RFC 9110 §13.1.2). */
export function clientHasEtag(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (header === undefined) return false;
  const wanted = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => {
    const candidate = tag.trim();
    return candidate === '*' || candidate.replace(/^W\//, '') === wanted;
  });
}
