import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_FILE, type NodeConfig } from '../../src-main/node/node-dir.js';
import type { NodeProcess } from './grid-processes.js';

/** A running node's web API, called with its token. */
export interface WebApi {
  readonly base: string;
  call(method: string, path: string, init?: { body?: string | Uint8Array; headers?: Record<string, string> }): Promise<Response>;
}

export async function webApiOf(node: NodeProcess): Promise<WebApi> {
  const config = JSON.parse(await readFile(join(node.dir, CONFIG_FILE), 'utf8')) as NodeConfig;
  const token = (await readFile(join(node.dir, 'private', 'api_auth_token'), 'utf8')).trim();
  const base = `http://127.0.0.1:${config.web.port}`;
  return {
    base,
    call: (method, path, init = {}) => fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...init.headers }, ...(init.body === undefined ? {} : { body: init.body }) }),
  };
}

/** The shared root's write cap, as the node's default alias holds it. */
export async function rootCapOf(node: NodeProcess): Promise<string> {
  const aliases = await readFile(join(node.dir, 'private', 'aliases'), 'utf8');
  const line = aliases.split('\n').find((l) => l.startsWith('cairn:'));
  if (line === undefined) throw new Error(`${node.name} has no "cairn:" alias`);
  return line.slice('cairn:'.length).trim();
}

/** `/uri/<cap>` with each path name percent-encoded. */
export function uriPath(cap: string, ...names: string[]): string {
  return ['/uri', encodeURIComponent(cap), ...names.map(encodeURIComponent)].join('/');
}
