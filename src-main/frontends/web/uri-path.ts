import { parseAnyCap, type Cap } from '../../../src-shared/caps/index.js';
import { HttpError } from './http-errors.js';

/** A request's `/uri/$CAP[/name/name…]`: the cap and the path below it ("" for the cap itself). */
export interface UriPath {
  readonly cap: Cap;
  readonly path: string;
}

/** Percent-decodes one path segment; bytes that are not UTF-8 are refused, not replaced. */
function decodeSegment(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `${what} in the URL is not valid percent-encoded UTF-8`);
  }
}

/**
 * Parses the pathname of a `/uri/…` request. Each name is decoded on its own, so an
 * encoded "/" (%2F) stays inside its name and is refused there, never taken as a separator.
 */
export function parseUriPath(pathname: string): UriPath {
  const [capText = '', ...segments] = pathname.slice('/uri/'.length).split('/');
  const capString = decodeSegment(capText, 'the cap');
  if (capString === '') throw new HttpError(400, 'no cap in the URL: use /uri/<cap>[/path]');
  const cap = parseAnyCap(capString);
  const names = segments.map((segment, i) => {
    const name = decodeSegment(segment, `name ${i + 1} of the path`);
    if (name.includes('/')) throw new HttpError(400, `child name ${JSON.stringify(name)} must not contain "/"`);
    return name;
  });
  // A trailing "/" (dir/) names the same thing as without it.
  if (names.at(-1) === '') names.pop();
  return { cap, path: names.join('/') };
}

/** A `to_dir`-style parameter: a cap, optionally followed by "/path". */
export function parseCapWithPath(text: string): UriPath {
  const slash = text.indexOf('/');
  const cap = parseAnyCap(slash < 0 ? text : text.slice(0, slash));
  return { cap, path: slash < 0 ? '' : text.slice(slash + 1) };
}
