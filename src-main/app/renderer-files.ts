import { extname, join, normalize, sep } from 'node:path';

/**
 * How the desktop app serves its renderer: from its own files over the app:// scheme
 * (a standard, secure origin, so ES modules and fetch work, and the CSP's 'self' means
 * only these files). No remote content is ever loaded.
 */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://cairn`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/** The web UI's policy: its 'self' here means only the app's own files. */
export { CONTENT_SECURITY_POLICY } from '../frontends/web/web-shell.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface RendererFile {
  readonly path: string;
  readonly contentType: string;
}

/** The file under `rendererDir` that an app:// URL names, or undefined (wrong host, escape attempts, unknown types). */
export function rendererFileOf(url: string, rendererDir: string): RendererFile | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== 'cairn') return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return undefined;
  const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
  const root = normalize(rendererDir + sep);
  const path = normalize(join(root, relative));
  if (!path.startsWith(root)) return undefined;
  const contentType = TYPES[extname(path).toLowerCase()];
  return contentType === undefined ? undefined : { path, contentType };
}
