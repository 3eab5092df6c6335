// What the CLI learns of grid paths through the web API's `?t=json`.
import { ApiError, callApiJson, type NodeEndpoint } from './api-client.js';
import { uriOf, type GridPath } from './grid-path.js';

export interface NodeFields {
  readonly rw_uri?: string;
  readonly ro_uri?: string;
  readonly verify_uri?: string;
  readonly mutable?: boolean;
  readonly size?: number;
  readonly metadata?: { readonly size?: number; readonly mtime?: number; readonly cairn?: { readonly linkmotime?: number } };
  readonly children?: Readonly<Record<string, NodeJson>>;
}

export type NodeJson = readonly ['filenode' | 'dirnode', NodeFields];

export function nodeInfo(endpoint: NodeEndpoint, target: Pick<GridPath, 'cap' | 'path'>): Promise<NodeJson> {
  return callApiJson<NodeJson>(endpoint, 'GET', uriOf(target, 't=json'));
}

/** The node at `target`, or undefined when nothing is linked there. */
export async function nodeInfoIfAny(endpoint: NodeEndpoint, target: Pick<GridPath, 'cap' | 'path'>): Promise<NodeJson | undefined> {
  try {
    return await nodeInfo(endpoint, target);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** The strongest cap the listing gave: the write cap where there is one. */
export function capOfNode([, fields]: NodeJson): string {
  const cap = fields.rw_uri ?? fields.ro_uri;
  if (cap === undefined) throw new Error('the grid gave only a verify cap for this path: it cannot be read');
  return cap;
}
