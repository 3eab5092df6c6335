// What the CLI learns of grid paths through the web API's `?t=json`.
import type { IncomingMessage } from 'node:http';
import { withAtomicFile } from '../../node/atomic-write.js';
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

/** The socket hands over 64 KiB at a time; a write per MiB costs far less than one per chunk. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/** Writes a download to `outFile` (temporary name, renamed when complete), or to stdout for "-". */
export async function saveDownload(response: IncomingMessage, outFile: string): Promise<void> {
  const expected = Number(response.headers['content-length']);
  let received = 0;
  const checkComplete = () => {
    if (Number.isSafeInteger(expected) && received !== expected) throw new Error(`the download stopped after ${received} of ${expected} bytes (see the node's log)`);
  };
  if (outFile === '-') {
    for await (const chunk of response) {
      received += (chunk as Buffer).length;
      if (!process.stdout.write(chunk as Buffer)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
    return checkComplete();
  }
  await withAtomicFile(outFile, async (handle) => {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    for await (const chunk of response) {
      received += (chunk as Buffer).length;
      batch.push(chunk as Buffer);
      batchBytes += (chunk as Buffer).length;
      if (batchBytes >= WRITE_BATCH_BYTES) {
        await handle.writev(batch);
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) await handle.writev(batch);
    checkComplete();
  });
}
