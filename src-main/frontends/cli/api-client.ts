import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { API_TOKEN_FILE, CONFIG_FILE, privateDir } from '../../node/node-files.js';

/** How the CLI reaches a running node: its web port and API token, from the node directory. */
export interface NodeEndpoint {
  readonly port: number;
  readonly token: string;
  readonly dir: string;
}

export function defaultNodeDir(): string {
  return process.env.CAIRN_NODE_DIR ?? join(homedir(), '.cairn');
}

export async function nodeEndpoint(dir = defaultNodeDir()): Promise<NodeEndpoint> {
  let config: { web?: { port?: number } };
  try {
    config = JSON.parse(await readFile(join(dir, CONFIG_FILE), 'utf8')) as typeof config;
  } catch {
    throw new Error(`no Cairn node in ${dir} (create one with "cairn create-node", or pass --node-dir DIR)`);
  }
  const port = config.web?.port;
  if (typeof port !== 'number') throw new Error(`${join(dir, CONFIG_FILE)} has no web.port`);
  const token = (await readFile(join(privateDir(dir), API_TOKEN_FILE), 'utf8')).trim();
  return { port, token, dir };
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

async function errorFrom(response: IncomingMessage): Promise<ApiError> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let message = text.trim();
  try {
    message = (JSON.parse(text) as { error?: string }).error ?? message;
  } catch {
    // not JSON: keep the text
  }
  return new ApiError(response.statusCode ?? 0, message || `HTTP ${response.statusCode}`);
}

/** A request body: a local file streamed from disk, a few bytes, or a stream of unknown length (sent chunked). */
export type ApiBody = { readonly file: string; readonly size: number } | { readonly data: Uint8Array | string } | { readonly stream: NodeJS.ReadableStream };

/** One API call; resolves with the response once its status is 2xx. */
export function callApi(endpoint: NodeEndpoint, method: string, path: string, body?: ApiBody): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: endpoint.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${endpoint.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/octet-stream' }),
          ...(body === undefined || 'stream' in body ? {} : { 'content-length': 'file' in body ? body.size : Buffer.byteLength(body.data) }),
        },
      },
      (response) => {
        if ((response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300) resolve(response);
        else errorFrom(response).then(reject, reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ECONNREFUSED'
          ? new Error(`the node in ${endpoint.dir} is not running (nothing answers on 127.0.0.1:${endpoint.port}); start it with "cairn run ${endpoint.dir}"`)
          : error,
      );
    });
    if (body === undefined) req.end();
    else if ('data' in body) req.end(body.data);
    else if ('stream' in body) body.stream.on('error', reject).pipe(req);
    else createReadStream(body.file, { highWaterMark: 1024 * 1024 }).on('error', reject).pipe(req);
  });
}

export async function readAll(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A call whose answer is JSON. */
export async function callApiJson<T>(endpoint: NodeEndpoint, method: string, path: string, body?: ApiBody): Promise<T> {
  return JSON.parse(await readAll(await callApi(endpoint, method, path, body))) as T;
}

export async function fileSizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a regular file`);
  return info.size;
}
