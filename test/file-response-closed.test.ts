// A response to a client that has already gone away must not wait for 'drain' or 'close'
// again: both have happened (or never will), and a download or JSON-lines stream would hang.
import { createServer, get, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { drainedOrClosed } from '../src-main/frontends/web/file-response.js';

it('drainedOrClosed resolves at once for a response whose client went away', async () => {
  let closedResponse: (res: ServerResponse) => void = () => undefined;
  const closed = new Promise<ServerResponse>((resolve) => (closedResponse = resolve));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write('first bytes');
    res.once('close', () => closedResponse(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const request = get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, (response) => {
      response.once('data', () => request.destroy()); // the client goes away mid-response
    });
    request.on('error', () => undefined);
    const res = await closed;
    const outcome = await Promise.race([drainedOrClosed(res).then(() => 'resolved'), new Promise((resolve) => setTimeout(() => resolve('hung'), 2_000))]);
    expect(outcome).toBe('resolved');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
