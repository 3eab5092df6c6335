/** A request's input is malformed: the message is one line that says what and why. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
