// An upload over the web API whose client goes away (the web UI's Cancel aborts its XHR) after
// the node has the whole body: the node's upload stops, its open buckets are aborted and
// nothing is linked. Real `cairn run` processes: an introducer and one storage node, 2/2/2.
import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_GONE } from '../src-main/frontends/web/client-gone.js';
import type { OperationView } from '../src-main/node/operations.js';
import { cairn } from './support/cli.js';
import { GridHarness, type NodeProcess } from './support/grid-processes.js';
import { rootCapOf, uriPath, webApiOf, type WebApi } from './support/web-api.js';

let grid: GridHarness;
let node: NodeProcess;
let api: WebApi;
let token: string;

const SIZE = 32 * 1024 * 1024;

beforeAll(async () => {
  grid = await GridHarness.create(1, { needed: 2, happy: 2, total: 2 });
  await grid.startAll();
  node = grid.storageNodes[0]!;
  await grid.waitForServers(node, 2, cairn);
  api = await webApiOf(node);
  token = (await readFile(join(node.dir, 'private', 'api_auth_token'), 'utf8')).trim();
}, 60_000);

afterAll(async () => {
  await grid?.destroy();
});

/** Tells `onOperation` each change of the node's upload operations of SIZE bytes, until the returned function is called. */
async function followUploads(onOperation: (operation: OperationView) => void): Promise<() => void> {
  const response = await api.call('GET', '/events');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const message = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (!message.startsWith('event: operation\n')) continue;
        const operation = JSON.parse(message.slice(message.indexOf('data: ') + 6)) as OperationView;
        if (operation.kind === 'upload' && operation.bytesTotal === SIZE) onOperation(operation);
      }
    }
  })();
  return () => {
    stopped = true;
    void reader.cancel().catch(() => undefined);
  };
}

/**
 * PUTs SIZE random bytes to `path` and, once the node has stored some of them (its upload
 * operation reports progress), goes away as a browser's aborted XHR does. Resolves with the
 * operation as it ended.
 */
async function uploadThenGoAway(path: string): Promise<OperationView> {
  const port = Number(new URL(api.base).port);
  let client: ReturnType<typeof request> | undefined;
  let operationId: number | undefined;
  let resolveEnded: (operation: OperationView) => void = () => {};
  const ended = new Promise<OperationView>((resolve) => (resolveEnded = resolve));
  const stop = await followUploads((operation) => {
    operationId ??= operation.id;
    if (operation.id !== operationId) return;
    if (operation.state === 'running' && operation.bytesDone > 0) client?.destroy();
    if (operation.state !== 'running') resolveEnded(operation);
  });
  try {
    const answered = new Promise<number | undefined>((resolve) => {
      client = request({ host: '127.0.0.1', port, method: 'PUT', path, headers: { authorization: `Bearer ${token}`, 'content-length': SIZE } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      client.on('error', () => resolve(undefined));
      client.end(randomBytes(SIZE));
    });
    const operation = await ended;
    expect(await answered).toBeUndefined(); // no answer reached the client: it had gone
    return operation;
  } finally {
    stop();
  }
}

/** Every file below `dir` (none if it does not exist). */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function sharesOnTheGrid(): Promise<{ complete: number; incoming: number }> {
  let complete = 0;
  let incoming = 0;
  for (const n of grid.nodes) {
    complete += (await grid.shareFiles(n)).length;
    incoming += (await filesBelow(join(n.dir, 'storage', 'shares', 'incoming'))).length;
  }
  return { complete, incoming };
}

/** The shares left once the servers have dropped the aborted buckets (they are told, not waited for). */
async function sharesSettled(expected: { complete: number; incoming: number }): Promise<{ complete: number; incoming: number }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const now = await sharesOnTheGrid();
    if ((now.complete === expected.complete && now.incoming === expected.incoming) || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('an upload whose client goes away', () => {
  it('PUT /uri/<dir>/<name>: the upload stops mid-way, nothing is linked, no share remains', async () => {
    const root = await rootCapOf(node);
    // the shared root is published by a first write
    expect((await api.call('PUT', uriPath(root, 'small.bin'), { body: randomBytes(5000) })).status).toBe(200);
    const before = await sharesOnTheGrid();
    const operation = await uploadThenGoAway(uriPath(root, 'movie.bin'));
    expect(operation).toMatchObject({ state: 'failed', error: CLIENT_GONE });
    expect(operation.bytesDone).toBeLessThan(SIZE);
    const listing = (await (await api.call('GET', `${uriPath(root)}?t=json`)).json()) as [string, { children: Record<string, unknown> }];
    expect(Object.keys(listing[1].children)).toEqual(['small.bin']);
    expect(await sharesSettled(before)).toEqual(before);
    // the node goes on: the same name uploads afterwards
    expect((await api.call('PUT', uriPath(root, 'movie.bin'), { body: randomBytes(200_000) })).status).toBe(200);
  }, 60_000);

  it('PUT /uri: the upload stops mid-way and leaves no share', async () => {
    const before = await sharesOnTheGrid();
    const operation = await uploadThenGoAway('/uri');
    expect(operation).toMatchObject({ state: 'failed', error: CLIENT_GONE });
    expect(operation.bytesDone).toBeLessThan(SIZE);
    expect(await sharesSettled(before)).toEqual(before);
  }, 60_000);
});
