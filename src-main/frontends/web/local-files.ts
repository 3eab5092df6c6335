// An upload of a file on the node's own machine (`cairn put FILE`): the CLI names the file
// instead of sending its bytes. That spares copying them through HTTP into a spool file,
// which the node would then read twice (the convergent key, then the encoding). The query
// says which file: its absolute path, and its size, modification time and inode as the CLI
// saw them. A node that finds another file there (it may see another file system: a
// container, another machine behind a forwarded port) answers 422, and the CLI sends the
// bytes after all.
import { stat } from 'node:fs/promises';
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
  if (text === null || !/^\d{1,30}$/.test(text)) throw new HttpError(400, `a local-file upload needs ${name}=<decimal integer>`);
  return BigInt(text);
}

/**
 * The upload body a request names with `?local-file=…`, or undefined for an ordinary upload
 * (whose bytes are the request body). Such a request has no body of its own.
 */
export async function localFileBody(req: IncomingMessage, url: URL, limit: number): Promise<UploadBody | undefined> {
  const path = url.searchParams.get('local-file');
  if (path === null) return undefined;
  const declared = req.headers['content-length'];
  if ((declared !== undefined && declared !== '0') || req.headers['transfer-encoding'] !== undefined) {
    throw new HttpError(400, 'a local-file upload names its file and has no body');
  }
  if (!isAbsolute(path)) throw new HttpError(400, `local-file must be an absolute path (got ${JSON.stringify(path)})`);
  const claimed = { size: integerParam(url, 'size'), mtimeNs: integerParam(url, 'mtime-ns'), ino: integerParam(url, 'ino') };
  let found: LocalFileIdentity;
  try {
    found = await localFileIdentity(path);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new HttpError(LOCAL_FILE_UNUSABLE, `the node cannot read ${path} (${why}): send the file's bytes instead`);
  }
  if (found.size !== claimed.size || found.mtimeNs !== claimed.mtimeNs || found.ino !== claimed.ino) {
    throw new HttpError(LOCAL_FILE_UNUSABLE, `${path} is not the file the request describes (the node may see another file system): send its bytes instead`);
  }
  if (found.size > BigInt(limit)) throw new HttpError(413, `upload is larger than the ${limit}-byte limit`);
  return { path, size: Number(found.size) };
}
