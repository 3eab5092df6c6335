// The `/uri` part of the web API: files, directories and mutable files by cap and path
// (Tahoe's webapi shapes where they fit).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatCap, parseAnyCap, type Cap, type DirectoryCap } from '../../../src-shared/caps/index.js';
import { MAX_MUTABLE_FILE_SIZE } from '../../core/mutable/index.js';
import { NotADirectoryError, type InitialChild } from '../../grid/vdrive/index.js';
import { writeChunks } from '../../node/atomic-write.js';
import { manifestEntryOf } from '../../node/manifest.js';
import { clientGoneSignal } from './client-gone.js';
import { sendImmutableFile, sendMutableFile } from './file-response.js';
import { HttpError } from './http-errors.js';
import { sendJsonLines } from './json-lines.js';
import type { LinkRequest, NodeApi, UploadBody } from './node-api.js';
import { directoryNodeJson, fileNodeJson } from './node-json.js';
import { localFileBody, openLocalTarget } from './local-files.js';
import { readSmallBody, withUploadBody } from './request-body.js';
import { parseCapWithPath, parseUriPath } from './uri-path.js';

export interface UriRouteOptions {
  readonly node: NodeApi;
  readonly spoolDir: string;
  readonly maxUploadBytes: number;
}

interface UriRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly options: UriRouteOptions;
}

/** A cap's longest text, with room to spare (a cap in a `t=uri` body). */
const MAX_CAP_BODY = 64 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** What `path` below `start` names (`start` itself for no path). */
async function capAt(node: NodeApi, start: Cap, path: string): Promise<Cap> {
  return path === '' ? start : (await node.resolvePath(directoryOf(start), path)).cap;
}

function directoryOf(cap: Cap): DirectoryCap {
  if (cap.kind !== 'dir') throw new NotADirectoryError('the cap names a file, not a directory: there is no path below it');
  return cap;
}

/** `path` and then one more child name, which must be a single name. */
function joinName(path: string, name: string | null, parameter: string): string {
  if (name === null || name === '') throw new HttpError(400, `the "${parameter}" parameter is required`);
  if (name.includes('/')) throw new HttpError(400, `${parameter} ${JSON.stringify(name)} must be one child name, without "/"`);
  return path === '' ? name : `${path}/${name}`;
}

function linkRequestOf(url: URL): LinkRequest {
  return { overwrite: url.searchParams.get('replace') !== 'false' };
}

function wantsMutable(url: URL): boolean {
  const format = url.searchParams.get('format')?.toLowerCase();
  return format === 'mutable' || format === 'sdmf' || url.searchParams.get('mutable') === 'true';
}

