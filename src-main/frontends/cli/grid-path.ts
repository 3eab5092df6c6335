// Grid paths on the command line, as Tahoe writes them: "alias:dir/file", "URI:DIR2-…/dir/file",
// a bare cap, or "dir/file" (under the default alias "cairn:").
import { formatCap, parseAnyCap } from '../../../src-shared/caps/index.js';
import { DEFAULT_ALIAS, readAliases } from '../../node/aliases.js';

/** A grid path: the cap it starts from, and the names below it ("" for the cap itself). */
export interface GridPath {
  readonly cap: string;
  readonly path: string;
  /** as the user wrote it, for messages */
  readonly text: string;
}

const ALIAS_PREFIX = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63}):/;

/** Whether a cp argument names the grid (a cap or "alias:…") rather than a local file. */
export function isGridArgument(text: string): boolean {
  return text.startsWith('URI:') || ALIAS_PREFIX.test(text);
}

/** The last name of a path ("" for none). */
export function lastName(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() ?? '';
}

export function childPath(path: string, name: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? name : `${trimmed}/${name}`;
}

/**
 * Parses a grid path; the alias is looked up in `nodeDir`. A malformed cap or an unknown
 * alias is an error naming what is wrong (never echoing a cap's key).
 */
export async function parseGridPath(text: string, nodeDir: string): Promise<GridPath> {
  if (text.startsWith('URI:')) {
    const slash = text.indexOf('/');
    const cap = formatCap(parseAnyCap(slash < 0 ? text : text.slice(0, slash)));
    return { cap, path: slash < 0 ? '' : text.slice(slash + 1), text };
  }
  const match = ALIAS_PREFIX.exec(text);
  const alias = match?.[1] ?? DEFAULT_ALIAS;
  const path = match === null ? text : text.slice(match[0].length);
  const cap = (await readAliases(nodeDir)).get(alias);
  if (cap === undefined) throw new Error(`unknown alias "${alias}:" (see "cairn list-aliases"; "cairn create-alias NAME" makes one)`);
  return { cap: formatCap(cap), path: path.replace(/^\/+/, ''), text };
}

/** The web API path of a grid path: `/uri/<cap>/<name>/…`, each part percent-encoded. */
export function uriOf(target: Pick<GridPath, 'cap' | 'path'>, query = ''): string {
  const names = target.path.split('/').filter((name, i, all) => name !== '' || (i > 0 && i < all.length - 1));
  return `${['/uri', encodeURIComponent(target.cap), ...names.map(encodeURIComponent)].join('/')}${query === '' ? '' : `?${query}`}`;
}
