// Files on the node's own machine, named instead of sent through HTTP.
// - An upload (`cairn put FILE`): the CLI names its file, and the node reads it. That spares
//   copying the bytes through HTTP into a spool file, which the node would then read twice
//   (the convergent key, then the encoding).
// - A download (`cairn get CAP OUTFILE`): the CLI makes an empty temporary file and names
//   it, and the node writes the file's bytes into it; the CLI then renames it into place.
// A request says which file: its absolute path, and its size, modification time and inode
// as the client saw them. A node that finds another file there (it may see another file
// system: a container, another machine behind a forwarded port) answers 422, and the
// client sends or receives the bytes after all.
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { isAbsolute } from 'node:path';
import { HttpError } from './http-errors.js';
import type { UploadBody } from './node-api.js';

/** The status of "this node cannot use that local file": the client should send the bytes. */
export const LOCAL_FILE_UNUSABLE = 422;

export interface LocalFileIdentity {
  readonly path: string;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ino: bigint;
}

/** The regular file at `path` (absolute), as a request names it. */
export async function localFileIdentity(path: string): Promise<LocalFileIdentity> {
  const info = await stat(path, { bigint: true });
  if (!info.isFile()) throw new Error(`${path} is not a regular file`);
  return { path, size: info.size, mtimeNs: info.mtimeNs, ino: info.ino };
}

export function localFileQuery(file: LocalFileIdentity): string {
  return new URLSearchParams({ 'local-file': file.path, size: String(file.size), 'mtime-ns': String(file.mtimeNs), ino: String(file.ino) }).toString();
}

function integerParam(url: URL, name: string): bigint {
  const text = url.searchParams.get(name);
  if (text === null || !/^\d{1,30}$/.test(text)) throw new HttpError(400, `a local-file request needs ${name}=<decimal integer>`);
  return BigInt(text);
}

interface NamedFile {
  readonly path: string;
  readonly claimed: Omit<LocalFileIdentity, 'path'>;
}

/** The file a request names with `?local-file=…`, or undefined. Such a request has no body. */
function namedFile(req: IncomingMessage, url: URL): NamedFile | undefined {
  const path = url.searchParams.get('local-file');
  if (path === null) return undefined;
  const declared = req.headers['content-length'];
  if ((declared !== undefined && declared !== '0') || req.headers['transfer-encoding'] !== undefined) {
    throw new HttpError(400, 'a local-file request names its file and has no body');
  }
  if (!isAbsolute(path)) throw new HttpError(400, `local-file must be an absolute path (got ${JSON.stringify(path)})`);
  return { path, claimed: { size: integerParam(url, 'size'), mtimeNs: integerParam(url, 'mtime-ns'), ino: integerParam(url, 'ino') } };
}

function unusable(path: string, error: unknown): HttpError {
  const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new HttpError(LOCAL_FILE_UNUSABLE, `the node cannot use ${path} (${why}): send the bytes instead`);
}

function checkIdentity(named: NamedFile, found: { size: bigint; mtimeNs: bigint; ino: bigint }): void {
  const { claimed } = named;
  if (found.size !== claimed.size || found.mtimeNs !== claimed.mtimeNs || found.ino !== claimed.ino) {
    throw new HttpError(LOCAL_FILE_UNUSABLE, `${named.path} is not the file the request describes (the node may see another file system): send the bytes instead`);
  }
}

/**
 * The upload body a request names with `?local-file=…`, or undefined for an ordinary upload
 * (whose bytes are the request body).
 */
export async function localFileBody(req: IncomingMessage, url: URL, limit: number): Promise<UploadBody | undefined> {
  const named = namedFile(req, url);
  if (named === undefined) return undefined;
  let found: LocalFileIdentity;
  try {
    found = await localFileIdentity(named.path);
  } catch (error) {
    throw unusable(named.path, error);
  }
  checkIdentity(named, found);
  if (found.size > BigInt(limit)) throw new HttpError(413, `upload is larger than the ${limit}-byte limit`);
  return { path: named.path, size: Number(found.size) };
}

/**
 * Opens the empty file a download request names with `?local-file=…` for writing, checked
 * on the open file (so that it is the one written): the client made it and renames it.
 */
export async function openLocalTarget(req: IncomingMessage, url: URL): Promise<FileHandle> {
  const named = namedFile(req, url);
  if (named === undefined) throw new HttpError(400, 'a download to a local file needs local-file=<absolute path of an empty file>');
  let handle: FileHandle;
  try {
    handle = await open(named.path, 'r+');
  } catch (error) {
    throw unusable(named.path, error);
  }
  try {
    const info = await handle.stat({ bigint: true });
    if (!info.isFile()) throw unusable(named.path, new Error('not a regular file'));
    checkIdentity(named, info);
    if (info.size !== 0n) throw new HttpError(400, `${named.path} must be empty: the node writes the whole file`);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
