/** An error the web API answers with a status code and a JSON body `{ "error": message }`. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}
