import type { ServerResponse } from 'node:http';
import { drainedOrClosed } from './file-response.js';

/**
 * Streams one JSON object a line as the items come (a tree walk can be long). A failure
 * after the first line is sent as a last line `{"type": "error", "error": …}`.
 */
export async function sendJsonLines(res: ServerResponse, items: AsyncIterable<unknown>): Promise<void> {
  const iterator = items[Symbol.asyncIterator]();
  // The first item comes before the headers, so an error there is a clean JSON error status.
  let next = await iterator.next();
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
  try {
    while (!next.done) {
      if (!res.write(`${JSON.stringify(next.value)}\n`)) await drainedOrClosed(res);
      if (res.destroyed) {
        await iterator.return?.(undefined);
        return;
      }
      next = await iterator.next();
    }
  } catch (error) {
    res.write(`${JSON.stringify({ type: 'error', error: (error as Error).message })}\n`);
  }
  res.end();
}
