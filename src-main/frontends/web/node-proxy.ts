// Forwards one browser request to the node's own web API on 127.0.0.1, adding the API token.
// The first-run server uses it once the node it set up runs: the browser keeps talking to the
// same port and session, and the node answers.
import { request, type IncomingMessage, type ServerResponse } from 'node:http';

/** Headers the browser sent that mean nothing to the node (its session is ours, not the node's). */
const DROPPED_HEADERS = new Set(['cookie', 'authorization', 'host', 'origin', 'connection']);

export function forwardToNode(req: IncomingMessage, res: ServerResponse, port: number, token: string): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !DROPPED_HEADERS.has(name)) headers[name] = value;
  }
  headers.authorization = `Bearer ${token}`;
  return new Promise((resolve, reject) => {
    const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('end', () => resolve());
      answer.on('error', reject);
    });
    upstream.on('error', reject);
    // an event stream or a download the browser gave up on
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
}
