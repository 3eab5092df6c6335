// `cairn get` and `cairn cp` from the grid: a file's bytes to a local file or to stdout.
import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { withAtomicFile, writeChunks } from '../../node/atomic-write.js';
import { LOCAL_FILE_UNUSABLE, localFileIdentity, localFileQuery } from '../web/local-files.js';
import { ApiError, callApi, readAll, type NodeEndpoint } from './api-client.js';
import { uriOf, type GridPath } from './grid-path.js';

/**
 * Downloads the file at `source` to `outFile` (a temporary name, renamed when complete and
 * synced), or to stdout for "-". To a file, the node writes the bytes itself when it sees
 * the temporary file the CLI made (web/local-files.ts); otherwise they come through HTTP.
 */
export async function downloadFile(endpoint: NodeEndpoint, source: Pick<GridPath, 'cap' | 'path'>, outFile: string): Promise<void> {
  if (outFile === '-') {
    const response = await callApi(endpoint, 'GET', uriOf(source));
    const received = new Received(response);
    for await (const chunk of response) {
      received.add((chunk as Buffer).length);
      if (!process.stdout.write(chunk as Buffer)) await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
    return received.checkComplete();
  }
  await withAtomicFile(outFile, async (handle, temporary) => {
    if (await nodeWrites(endpoint, source, handle, temporary)) return;
    const response = await callApi(endpoint, 'GET', uriOf(source));
    const received = new Received(response);
    received.add(await writeChunks(handle, response as AsyncIterable<Buffer>));
    received.checkComplete();
  });
}

/** Asks the node to write the file into `temporary` (empty, open as `handle`); false if it cannot. */
async function nodeWrites(endpoint: NodeEndpoint, source: Pick<GridPath, 'cap' | 'path'>, handle: FileHandle, temporary: string): Promise<boolean> {
  const query = `t=download-to&${localFileQuery(await localFileIdentity(resolve(temporary)))}`;
  let answer: { bytes?: unknown };
  try {
    answer = JSON.parse(await readAll(await callApi(endpoint, 'POST', uriOf(source, query), { data: '' }))) as typeof answer;
  } catch (error) {
    if (error instanceof ApiError && error.status === LOCAL_FILE_UNUSABLE) return false;
    throw error;
  }
  // The node wrote into the file it found at that path: if that was not this one after all, take the bytes.
  if ((await handle.stat()).size === answer.bytes) return true;
  await handle.truncate(0);
  return false;
}

/** Counts a response's bytes against its Content-Length. */
class Received {
  readonly #expected: number;
  #bytes = 0;

  constructor(response: IncomingMessage) {
    this.#expected = Number(response.headers['content-length']);
  }

  add(bytes: number): void {
    this.#bytes += bytes;
  }

  checkComplete(): void {
    if (Number.isSafeInteger(this.#expected) && this.#bytes !== this.#expected) {
      throw new Error(`the download stopped after ${this.#bytes} of ${this.#expected} bytes (see the node's log)`);
    }
  }
}
