import type { ServerResponse } from 'node:http';

/** What a request's work is aborted with when its client goes away (the web UI's Cancel). */
export const CLIENT_GONE = 'cancelled: the client went away before the answer';

/** The reason a request's work was aborted: its client went away. */
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';
  constructor() {
    super(CLIENT_GONE);
  }
}

/**
 * A signal that aborts when the client of `res` goes away before the whole answer is sent:
 * the browser aborted its fetch or XHR, or the connection broke. An answer sent in full
 * never aborts it.
 */
export function clientGoneSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const gone = (): void => {
    if (!res.writableFinished) controller.abort(new ClientGoneError());
  };
  if (res.destroyed || res.socket?.destroyed === true) gone();
  else res.once('close', gone);
  return controller.signal;
}