/** The version named by an If-Match header, if any ("*" names none). */
function ifMatchOf(req: IncomingMessage): string | undefined {
  const header = req.headers['if-match']?.trim();
  if (header === undefined || header === '' || header === '*') return undefined;
  return header.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** Serves `/uri…`; `pathname` is the request's path as sent (still percent-encoded, dot segments kept). */
export async function handleUri(req: IncomingMessage, res: ServerResponse, pathname: string, url: URL, options: UriRouteOptions): Promise<void> {
  const request = { req, res, url, options };
  if (pathname === '/uri' || pathname === '/uri/') return handleBareUri(request);
  const { cap, path } = parseUriPath(pathname);
  switch (req.method) {
    case 'GET':
    case 'HEAD': // the same headers as GET, no body (a file's bytes are not fetched)
      return getNode(request, cap, path);
    case 'PUT':
      return putNode(request, cap, path);
    case 'POST':
      return postNode(request, cap, path);
    case 'DELETE':
      if (path === '') throw new HttpError(400, 'DELETE needs a child path: /uri/$DIRCAP/name');
      await options.node.unlink(directoryOf(cap), path);
      return sendText(res, 200, '');
  }
  throw new HttpError(405, `${req.method} is not supported on /uri/<cap>`);
}

/** PUT /uri (upload an immutable file, or `?format=mutable` a new mutable file), POST /uri?t=mkdir. */
async function handleBareUri({ req, res, url, options }: UriRequest): Promise<void> {
  const { node } = options;
  if (req.method === 'PUT' && wantsMutable(url)) {
    const contents = await readSmallBody(req, MAX_MUTABLE_FILE_SIZE, 'a mutable file');
    return sendText(res, 200, formatCap(await node.createMutableFile(contents)));
  }
  if (req.method === 'PUT') {
    // the browser's Cancel (or a broken connection) stops the upload: its partial shares are aborted
    const signal = clientGoneSignal(res);
    const cap = await withRequestUpload(req, url, options, (body) => node.uploadFile(body, signal));
    return sendText(res, 200, formatCap(cap));
  }
  if (req.method === 'POST' && url.searchParams.get('t') === 'mkdir') return sendText(res, 200, formatCap(await node.createDirectory()));
  if (req.method === 'POST' && url.searchParams.get('t') === 'mkdir-with-children') {
    const body = await readSmallBody(req, MAX_MUTABLE_FILE_SIZE, 'the children (JSON)');
    return sendText(res, 200, formatCap(await node.createDirectory(initialChildrenOf(body))));
  }
  throw new HttpError(404, `no such API: ${req.method} ${url.pathname}${url.search === '' ? '' : '?…'}`);
}

async function getNode({ req, res, url, options }: UriRequest, start: Cap, path: string): Promise<void> {
  const { node } = options;
  const t = url.searchParams.get('t');
  if (t !== null && t !== 'json') throw new HttpError(400, `unknown t=${t} for GET (use t=json, or no t for the file's bytes)`);
  const resolved = path === '' ? { cap: start, metadata: undefined } : await node.resolvePath(directoryOf(start), path);
  const { cap, metadata } = resolved;
  if (cap.kind === 'dir') return sendJson(res, 200, directoryNodeJson(cap, await node.listDirectory(cap), metadata));
  if (t === 'json') return sendJson(res, 200, fileNodeJson(cap, metadata));
  switch (cap.kind) {
    case 'ssk-ed25519':
    case 'ssk-ed25519-ro': {
      const { plaintext, version } = await node.readMutableFile(cap);
      return sendMutableFile(plaintext, version, req, res);
    }
    case 'ssk-ed25519-verifier':
      throw new HttpError(400, 'a verify cap cannot read a file: give its read cap');
    default:
      return sendImmutableFile(cap, req, res, node);
  }
}

async function putNode({ req, res, url, options }: UriRequest, start: Cap, path: string): Promise<void> {
  const { node } = options;
  const t = url.searchParams.get('t');
  if (path === '') return overwriteMutable({ req, res, url, options }, start);
  const dir = directoryOf(start);
  const link = linkRequestOf(url);
  if (t === 'uri') {
    const cap = parseAnyCap(new TextDecoder().decode(await readSmallBody(req, MAX_CAP_BODY, 'a cap')));
    await node.link(dir, path, cap, link);
    return sendText(res, 200, formatCap(cap));
  }
  if (t === 'mkdir') return sendText(res, 200, formatCap(await node.makeDirectory(dir, path)));
  if (t !== null) throw new HttpError(400, `unknown t=${t} for PUT (use t=uri, t=mkdir, or no t to upload)`);
  if (wantsMutable(url)) {
    const contents = await readSmallBody(req, MAX_MUTABLE_FILE_SIZE, 'a mutable file');
    const cap = await node.createMutableFile(contents);
    await node.link(dir, path, cap, link);
    return sendText(res, 200, formatCap(cap));
  }
  // the browser's Cancel (or a broken connection) stops the upload: nothing is linked
  const signal = clientGoneSignal(res);
  const cap = await withRequestUpload(req, url, options, (body) => node.uploadAndLink(dir, path, body, link, signal));
  return sendText(res, 200, formatCap(cap));
}

/** Runs `use` on what an upload request brings: a file on this machine it names (local-files.ts), or its body. */
async function withRequestUpload<T>(req: IncomingMessage, url: URL, options: UriRouteOptions, use: (body: UploadBody) => Promise<T>): Promise<T> {
  const local = await localFileBody(req, url, options.maxUploadBytes);
  if (local !== undefined) return use(local);
  return withUploadBody(req, options.spoolDir, options.maxUploadBytes, use);
}

/** PUT /uri/$MUTABLECAP: replaces the contents; with If-Match only if still at that version (else 409). */
async function overwriteMutable({ req, res, options }: UriRequest, cap: Cap): Promise<void> {
  if (cap.kind === 'dir') throw new HttpError(400, 'PUT to a directory needs a child path: /uri/$DIRCAP/name');
  if (cap.kind === 'ssk-ed25519-ro' || cap.kind === 'ssk-ed25519-verifier') {
    throw new HttpError(403, 'this mutable file cap is read-only: changing the file needs its write cap (URI:SSK-ED25519:…)');
  }
  if (cap.kind !== 'ssk-ed25519') throw new HttpError(400, 'an immutable file cannot be changed: upload a new one with PUT /uri');
  const contents = await readSmallBody(req, MAX_MUTABLE_FILE_SIZE, 'a mutable file');
  const ifVersion = ifMatchOf(req);
  const version = await options.node.overwriteMutableFile(cap, contents, ifVersion === undefined ? {} : { ifVersion });
  return sendText(res, 200, formatCap(cap), { etag: `"${version}"` });
}

async function postNode({ req, res, url, options }: UriRequest, start: Cap, path: string): Promise<void> {
  const { node } = options;
  const t = url.searchParams.get('t');
  const param = (name: string): string | null => url.searchParams.get(name);
  switch (t) {
    case 'download-to':
      return sendJson(res, 200, { bytes: await downloadToLocalFile(req, res, url, node, await capAt(node, start, path)) });
    case 'check': {
      const cap = await capAt(node, start, path);
      const flag = (name: string) => param(name) === 'true';
      const result = await node.check(cap, { verify: flag('verify'), repair: flag('repair'), addLease: flag('add-lease') });
      // What was checked, by names that read nothing: its verify cap and storage index.
      const { verifycap, 'storage-index': storageIndex } = manifestEntryOf({ path: [], cap });
      return sendJson(res, 200, { checked: { kind: describeKind(cap), path, ...(verifycap === undefined ? {} : { verifycap }), ...(storageIndex === undefined ? {} : { 'storage-index': storageIndex }) }, ...result });
    }
    case 'mkdir': {
      const dir = directoryOf(start);
      const target = param('name') === null ? path : joinName(path, param('name'), 'name');
      return sendText(res, 200, formatCap(await node.makeDirectory(dir, target)));
    }
    case 'rename':
    case 'relink': {
      const dir = directoryOf(start);
      const fromName = param('from_name');
      const from = joinName(path, fromName, 'from_name');
      const toDir = param('to_dir');
      const target = toDir === null ? { cap: dir, path } : parseCapWithPath(toDir);
      const to = joinName(target.path, param('to_name') ?? fromName, 'to_name');
      await node.move(dir, from, directoryOf(target.cap), to, linkRequestOf(url));
      return sendText(res, 200, '');
    }
    case 'stream-manifest':
    case 'stream-deep-check': {
      const resolved = await capAt(node, start, path);
      const dir = directoryOf(resolved);
      const flag = (name: string) => param(name) === 'true';
      const lines = t === 'stream-manifest' ? node.manifest(dir) : node.deepCheck(dir, { verify: flag('verify'), repair: flag('repair'), addLease: flag('add-lease') });
      return sendJsonLines(res, lines);
    }
    case 'delete':
    case 'unlink':
      await node.unlink(directoryOf(start), joinName(path, param('name'), 'name'));
      return sendText(res, 200, '');
  }
  throw new HttpError(400, `unknown t=${t ?? ''} for POST (use t=mkdir, t=rename, t=unlink, t=check, t=stream-manifest or t=stream-deep-check)`);
}

/** What a check names: "immutable file", "mutable directory"… */
function describeKind(cap: Cap): string {
  const file = cap.kind === 'dir' ? cap.file : cap;
  const what = cap.kind === 'dir' ? 'directory' : 'file';
  switch (file.kind) {
    case 'lit':
      return `literal ${what}`;
    case 'chk':
    case 'chk-verifier':
      return `immutable ${what}`;
    default:
      return `mutable ${what}`;
  }
}

/**
 * Tahoe's mkdir-with-children body: { NAME: ["filenode" | "dirnode", { "ro_uri"?, "rw_uri"?, "metadata"? }] }.
 * The write cap is linked when given, else the read cap.
 */
function initialChildrenOf(body: Uint8Array): InitialChild[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new HttpError(400, 'the children must be a JSON object: { name: ["filenode", { "ro_uri": CAP }] }');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new HttpError(400, 'the children must be a JSON object of name → [type, { ro_uri, rw_uri }]');
  return Object.entries(parsed).map(([name, value]) => {
    const details = Array.isArray(value) ? (value[1] as Record<string, unknown> | undefined) : undefined;
    const cap = details?.rw_uri ?? details?.ro_uri;
    if (typeof cap !== 'string') throw new HttpError(400, `child ${JSON.stringify(name)}: expected ["filenode" or "dirnode", { "ro_uri": CAP }]`);
    const metadata = details?.metadata;
    return typeof metadata === 'object' && metadata !== null ? { name, cap, metadata: metadata as InitialChild['metadata'] } : { name, cap };
  });
}

/** POST …?t=download-to&local-file=…: the file's bytes written into an empty file on this machine (local-files.ts). */
async function downloadToLocalFile(req: IncomingMessage, res: ServerResponse, url: URL, node: NodeApi, cap: Cap): Promise<number> {
  const handle = await openLocalTarget(req, url);
  try {
    // a client that went away stops the fetching
    const bytes = await writeChunks(handle, await fileBytes(node, cap), clientGoneSignal(res));
    await handle.datasync();
    return bytes;
  } finally {
    await handle.close();
  }
}

/** A file cap's bytes (an immutable file streamed, a mutable one read whole). */
async function fileBytes(node: NodeApi, cap: Cap): Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>> {
  switch (cap.kind) {
    case 'dir':
      throw new HttpError(400, 'the cap names a directory: there are no bytes to download');
    case 'chk-verifier':
    case 'ssk-ed25519-verifier':
      throw new HttpError(400, 'a verify cap cannot read a file: give its read cap');
    case 'ssk-ed25519':
    case 'ssk-ed25519-ro':
      return [(await node.readMutableFile(cap)).plaintext];
    default:
      return node.download(cap);
  }
}
